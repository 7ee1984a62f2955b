"""``riskeval gate track`` and ``riskeval gate measure``: tracking during implementation and measure status.

Thin shells over :meth:`riskeval.gate.Gate.track` and :func:`riskeval.gate.tracking.append_measure`;
the command group reports riskeval's errors (a refusal exits 1, an unknown id 2).
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..gate.tracking import append_measure, tracking_info
from ..i18n import normalize_lang, register_messages, t
from ..ledger import Ledger
from .common import LangOption, RulesOption
from .ledger_cmd import (
    LedgerArg,
    LedgerOption,
    PanelOption,
    PublicKeyOption,
    RequireSignedOption,
    SigningKeyOption,
    _echo_appended,
    _handled,
    _note,
    _open_gate,
)

__all__ = ["register_tracking"]

register_messages(
    {
        "tcmd.escalated": {
            "zh": "风险升级：决策时为{previous}，现为{level}；此后的决策以本次跟踪评估为准。",
            "en": "escalated: {previous} at the decision, {level} now; further decisions rest on this tracking.",
        },
        "tcmd.not_escalated": {"zh": "未升级（决策时为{previous}，现为{level}）。", "en": "not escalated ({previous} at the decision, {level} now)."},
        "tcmd.none": {"zh": "不属于须评估事项", "en": "out of scope"},
    }
)

StatusOption = Annotated[str, typer.Option("--status", help="planned | in_progress | done")]
NoteOption = Annotated[str | None, typer.Option("--note", help="备注 / a note kept in the record")]


def _level(level: str | None, lang: str) -> str:
    return t(f"level.{level}", lang) if level else t("tcmd.none", lang)


def register_tracking(gate_app: typer.Typer) -> None:
    """Add ``track`` and ``measure`` to the ``gate`` group."""

    @gate_app.command("track")
    @_handled
    def gate_track_cmd(
        project: Annotated[str, typer.Argument(help="实施中的项目文件（同一编号，新的事实）/ the matter as observed now")],
        rules: RulesOption,
        ledger: LedgerOption,
        actor: Annotated[str, typer.Option("--actor", help="跟踪评估人 / who tracks")],
        note: NoteOption = None,
        signing_key: SigningKeyOption = None,
        public_key: PublicKeyOption = None,
        require_signed: RequireSignedOption = False,
        panel: PanelOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """跟踪评估：决策实施中重新评估并记入台账（风险升级时注明）。/ Track a decided matter."""
        lang = normalize_lang(lang)
        gate, proj = _open_gate(project, rules, ledger, signing_key, public_key, require_signed, panel, lang)
        gate.track(proj, actor=actor, note=note)
        assert gate.last_record is not None
        _echo_appended(gate.last_record, lang)
        info = tracking_info(gate.last_record)
        key = "tcmd.escalated" if info.get("escalated") else "tcmd.not_escalated"
        typer.echo(t(key, lang, previous=_level(info.get("previous_level"), lang), level=_level(info.get("level"), lang)))

    @gate_app.command("measure")
    @_handled
    def gate_measure_cmd(
        path: LedgerArg,
        project_id: Annotated[str, typer.Argument(help="项目编号 / project id")],
        measure_id: Annotated[str, typer.Argument(help="措施编号 / measure id")],
        status: StatusOption,
        actor: Annotated[str, typer.Option("--actor", help="报告人 / who reports")],
        note: NoteOption = None,
        signing_key: SigningKeyOption = None,
        public_key: PublicKeyOption = None,
        require_signed: RequireSignedOption = False,
        lang: LangOption = "zh",
    ) -> None:
        """记入措施落实状态（planned / in_progress / done）。/ Record a measure's status."""
        lang = normalize_lang(lang)
        ledger = Ledger(path, create=False, signing_key=signing_key, public_key=public_key, require_signed=require_signed)
        _note(ledger, lang)
        record = append_measure(ledger, project_id, measure_id, status, actor, note)
        _echo_appended(record, lang)

