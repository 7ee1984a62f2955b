"""The assessment ledger: a Merkle log over SQLite with Ed25519-signed checkpoints, receipts and proofs.

Modules: :mod:`.records` (records and their leaf bytes), :mod:`.merkle` (RFC 6962 hashing and
proofs), :mod:`.checkpoint` (keys, signed checkpoints), :mod:`.files` (the SQLite file and its
connections), :mod:`.trust` (the ledger verifying itself, in full then incrementally), :mod:`.store`
(:class:`Ledger`: appending and reading), :mod:`.verify` (verification), :mod:`.receipt` (receipts,
consistency), :mod:`.legacy` (the old format and its migration), :mod:`.views` (what shells print),
:mod:`.errors`.

Examples
--------
>>> from riskeval.ledger import LedgerError, LedgerTampered
>>> LedgerTampered.exit_code, LedgerError.exit_code
(1, 2)
"""

from .checkpoint import Checkpoint, PublicKey, SigningKey, generate_keys, load_public_key, load_signing_key
from .errors import LedgerBusy, LedgerError, LedgerKeyError, LedgerNotFound, LedgerTampered
from .legacy import MigrationResult, migrate, migrate_in_place
from .receipt import ProofReport, make_consistency, make_receipt, verify_consistency_data, verify_receipt
from .records import FORMAT, GENESIS, HASHED_COLUMNS, LedgerRecord, canonical_json, canonical_project
from .store import Ledger
from .verify import VerifyReport

__all__ = [
    "FORMAT",
    "GENESIS",
    "HASHED_COLUMNS",
    "Checkpoint",
    "Ledger",
    "LedgerBusy",
    "LedgerError",
    "LedgerKeyError",
    "LedgerNotFound",
    "LedgerRecord",
    "LedgerTampered",
    "MigrationResult",
    "ProofReport",
    "PublicKey",
    "SigningKey",
    "VerifyReport",
    "canonical_json",
    "canonical_project",
    "generate_keys",
    "load_public_key",
    "load_signing_key",
    "make_consistency",
    "make_receipt",
    "migrate",
    "migrate_in_place",
    "verify_consistency_data",
    "verify_receipt",
]
