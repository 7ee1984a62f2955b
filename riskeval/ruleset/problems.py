"""Problems found in rule files and projects, each with a file position and a message key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..i18n import t

__all__ = ["Problem", "RuleSetError", "RuleSetNotFound"]


@dataclass(frozen=True)
class Problem:
    """One problem: ``file:line:column: message`` once rendered."""

    file: str
    line: int
    column: int
    code: str
    params: dict[str, object] = field(default_factory=dict)
    severity: Literal["error", "warning"] = "error"

    def message(self, lang: str = "zh") -> str:
        params = {k: (v.short(lang) if hasattr(v, "short") else v) for k, v in self.params.items()}
        suggestion = params.get("suggestion")
        if "hint" not in params:
            params["hint"] = t("schema.hint", lang, suggestion=suggestion) if suggestion else ""
        return t(self.code, lang, **params)

    def render(self, lang: str = "zh") -> str:
        tag = "" if self.severity == "error" else ("警告：" if lang != "en" else "warning: ")
        return f"{self.file}:{self.line}:{self.column}: {tag}{self.message(lang)}"


class RuleSetError(Exception):
    """A rule set that cannot be used; ``problems`` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render("en") for p in problems))

    def render(self, lang: str = "zh") -> str:
        return "\n".join(p.render(lang) for p in self.problems)


class RuleSetNotFound(RuleSetError):
    """Neither a file nor a bundled rule set of that name."""
