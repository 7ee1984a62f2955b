"""The registry of workbench pages: one module per page (see :mod:`riskeval.web` for the recipe)."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["PAGE_MODULES", "load_pages"]

PAGE_MODULES: tuple[str, ...] = (
    "rules",
    "assess",
    "batch",
    "ledger",
    "experts",
)
"""The page modules of ``riskeval.web.pages``, each with ``PAGE`` and ``router``."""


def load_pages() -> list[ModuleType]:
    """The page modules, imported (an error in one is an error of the service, not a missing page)."""
    modules = []
    for name in PAGE_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        if not hasattr(module, "PAGE") or not hasattr(module, "router"):
            raise TypeError(f"page module {module.__name__} must define PAGE and router")
        modules.append(module)
    return modules
