"""Headless Chromium for the tests that render pages: found on PATH, or the test is skipped (failed under CI)."""

from __future__ import annotations

import os
import shutil

import pytest

__all__ = ["chromium_or_skip"]


def chromium_or_skip() -> str:
    """The Chromium executable; without one the test is skipped locally and fails under ``CI=true``."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    message = "chromium is not installed (Debian: apt-get install chromium fonts-noto-cjk)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
