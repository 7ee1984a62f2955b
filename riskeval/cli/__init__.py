"""The ``riskeval`` command: a thin shell over the library.

Each command group lives in its own module with a ``register(app)`` function.
"""

from __future__ import annotations

import os
import sys

import typer

from ..i18n import register_messages, t

__all__ = ["app", "main"]

register_messages(
    {
        "cli.unexpected": {
            "zh": "内部错误（{kind}）：{detail}。请把输入文件和此信息报告给维护者。",
            "en": "internal error ({kind}): {detail}. Please report it with the input files.",
        },
        "cli.interrupted": {"zh": "已中断", "en": "interrupted"},
    }
)

app = typer.Typer(
    name="riskeval",
    help="社会稳定风险评估（稳评）：规则集校验、评估、批量评估、前置门槛与台账。/ Social-stability risk assessment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    from . import assess_cmd, rules_cmd

    rules_cmd.register(app)
    assess_cmd.register(app)
    for module in ("riskeval.cli.batch_cmd", "riskeval.cli.ledger_cmd", "riskeval.cli.review_cmd", "expert_pool.cli"):
        try:
            mod = __import__(module, fromlist=["register"])
        except ImportError:
            continue
        mod.register(app)


_register_all()


def main() -> None:
    """Entry point: never a traceback for the user (set RISKEVAL_DEBUG=1 to see one)."""
    lang = "en" if "--lang" in sys.argv and sys.argv[sys.argv.index("--lang") + 1 :][:1] == ["en"] else "zh"
    try:
        app()
    except KeyboardInterrupt:
        typer.echo(t("cli.interrupted", lang), err=True)
        sys.exit(130)
    except Exception as exc:  # pragma: no cover - last resort
        if os.environ.get("RISKEVAL_DEBUG"):
            raise
        typer.echo(t("cli.unexpected", lang, kind=type(exc).__name__, detail=str(exc)[:500]), err=True)
        sys.exit(3)
