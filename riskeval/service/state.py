"""What one server process holds: the rule sets, the tokens, the ledger, the gates and the metrics.

The rule engine (durable-rules) is not thread-safe and a SQLite connection belongs to its thread, so
every library call of a process runs on one dedicated thread (:meth:`ServiceState.call`); the event
loop stays free for health, metrics and the docs, and several processes (``--workers N``) share the
ledger through SQLite's locking.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ..gate import Gate, Ledger, LedgerRecord
from ..ledger import LedgerKeyError
from ..ruleset import load_ruleset
from ..ruleset.compiled import RuleSet
from .errors import RuleSetUnknown, ServiceConfigError
from .metrics import Metrics
from .settings import Settings
from .tokens import TokenStore

__all__ = ["ON_BEHALF_SEP", "ServiceState", "ensure_ledger", "ledger_actor", "load_rulesets", "split_actor"]

T = TypeVar("T")

ON_BEHALF_SEP = " | on_behalf_of="
"""How ``on_behalf_of`` is recorded beside the token's name in the ledger's ``actor`` column."""


def ledger_actor(name: str, on_behalf_of: str | None) -> str:
    """The ledger ``actor`` of a request: the token's name, plus ``on_behalf_of`` when given.

    >>> ledger_actor("市住建局评估组", None)
    '市住建局评估组'
    >>> split_actor(ledger_actor("市住建局评估组", "王五"))
    ('市住建局评估组', '王五')
    """
    return name if not on_behalf_of else f"{name}{ON_BEHALF_SEP}{on_behalf_of}"


def split_actor(actor: str) -> tuple[str, str | None]:
    """``(name, on_behalf_of)`` of a ledger ``actor`` written by :func:`ledger_actor`."""
    name, sep, other = actor.partition(ON_BEHALF_SEP)
    return (name, other) if sep else (actor, None)


def ensure_ledger(path: Path, signing_key: Path | None = None, *, allow_unsigned: bool = False) -> Ledger:
    """The verified ledger at ``path``, created when missing (an empty ledger verifies, 0 records).

    Raises
    ------
    ServiceConfigError
        No signing key and not ``allow_unsigned``.
    LedgerTampered
        The ledger does not verify, or it is unsigned and ``allow_unsigned`` is false.
    LedgerKeyError, LedgerError
        The key cannot be read, the ledger is signed and no key was given, or the file is not a ledger.
    """
    if signing_key is None and not allow_unsigned:
        raise ServiceConfigError("service.unsigned")
    ledger = Ledger(path, signing_key=signing_key, require_signed=not allow_unsigned)
    if not path.is_file():
        ledger.create()  # the ledger would create its file on the first append; the service does at start-up
    ledger.ensure_verified()
    if ledger.signed and signing_key is None:
        raise LedgerKeyError("key_required", path=str(path))
    return ledger


def load_rulesets(names: list[str]) -> dict[str, RuleSet]:
    """Each rule set by its id and by the name it was given as (raises ``RuleSetError``)."""
    out: dict[str, RuleSet] = {}
    for name in names:
        rs = load_ruleset(name)
        out.setdefault(rs.id, rs)
        out.setdefault(name, rs)
    return out


class ServiceState:
    """Everything a request handler needs, for one server process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rulesets = load_rulesets(list(settings.rules))
        self.tokens = TokenStore(settings.tokens)
        self.metrics = Metrics()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="riskeval-library")
        self._ledger: Ledger | None = None
        self._gates: dict[str, Gate] = {}

    # ruleset lookup ------------------------------------------------------------------------------
    def ruleset(self, name: str) -> RuleSet:
        """The loaded rule set called ``name`` (id or the name it was loaded as)."""
        rs = self.rulesets.get(name)
        if rs is None:
            raise RuleSetUnknown(ruleset=name, known=", ".join(self.ruleset_ids()))
        return rs

    def ruleset_ids(self) -> list[str]:
        """The ids of the loaded rule sets, in the order given."""
        seen: dict[str, None] = {}
        for rs in self.rulesets.values():
            seen.setdefault(rs.id, None)
        return list(seen)

    # the library thread --------------------------------------------------------------------------
    async def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``func`` on this process's library thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(func, *args, **kwargs))

    def ledger(self) -> Ledger:
        """The ledger (library thread only); created with its schema when missing."""
        if self._ledger is None:
            self._ledger = ensure_ledger(
                self.settings.ledger, self.settings.signing_key, allow_unsigned=self.settings.allow_unsigned
            )
            from .rule_versions import apply_activations  # the versions an admin activated

            apply_activations(self)
        return self._ledger

    def gate(self, ruleset: RuleSet) -> Gate:
        """The gate of ``ruleset`` over the ledger (library thread only)."""
        gate = self._gates.get(ruleset.id)
        if gate is None:
            gate = Gate(ruleset, ledger=self.ledger(), on_append=self._appended)
            self._gates[ruleset.id] = gate
        return gate

    def _appended(self, record: LedgerRecord) -> None:
        self.metrics.count_append(record.kind)

    def close(self) -> None:
        """Close the ledger connection and stop the library thread."""

        def _close() -> None:
            if self._ledger is not None:
                self._ledger.close()

        self._executor.submit(_close).result()
        self._executor.shutdown(wait=True)
