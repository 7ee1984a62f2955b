"""The ``riskeval`` command: a thin shell over the library.

Each command group lives in its own module with a ``register(app)`` function. Errors become
messages and exit codes in one place, :class:`~riskeval.cli.common.RiskevalGroup`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import register_messages
from .common import RiskevalGroup

__all__ = ["app", "main"]

register_messages({"cli.version": {"zh": "riskeval {version}", "en": "riskeval {version}"}})

app = typer.Typer(
    name="riskeval",
    cls=RiskevalGroup,
    help="社会稳定风险评估（稳评）：规则集校验、评估、批量评估、前置门槛与台账。/ Social-stability risk assessment.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

# The command modules; a module that fails to import is an error, never a command silently missing.
COMMAND_MODULES = (
    "riskeval.cli.rules_cmd",
    "riskeval.cli.assess_cmd",
    "riskeval.cli.report_cmd",
    "riskeval.cli.batch_cmd",
    "riskeval.cli.template_cmd",
    "riskeval.cli.ledger_cmd",
    "riskeval.cli.filing_cmd",
    "riskeval.cli.review_cmd",
    "riskeval.cli.serve_cmd",
    "riskeval.cli.bulletin_cmd",
    "expert_pool.cli",
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"riskeval {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="显示版本 / show the version", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """社会稳定风险评估（稳评）/ Social-stability risk assessment of major decisions."""


def _register_all() -> None:
    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(app)


_register_all()


def main() -> None:
    """Entry point: errors are reported by the command group, never as a traceback (``RISKEVAL_DEBUG=1``
    shows one for internal errors)."""
    app()
