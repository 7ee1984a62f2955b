"""expert_pool's user-facing text lives in the one catalogue: every code it uses is registered in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import expert_pool
import expert_pool.assign.files
import expert_pool.review.workflow  # noqa: F401 - registers its messages
from riskeval.i18n import t

SOURCE = Path(expert_pool.__file__).parent
CODE = re.compile(r"""["'](pool\.[a-z_]+(?:\.[a-z_0-9]+)*)["']""")


def _codes() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        found |= set(CODE.findall(path.read_text(encoding="utf-8")))
    return {c for c in found if c.rsplit(".", 1)[-1] not in ("yaml", "csv", "json", "jsonl", "xlsx")}  # file names


def test_every_literal_code_is_registered_in_both_languages() -> None:
    codes = _codes()
    assert len(codes) > 80
    for code in sorted(codes):
        zh, en = t(code, "zh"), t(code, "en")
        assert zh != code and en != code, f"{code} is not in the catalogue"


@pytest.mark.parametrize("reason", ["not_integer", "not_number", "not_boolean", "empty", "exceeds_max_load",
                                    "not_list", "not_mapping", "not_project", "invalid", "unknown_key",
                                    "bad_category", "not_whole", "too_small", "not_text", "min_over_max"])
def test_invalid_value_reasons_render(reason: str) -> None:
    err = expert_pool.InvalidValueError("f", "v", reason, minimum=0, max_load=1, detail="d", key="k", choices="c", limit=0,
                                        file="E.csv", row=2)
    assert err.code == f"pool.invalid_value.{reason}"
    assert err.message("zh") != err.message("en")
    assert "{" not in err.message("zh") and "{" not in err.message("en")


def test_no_inline_language_branches() -> None:
    pattern = re.compile(r"""lang\s*[!=]=\s*["'](en|zh)["']|if en\b""")
    offenders = [str(p.relative_to(SOURCE)) for p in SOURCE.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    review_cmd = SOURCE.parent / "riskeval" / "cli" / "review_cmd.py"
    if pattern.search(review_cmd.read_text(encoding="utf-8")):
        offenders.append("riskeval/cli/review_cmd.py")
    assert offenders == []
