"""The body of ``riskeval audit LEDGER --decisions D --scheme S --period P [--out audit.xlsx]`` (考核).

A shell over :func:`riskeval.kaohe.score_units`: prints the ranking and every deduction (text, or
JSON with ``--format json``) and writes the workbook when ``--out`` is given.
"""

from __future__ import annotations

import json
from datetime import tzinfo
from pathlib import Path

import typer

from ..i18n import register_messages, t
from ..kaohe import load_scheme, parse_period, score_units, write_audit_xlsx
from ..ledger import Ledger

__all__ = ["audit_scheme_command"]

register_messages(
    {
        "kcmd.period_needed": {
            "zh": "--scheme 与 --period（如 2026）须同时给出；--out 只用于 --scheme",
            "en": "--scheme and --period (e.g. 2026) go together; --out is for --scheme only",
        },
        "kcmd.written": {"zh": "考核结果已写入 {out}", "en": "audit written to {out}"},
    }
)


def audit_scheme_command(
    ledger: Ledger, decisions: str, scheme: Path, period: str, zone: tzinfo, out: Path | None, format: str, lang: str
) -> None:
    """Score, print, and write the workbook."""
    result = score_units(ledger, decisions, load_scheme(scheme), parse_period(period), tz=zone, lang=lang)
    if out is not None:
        write_audit_xlsx(result, out, lang)
    if format == "json":
        typer.echo(json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2))
    else:
        typer.echo(result.message(lang))
    if out is not None:
        typer.echo(t("kcmd.written", lang, out=str(out)), err=True)
