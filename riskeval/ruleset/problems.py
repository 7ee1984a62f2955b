"""Problems found in rule files and projects, each with a file position and a message key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..errors import EXIT_USAGE, Location, RiskevalError
from ..i18n import register_messages, t

register_messages(
    {
        "ruleset.invalid": {"zh": "规则集有错误", "en": "the rule set has errors"},
        "ruleset.not_found_error": {"zh": "找不到规则集", "en": "rule set not found"},
    }
)

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
        tag = "" if self.severity == "error" else t("severity.warning", lang)
        return f"{self.file}:{self.line}:{self.column}: {tag}{self.message(lang)}"

    @property
    def location(self) -> Location:
        return Location(file=self.file, line=self.line, column=self.column)

    def to_dict(self, lang: str = "zh") -> dict[str, object]:
        """``{"code", "severity", "message", "location"}`` as plain JSON data."""
        from ..errors import jsonable

        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message(lang),
            "params": jsonable(self.params),
            "location": self.location.to_dict(),
        }


class RuleSetError(RiskevalError):
    """A rule set that cannot be used; ``problems`` lists every error found (``file:line:column``)."""

    code = "ruleset.invalid"
    problems: list[Problem]

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0] if problems else None
        super().__init__(location=first.location if first is not None else None, problems=problems)

    def message(self, lang: str | None = "zh") -> str:
        if len(self.problems) == 1:
            return self.problems[0].message(lang or "zh")
        return super().message(lang)

    def render(self, lang: str = "zh") -> str:
        return "\n".join(p.render(lang) for p in self.problems)


class RuleSetNotFound(RuleSetError):
    """Neither a file nor a bundled rule set of that name."""

    exit_code = EXIT_USAGE
