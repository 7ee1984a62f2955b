"""Settings of the HTTP service; ``riskeval serve`` builds them from its options.

Worker processes started by uvicorn (``--workers N``) receive them as JSON in the environment
variable :data:`SETTINGS_ENV`.

Examples
--------
>>> s = Settings(rules=["guiyang"], ledger="/tmp/l.sqlite", tokens="/tmp/t.yaml", allow_unsigned=True)
>>> s.max_json_bytes, s.jobs_dir.name
(10485760, 'l.sqlite.jobs')
>>> Settings.model_validate_json(s.model_dump_json()) == s
True
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SETTINGS_ENV", "Settings"]

SETTINGS_ENV = "RISKEVAL_SERVICE_SETTINGS"


class Settings(BaseModel):
    """What the service serves and where it keeps things.

    Parameters
    ----------
    rules
        Bundled rule-set names or rule-file paths (one or more).
    ledger
        The SQLite ledger (created when missing).
    tokens
        The tokens YAML file.
    max_json_bytes
        Limit of JSON request bodies (413 above it).
    max_upload_bytes
        Limit of batch uploads.
    batch_workers
        Worker processes of each batch job.
    jobs_directory
        Where batch jobs keep their input and results (default: ``LEDGER.jobs`` next to the ledger).
    signing_key
        The Ed25519 signing key (``signing.key`` from ``riskeval ledger keygen``); the ledger is signed.
    allow_unsigned
        Serve an unsigned ledger (local trials); without it an unsigned ledger is refused.
    rules_dir
        The rule directory: rule-set versions saved from the workbench, one file each; the version an admin
        activated (recorded in the ledger) replaces the rule set of the same id given by ``rules``.
    pool
        The expert pool (pool YAML or experts CSV) of the workbench's 专家 page.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[str] = Field(min_length=1)
    ledger: Path
    tokens: Path
    max_json_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    batch_workers: int = Field(default=1, ge=1)
    jobs_directory: Path | None = None
    signing_key: Path | None = None
    allow_unsigned: bool = False
    rules_dir: Path | None = None
    pool: Path | None = None

    @property
    def jobs_dir(self) -> Path:
        """The batch-jobs directory."""
        if self.jobs_directory is not None:
            return self.jobs_directory
        return self.ledger.with_name(self.ledger.name + ".jobs")

    @classmethod
    def from_env(cls) -> Settings:
        """The settings passed by ``riskeval serve`` to its worker processes."""
        text = os.environ.get(SETTINGS_ENV)
        if not text:
            raise RuntimeError(f"{SETTINGS_ENV} is not set: start the service with 'riskeval serve'")
        return cls.model_validate_json(text)
