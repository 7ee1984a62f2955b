"""备案: filing a ledger segment with the level above, verifying it, and the receiver's registry.

- :func:`export_filing` writes the package of the records since a sequence number: the records,
  the chain link to the previous filing, the head, the signed checkpoint, a consistency proof
  from the previous tree, the unit's public key and a manifest (:mod:`.package`).
- :func:`verify_filing` checks a package offline and names what is wrong (:mod:`.verify`).
- :func:`import_filing` registers a verified package in the receiving level's registry, refusing
  replays, skipped filings (reporting the gap) and packages that do not continue the unit's last
  filing (:mod:`.registry`).

Examples
--------
>>> import tempfile, os
>>> from riskeval import Project, load_ruleset, assess
>>> from riskeval.ledger import Ledger, SigningKey
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> tmp = tempfile.TemporaryDirectory()
>>> ledger = Ledger(os.path.join(tmp.name, "ledger.sqlite"), signing_key=SigningKey.generate())
>>> p = Project(id="P-1", kind="project", facts=rs.tests[0].project["facts"])
>>> _ = ledger.append_assessment(p, assess(p, rs), actor="张三")
>>> out = os.path.join(tmp.name, "filing.zip")
>>> export_filing(ledger, 1, out).count
1
>>> verify_filing(out).ok
True
>>> reg = os.path.join(tmp.name, "registry.sqlite")
>>> import_filing(out, reg).first
True
>>> try:
...     import_filing(out, reg)
... except FilingReplayed as exc:
...     print(exc.code)
filing.replayed
>>> ledger.close(); tmp.cleanup()
"""

from .errors import (
    FilingError,
    FilingExportError,
    FilingInputError,
    FilingNotContinuing,
    FilingOutOfOrder,
    FilingRegistryError,
    FilingReplayed,
    FilingTampered,
    FilingUnsafeEntry,
)
from .package import FILING_FORMAT, FilingSummary, export_filing
from .registry import ImportResult, Registry, UnitStatus, import_filing
from .verify import FilingReport, verify_filing

__all__ = [
    "FILING_FORMAT",
    "FilingError",
    "FilingExportError",
    "FilingInputError",
    "FilingNotContinuing",
    "FilingOutOfOrder",
    "FilingRegistryError",
    "FilingReplayed",
    "FilingReport",
    "FilingSummary",
    "FilingTampered",
    "FilingUnsafeEntry",
    "ImportResult",
    "Registry",
    "UnitStatus",
    "export_filing",
    "import_filing",
    "verify_filing",
]
