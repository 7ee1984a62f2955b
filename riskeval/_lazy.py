"""A package's public names imported on first use (PEP 562), for :mod:`riskeval` and :mod:`riskeval.batch`."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, sources: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: a name of ``sources`` (name -> relative module) is
    imported from its module on first use and kept in ``namespace`` (the package's globals); any other public
    name is tried as a module of the package (``riskeval.ruleset`` after ``import riskeval``).

    >>> getattr_, dir_ = lazy_names("riskeval", {"exit_code_for": ".errors"}, {})
    >>> getattr_("exit_code_for").__name__, "exit_code_for" in dir_()
    ('exit_code_for', True)
    """

    def __getattr__(name: str) -> Any:
        source = sources.get(name)
        if source is None:
            if not name.startswith("_"):  # a module of the package used as an attribute
                try:
                    return importlib.import_module(f"{package}.{name}")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{package}.{name}":
                        raise
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(source, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *sources})

    return __getattr__, __dir__
