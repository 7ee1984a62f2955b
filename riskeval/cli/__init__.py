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

def _new_app() -> typer.Typer:
    """The root command group (no commands yet)."""
    root = typer.Typer(
        name="riskeval",
        cls=RiskevalGroup,
        help="社会稳定风险评估（稳评）：规则集校验、评估、批量评估、前置门槛与台账。/ Social-stability risk assessment.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
    )
    root.callback()(_root)
    return root


# The command modules; a module that fails to import is an error, never a command silently missing.
COMMAND_MODULES = (
    "riskeval.cli.rules_cmd",
    "riskeval.cli.check_cmd",
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


def _root(
    version: Annotated[
        bool, typer.Option("--version", help="显示版本 / show the version", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """社会稳定风险评估（稳评）/ Social-stability risk assessment of major decisions."""


#: Commands whose start-up matters (``riskeval batch`` on a long list is timed end to end): ``main`` loads
#: only their module, so that the other commands' imports (expert_pool, scipy, the service) are not paid.
FAST_COMMANDS = {"batch": "riskeval.cli.batch_cmd", "diff": "riskeval.cli.batch_cmd"}

_APP: typer.Typer | None = None


def _full_app() -> typer.Typer:
    global _APP
    if _APP is None:
        import importlib

        root = _new_app()
        for module in COMMAND_MODULES:
            importlib.import_module(module).register(root)
        _APP = root
    return _APP


def __getattr__(name: str) -> typer.Typer:
    # ``app``, the group with every command, is built on first use (importing this package stays cheap).
    if name == "app":
        return _full_app()
    raise AttributeError(name)


def main() -> None:
    """Entry point of the process: errors are reported by the command group, never as a traceback
    (``RISKEVAL_DEBUG=1`` shows one for internal errors).  Like every command it ends the process; ``batch``
    and ``diff`` end it without the interpreter's teardown (:func:`riskeval._startup.exit_now`), so a caller
    cannot catch their ``SystemExit``: run them through :data:`app` (or a subprocess) instead."""
    import sys

    from .._startup import exit_code, exit_now, paused_gc

    module = FAST_COMMANDS.get(sys.argv[1]) if len(sys.argv) > 1 else None
    with paused_gc():  # the imports and the command group: long-lived objects only
        if module is not None:
            import importlib

            root = _new_app()
            importlib.import_module(module).register(root)
        else:
            root = _full_app()
    if module is None:
        root()
        return
    # A fast command has closed its outputs when it returns: the process ends without the interpreter's
    # teardown (0.1-0.35 s after a batch), see riskeval._startup.exit_now.
    try:
        root()
    except SystemExit as exc:
        code = exit_code(exc.code)
    else:
        code = 0
    exit_now(code)
