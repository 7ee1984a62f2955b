"""``riskeval bulletin LEDGER --month 2026-11 [--out bulletin.docx|.html] [--format text|json] [--lang zh|en]``.

A shell over :func:`riskeval.bulletin.build_bulletin` and :func:`riskeval.bulletin.render.write_bulletin`:
the ledger is opened read-only and verified first; the command group reports riskeval's errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from ..i18n import normalize_lang, t
from ..ledger import Ledger
from ..ledger.views import unsigned_note
from .common import Lang, LangOption

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("bulletin")
    def bulletin_cmd(
        ledger: Annotated[str, typer.Argument(help="台账文件（SQLite）/ ledger file")],
        month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM，如 2026-11")],
        out: Annotated[Path | None, typer.Option("--out", help="输出文件：.docx 或 .html")] = None,
        public_key: Annotated[
            Path | None,
            typer.Option("--public-key", envvar="RISKEVAL_PUBLIC_KEY", help="核验用公钥 signing.pub / public key"),
        ] = None,
        format: Annotated[Literal["text", "json"], typer.Option("--format", help="text | json（标准输出）")] = "text",
        lang: LangOption = Lang.zh,
    ) -> None:
        """社会稳定风险预警参考（月度）：由台账生成。/ The monthly early-warning bulletin, from the ledger alone."""
        from ..bulletin import build_bulletin
        from ..bulletin.render import bulletin_text, check_suffix, write_bulletin

        code = normalize_lang(lang)
        if out is not None:
            check_suffix(out)
        source = Ledger(ledger, create=False, read_only=True, public_key=public_key)
        note = unsigned_note(source, code)
        if note is not None:
            typer.echo(note, err=True)
        bulletin = build_bulletin(source, month, lang=code)
        if out is not None:
            written = write_bulletin(bulletin, out, code)
        if format == "json":
            typer.echo(json.dumps(bulletin.model_dump(mode="json"), ensure_ascii=False, indent=2))
        else:
            typer.echo("\n".join(bulletin_text(bulletin, code)))
        if out is not None:
            typer.echo(t("bulletin.written", code, out=str(written)), err=format == "json")
