"""Shared CLI pieces: the --lang option, and the one place where errors become messages and exit codes.

Every command of ``riskeval`` runs inside :class:`RiskevalGroup`, which turns a
:class:`~riskeval.errors.RiskevalError` into its rendered message (in the chosen language) and the
exit code of :func:`~riskeval.errors.exit_code_for`, and wraps click's usage errors in a catalogue
message (exit 2). Commands therefore just call the library and let its errors travel.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

try:  # typer 0.2x vendors click; older releases use click itself
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover
    from click import exceptions as _cx  # type: ignore[no-redef]

from ..errors import EXIT_INTERNAL, EXIT_USAGE, RiskevalError, exit_code_for
from ..i18n import normalize_lang, register_messages, t

__all__ = ["Lang", "LangOption", "RiskevalGroup", "fail", "lang_from_args"]

register_messages(
    {
        "cli.ruleset_errors": {"zh": "规则集有错误：", "en": "the rule set has errors:"},
        "cli.project_errors": {"zh": "项目数据有错误：", "en": "the project data have errors:"},
        "cli.refused": {"zh": "门槛：不通过", "en": "gate: refused"},
        "cli.usage": {
            "zh": "用法错误：{detail}\n运行 “{command} --help” 查看用法。",
            "en": "usage error: {detail}\nRun '{command} --help' for usage.",
        },
        "cli.unexpected": {
            "zh": "内部错误（{kind}）：{detail}。这是 riskeval 的缺陷，请把输入文件和此信息报告给维护者。",
            "en": "internal error ({kind}): {detail}. This is a bug in riskeval: please report it with the input files.",
        },
        "cli.interrupted": {"zh": "已中断", "en": "interrupted"},
        "cli.aborted": {"zh": "已取消", "en": "aborted"},
    }
)


class Lang(StrEnum):
    """Output language of the command line (``RISKEVAL_LANG`` sets the default)."""

    zh = "zh"
    en = "en"


def _check_lang(value: str) -> str:
    choices = [lang.value for lang in Lang]
    if value is None or value.lower() not in choices:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(choices)}")
    return value.lower()


ProjectFileArg = Annotated[str, typer.Argument(help="项目文件（YAML 或 JSON）")]
RulesOption = Annotated[str, typer.Option("--rules", help="规则集名称或文件")]
LangOption = Annotated[
    str,
    typer.Option(
        "--lang", help="输出语言 zh|en / output language", envvar="RISKEVAL_LANG", callback=_check_lang, metavar="zh|en"
    ),
]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` on stderr and exit with ``code``."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _raised_by(exc: RiskevalError, module: str, name: str) -> bool:
    """Whether ``exc`` is a ``module.name``; a module not imported yet cannot have raised it (so the CLI
    does not import the gate, the rule sets or the project check just to classify an error)."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(exc, getattr(loaded, name))


def _header(exc: RiskevalError, lang: str) -> str:
    if _raised_by(exc, "riskeval.gate.errors", "GateError"):
        return t("cli.refused", lang) + "\n"
    if _raised_by(exc, "riskeval.ruleset.problems", "RuleSetError") and len(exc.problems) > 0:
        return t("cli.ruleset_errors", lang) + "\n"
    if _raised_by(exc, "riskeval.check", "ProjectError") and len(exc.problems) > 0:
        return t("cli.project_errors", lang) + "\n"
    return ""


def lang_from_args(args: Sequence[str]) -> str:
    """The ``--lang`` value among ``args`` (or ``RISKEVAL_LANG``), for messages printed before parsing."""
    args = list(args)
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return normalize_lang(args[i + 1])
        if arg.startswith("--lang="):
            return normalize_lang(arg.split("=", 1)[1])
    return normalize_lang(os.environ.get("RISKEVAL_LANG"))


class RiskevalGroup(TyperGroup):
    """The command group: library errors and usage errors become messages and exit codes here."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        lang = lang_from_args(argv)
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except RiskevalError as exc:
            typer.echo(_header(exc, lang) + exc.render(lang), err=True)
            code = exit_code_for(exc)
        except _cx.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx is not None else (prog_name or "riskeval")
            typer.echo(t("cli.usage", lang, detail=exc.format_message(), command=command), err=True)
            code = EXIT_USAGE
        except _cx.ClickException as exc:
            typer.echo(t("cli.usage", lang, detail=exc.format_message(), command=prog_name or "riskeval"), err=True)
            code = exc.exit_code
        except typer.Abort:
            typer.echo(t("cli.aborted", lang), err=True)
            code = 1
        except KeyboardInterrupt:
            typer.echo(t("cli.interrupted", lang), err=True)
            code = 130
        except Exception as exc:
            if os.environ.get("RISKEVAL_DEBUG"):
                raise
            typer.echo(t("cli.unexpected", lang, kind=type(exc).__name__, detail=str(exc)[:500]), err=True)
            code = EXIT_INTERNAL
        if standalone_mode:
            sys.exit(code)
        return code
