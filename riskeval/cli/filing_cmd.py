"""``riskeval filing verify|import|status`` and the body of ``riskeval ledger export --filing``.

A shell over :mod:`riskeval.filing`: refusals (a tampered, replayed, out-of-order or
non-continuing package) travel as :class:`~riskeval.RiskevalError` to the command group (exit 1);
an unreadable package or registry exits 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from ..filing import FilingTampered, Registry, export_filing, import_filing, verify_filing
from ..i18n import normalize_lang, register_messages, t
from .common import LangOption

__all__ = ["export_filing_command", "register"]

register_messages(
    {
        "fcmd.exported": {
            "zh": "已写出备案包 {out}：第 {since}–{size} 号记录（{count} 条），衔接哈希 {link}，链头 {head}\n单位公钥指纹 {key}",
            "en": "filing package written to {out}: records #{since}–#{size} ({count}), link {link}, head {head}\n"
            "unit key fingerprint {key}",
        },
    }
)

Format = Literal["text", "json"]
FormatOption = Annotated[Format, typer.Option("--format", help="text | json")]
PackageArg = Annotated[Path, typer.Argument(help="备案包 FILING.zip / filing package")]
RegistryOption = Annotated[Path, typer.Option("--registry", help="备案登记库（SQLite）/ registry of filings")]


def export_filing_command(ledger: str, since: int, out: str, public_key: Path | None, format: str, lang: str) -> None:
    """``riskeval ledger export LEDGER --filing --since SEQ --out FILING.zip``."""
    summary = export_filing(ledger, since, out, public_key=public_key)
    if format == "json":
        typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(
        t(
            "fcmd.exported", lang, out=out, since=summary.since, size=summary.size, count=summary.count,
            link=summary.link[:16], head=summary.head[:16], key=summary.key_id,
        )
    )


def register(app: typer.Typer) -> None:
    """Add the ``filing`` group to ``app``."""
    filing_app = typer.Typer(help="备案：核验与登记上报的台账段。/ Filings with the level above.", no_args_is_help=True)
    app.add_typer(filing_app, name="filing")

    @filing_app.command("verify")
    def verify_cmd(
        package: PackageArg,
        public_key: Annotated[
            Path | None, typer.Option("--public-key", help="单位公钥（默认用包内公钥）/ the unit's public key")
        ] = None,
        format: FormatOption = "text",
        lang: LangOption = "zh",
    ) -> None:
        """核验备案包：记录哈希、哈希链、检查点签名、一致性证明、清单。/ Verify a filing package."""
        lang = normalize_lang(lang)
        report = verify_filing(package, public_key=public_key)
        if format == "json":
            typer.echo(json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2))
            if not report.ok:
                raise typer.Exit(1)
            return
        if not report.ok:
            raise FilingTampered(report)
        typer.echo(report.message(lang))

    @filing_app.command("import")
    def import_cmd(
        package: PackageArg,
        registry: RegistryOption,
        label: Annotated[str | None, typer.Option("--label", help="单位名称（登记用）/ the unit's name")] = None,
        format: FormatOption = "text",
        lang: LangOption = "zh",
    ) -> None:
        """核验并登记备案包；拒绝篡改、重复、跳号与不衔接的包，报告断档。/ Verify and register a filing."""
        lang = normalize_lang(lang)
        result = import_filing(package, registry, label=label)
        if format == "json":
            typer.echo(json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2))
        else:
            typer.echo(result.message(lang))

    @filing_app.command("status")
    def status_cmd(registry: RegistryOption, lang: LangOption = "zh") -> None:
        """列出登记库中的备案单位、备案进度与断档。/ List the units of a registry and their gaps."""
        lang = normalize_lang(lang)
        with Registry(registry, create=False) as reg:
            units = reg.units()
        if not units:
            typer.echo(t("filing.no_units", lang))
        for unit in units:
            typer.echo(unit.message(lang))
