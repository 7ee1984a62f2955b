"""Settings of the HTTP service; ``riskeval serve`` builds them from its options.

Worker processes started by uvicorn (``--workers N``) receive them as JSON in the environment
variable :data:`SETTINGS_ENV`.

Examples
--------
>>> s = Settings(rules=["guiyang"], ledger="/tmp/l.sqlite", tokens="/tmp/t.yaml")
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
    key_env
        Name of the environment variable holding the ledger's HMAC key (a keyed ledger); the key itself
        never travels in the settings.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[str] = Field(min_length=1)
    ledger: Path
    tokens: Path
    max_json_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    batch_workers: int = Field(default=1, ge=1)
    jobs_directory: Path | None = None
    key_env: str | None = None

    def ledger_key(self) -> bytes | None:
        """The HMAC key of the ledger from :attr:`key_env` (``None`` for an unkeyed ledger)."""
        if self.key_env is None:
            return None
        value = os.environ.get(self.key_env, "")
        if not value:
            from .errors import ServiceConfigError

            raise ServiceConfigError("service.key_env", name=self.key_env)
        return value.encode("utf-8")

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
