"""Chinese text must render as glyphs, not as empty boxes (tofu), in headless Chromium.

Characters a machine has no font for all render as the same empty box, so two different characters
give byte-identical screenshots. The test first proves that this detector works (two private-use
characters, which no font covers, come out identical), then requires that two Chinese characters of
the report come out different. Debian: ``apt-get install chromium fonts-noto-cjk`` (``.ci/run`` does).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from riskeval.report.html import write_html_report  # noqa: F401  (the report whose font stack is used)
from tests.riskeval.browser import chromium_or_skip

FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'


def _shot(exe: str, tmp: Path, name: str, text: str) -> bytes:
    page = tmp / f"{name}.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'>"
        f"<body style='margin:0;background:#fff'><div style='font:120px/1 {FONT_STACK}'>{text}</div></body>",
        encoding="utf-8",
    )
    shot = tmp / f"{name}.png"
    subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={tmp / ('profile-' + name)}",
            "--window-size=200,200",
            "--hide-scrollbars",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return shot.read_bytes()


def test_chinese_text_renders_as_glyphs_not_boxes(tmp_path: Path) -> None:
    exe = chromium_or_skip()
    # the detector: characters no font covers are drawn as identical boxes
    assert _shot(exe, tmp_path, "pua1", "\ue000") == _shot(exe, tmp_path, "pua2", "\ue001")
    # Chinese characters of the report must be real, distinct glyphs
    a, b = _shot(exe, tmp_path, "wen", "稳"), _shot(exe, tmp_path, "ping", "评")
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    assert a != b, "Chinese characters render as empty boxes: install a CJK font (Debian: fonts-noto-cjk)"
