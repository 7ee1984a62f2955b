from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Passed rule checks are remembered in a temporary cache, never in the user's."""
    monkeypatch.setenv("RISKEVAL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
