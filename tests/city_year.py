"""The example year (examples/make_city_year.py), generated once per test process and shared."""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
_CACHE: dict[str, Any] = {}


def make_city_year() -> ModuleType:
    """The generator module (imported from its file)."""
    if "module" not in _CACHE:
        spec = importlib.util.spec_from_file_location("make_city_year", EXAMPLES / "make_city_year.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["make_city_year"] = module
        spec.loader.exec_module(module)
        _CACHE["module"] = module
    return _CACHE["module"]


def city_year() -> Any:
    """The default year (484 matters, default seed) in a temporary directory kept for the process."""
    if "year" not in _CACHE:
        _CACHE["dir"] = tempfile.TemporaryDirectory(prefix="city-year-")
        _CACHE["year"] = make_city_year().build_year(Path(_CACHE["dir"].name) / "year")
    return _CACHE["year"]
