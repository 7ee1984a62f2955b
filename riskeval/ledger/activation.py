"""Which version of a rule set the gate uses: activation records in the ledger.

An admin activates a version kept in the rule directory (:class:`riskeval.ruleset.versions.RuleDirectory`);
the ledger records it as a record of kind ``activation``, so who switched the gate to which rules, and
when, is covered by the same hash chain and signed checkpoints as the assessments.

Record format (kind ``activation``):

============================  =================================================================
column                        value
============================  =================================================================
``project_id``                ``ruleset:<rule set id>`` (the matter is the rule set itself)
``project_json``              the canonical JSON of ``Project(id=project_id, name=<title>)``
``ruleset_id/version/hash``   the version activated (``hash``: the rule set's content hash)
``outcome``                   ``activate``
``actor``                     the admin's token name
``assessment_json``, refs     empty
============================  =================================================================

The version in use for a rule set is that of its latest activation record (:func:`active_versions`).

Examples
--------
>>> import tempfile, pathlib
>>> from riskeval.ledger import Ledger
>>> ledger = Ledger(pathlib.Path(tempfile.mkdtemp()) / "l.sqlite")
>>> rec = record_activation(ledger, "guiyang", "2014.2", "ab" * 32, actor="管理员", title="贵阳")
>>> rec.kind, rec.project_id, rec.outcome, ledger.verify().ok
('activation', 'ruleset:guiyang', 'activate', True)
>>> active_versions(ledger)["guiyang"].version
'2014.2'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..model.project import Project
from .records import LedgerRecord, canonical_project
from .store import Ledger

__all__ = ["ACTIVATION_KIND", "ActiveVersion", "active_versions", "record_activation"]

ACTIVATION_KIND = "activation"
_PREFIX = "ruleset:"


@dataclass(frozen=True)
class ActiveVersion:
    """The version of a rule set in use, and the record that says so."""

    ruleset_id: str
    version: str
    hash: str
    seq: int
    actor: str
    ts: str


def record_activation(
    ledger: Ledger, ruleset_id: str, version: str, ruleset_hash: str, *, actor: str, title: str = ""
) -> LedgerRecord:
    """Append an activation record: from now on the gate uses ``version`` of ``ruleset_id``.

    Raises
    ------
    ValueError
        ``actor`` is empty.
    LedgerError
        The ledger cannot be written (or was created before activation records existed).
    """
    project = Project.model_validate({"id": f"{_PREFIX}{ruleset_id}", "name": title or ruleset_id})
    project_json = canonical_project(project)
    return ledger._append(
        {
            "kind": ACTIVATION_KIND,
            "project_id": project.id,
            "project_json": project_json,
            "project_hash": hashlib.sha256(project_json.encode("utf-8")).hexdigest(),
            "ruleset_id": ruleset_id,
            "ruleset_version": version,
            "ruleset_hash": ruleset_hash,
            "outcome": "activate",
            "actor": actor,
        }
    )


def active_versions(ledger: Ledger) -> dict[str, ActiveVersion]:
    """The latest activation of each rule set id recorded in ``ledger``."""
    out: dict[str, ActiveVersion] = {}
    for rec in ledger.records(kind=ACTIVATION_KIND):
        out[rec.ruleset_id] = ActiveVersion(rec.ruleset_id, rec.ruleset_version, rec.ruleset_hash, rec.seq, rec.actor, rec.ts)
    return out
