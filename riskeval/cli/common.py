"""Shared CLI pieces: the --lang option and error reporting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from ..check import ProjectError
from ..engine import EngineError
from ..i18n import normalize_lang, register_messages, t
from ..ruleset import RuleSetError, load_ruleset
from ..ruleset.ruleset import RuleSet

__all__ = ["LangOption", "fail", "load_rules_or_exit", "guarded"]

register_messages(
    {
        "cli.ruleset_errors": {"zh": "规则集有错误：", "en": "the rule set has errors:"},
        "cli.project_errors": {"zh": "项目数据有错误：", "en": "the project data have errors:"},
        "cli.engine_error": {"zh": "规则引擎异常，拒绝给出结论：{detail}", "en": "rule engine anomaly, no conclusion given: {detail}"},
    }
)

LangOption = Annotated[str, typer.Option("--lang", help="输出语言 zh|en / output language")]

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def load_rules_or_exit(name: str, lang: str) -> RuleSet:
    try:
        return load_ruleset(name)
    except RuleSetError as exc:
        fail(t("cli.ruleset_errors", lang) + "\n" + exc.render(normalize_lang(lang)), 2)


def report_error(exc: Exception, lang: str) -> NoReturn:
    lang = normalize_lang(lang)
    if isinstance(exc, RuleSetError):
        fail(t("cli.ruleset_errors", lang) + "\n" + exc.render(lang), 2)
    if isinstance(exc, ProjectError):
        fail(t("cli.project_errors", lang) + "\n" + exc.render(lang), 1)
    if isinstance(exc, EngineError):
        fail(t("cli.engine_error", lang, detail=str(exc)), 3)
    raise exc


def guarded(func: F) -> F:
    """Turn library errors into messages and exit codes."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (RuleSetError, ProjectError, EngineError) as exc:
            report_error(exc, str(kwargs.get("lang", "zh")))

    return wrapper  # type: ignore[return-value]
