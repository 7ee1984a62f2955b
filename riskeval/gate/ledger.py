"""Moved to :mod:`riskeval.ledger`; kept so that old imports keep working."""

from ..ledger import GENESIS, HASHED_COLUMNS, Ledger, LedgerRecord, VerifyReport, canonical_project
from ..ledger.records import format_ts, parse_ts

__all__ = ["GENESIS", "HASHED_COLUMNS", "Ledger", "LedgerRecord", "VerifyReport", "canonical_project", "format_ts", "parse_ts"]
