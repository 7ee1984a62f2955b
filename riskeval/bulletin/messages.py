"""The bulletin's words (zh default, en), registered in the one catalogue."""

from __future__ import annotations

from ..i18n import register_messages

__all__: list[str] = []

register_messages(
    {
        "bulletin.title": {"zh": "社会稳定风险预警参考（{year}年{month}月）", "en": "Social-stability risk: Early-warning bulletin ({year}-{month:02d})"},
        "bulletin.meta.head": {
            "zh": "依据：台账第 1–{seq} 号记录（截至月末），链头哈希 {head}",
            "en": "Made from ledger records 1–{seq} (up to the month's end), head hash {head}",
        },
        "bulletin.meta.period": {"zh": "统计期：{start} 至 {end}（北京时间）", "en": "Period: {start} to {end} (UTC+08:00)"},
        "bulletin.meta.ruleset": {"zh": "规则集：{ruleset}", "en": "Rule set: {ruleset}"},
        "bulletin.html_lang": {"zh": "zh-CN", "en": "en"},
        "bulletin.unknown": {"zh": "（未填写）", "en": "(not given)"},
        "bulletin.none": {"zh": "（无）", "en": "(none)"},
        "bulletin.level.out_of_scope": {"zh": "不属于须评估事项", "en": "out of scope"},
        "bulletin.s.new": {"zh": "一、本月新增评估事项", "en": "1. Matters newly assessed this month"},
        "bulletin.s.escalated": {"zh": "二、跟踪评估中风险升级的事项", "en": "2. Matters escalated by tracking"},
        "bulletin.s.awaiting": {"zh": "三、待决策的中、高风险事项", "en": "3. High- and medium-risk matters awaiting a decision"},
        "bulletin.s.decisions": {"zh": "四、本月作出的决策", "en": "4. Decisions taken this month"},
        "bulletin.s.overdue": {"zh": "五、逾期未完成的防范化解措施", "en": "5. Overdue risk-mitigation measures"},
        "bulletin.s.trend": {"zh": "六、近 12 个月趋势", "en": "6. The last 12 months"},
        "bulletin.s.watch": {"zh": "七、需重点关注的事项", "en": "7. Matters to watch"},
        "bulletin.lead.new": {"zh": "本月新增评估事项 {total} 项。", "en": "{total} matters were newly assessed this month."},
        "bulletin.lead.escalated": {
            "zh": "本月跟踪评估发现风险等级高于决策时等级的事项 {count} 项，其后续决策以跟踪评估为准。",
            "en": "{count} matters were tracked above their level at the decision; further decisions on them rest on the tracking.",
        },
        "bulletin.lead.awaiting": {
            "zh": "截至 {end}，评估为中、高风险且尚未决策的事项 {count} 项。",
            "en": "At {end}, {count} high- or medium-risk matters were assessed and not decided on.",
        },
        "bulletin.lead.decisions": {"zh": "本月记入台账的决策 {count} 项。", "en": "{count} decisions were recorded this month."},
        "bulletin.lead.overdue": {
            "zh": "截至 {end}，已决策事项中超过完成时限仍未完成的措施 {count} 项（完成时限非日期者，如“开工前”，不计逾期）。",
            "en": "At {end}, {count} measures of decided matters were past their due date and not done (a due that is "
            "not a date, such as 开工前, is never overdue).",
        },
        "bulletin.lead.trend": {
            "zh": "每月新增评估事项按风险等级分列，柱顶数字为合计，“↑”为当月风险升级事项数。",
            "en": "Matters newly assessed each month by level; the total tops each column, ↑ the escalations.",
        },
        "bulletin.lead.watch": {
            "zh": "本月风险升级、高风险待决策、或措施逾期 30 天以上的中高风险事项；风险因素取自台账中的评估记录。",
            "en": "Escalated this month, high risk awaiting a decision, or medium/high risk with a measure 30+ days "
            "overdue; the risk factors come from the assessment in the ledger.",
        },
        "bulletin.by.level": {"zh": "按风险等级", "en": "By level"},
        "bulletin.by.kind": {"zh": "按事项类型", "en": "By kind"},
        "bulletin.by.unit": {"zh": "按申报单位", "en": "By unit"},
        "bulletin.by.location": {"zh": "按地点", "en": "By location"},
        "bulletin.col.level": {"zh": "风险等级", "en": "level"},
        "bulletin.col.count": {"zh": "事项数", "en": "matters"},
        "bulletin.col.kind": {"zh": "事项类型", "en": "kind"},
        "bulletin.col.unit": {"zh": "申报单位", "en": "unit"},
        "bulletin.col.location": {"zh": "地点", "en": "location"},
        "bulletin.col.id": {"zh": "编号", "en": "id"},
        "bulletin.col.name": {"zh": "事项名称", "en": "matter"},
        "bulletin.col.previous": {"zh": "决策时等级", "en": "at the decision"},
        "bulletin.col.record": {"zh": "台账记录", "en": "record"},
        "bulletin.col.date": {"zh": "日期", "en": "date"},
        "bulletin.col.note": {"zh": "备注", "en": "note"},
        "bulletin.col.conclusion": {"zh": "评估结论", "en": "conclusion"},
        "bulletin.col.assessed": {"zh": "评估日期（记录）", "en": "assessed (record)"},
        "bulletin.col.waiting": {"zh": "已等待天数", "en": "days waiting"},
        "bulletin.col.outcome": {"zh": "决策内容", "en": "decision"},
        "bulletin.col.basis": {"zh": "依据的评估", "en": "resting on"},
        "bulletin.col.measure": {"zh": "措施", "en": "measure"},
        "bulletin.col.owner": {"zh": "责任主体", "en": "owner"},
        "bulletin.col.due": {"zh": "完成时限", "en": "due"},
        "bulletin.col.status": {"zh": "状态", "en": "status"},
        "bulletin.col.days": {"zh": "逾期天数", "en": "days overdue"},
        "bulletin.col.month": {"zh": "月份", "en": "month"},
        "bulletin.col.escalations": {"zh": "↑ 风险升级", "en": "↑ escalated"},
        "bulletin.col.decisions": {"zh": "决策", "en": "decisions"},
        "bulletin.col.grounds": {"zh": "关注原因", "en": "grounds"},
        "bulletin.col.why": {"zh": "主要风险因素", "en": "main risk factors"},
        "bulletin.ground.escalated": {"zh": "本月风险升级", "en": "escalated this month"},
        "bulletin.ground.awaiting": {"zh": "高风险待决策", "en": "high risk awaiting a decision"},
        "bulletin.ground.overdue": {"zh": "措施逾期 30 天以上", "en": "a measure 30+ days overdue"},
        "bulletin.color.high": {"zh": "红", "en": "red"},
        "bulletin.color.medium": {"zh": "橙", "en": "orange"},
        "bulletin.color.low": {"zh": "绿", "en": "green"},
        "bulletin.color.out_of_scope": {"zh": "灰", "en": "grey"},
        "bulletin.legend_item": {"zh": "{name}（{color}）", "en": "{name} ({color})"},
        "bulletin.legend": {
            "zh": "图例：{legend}；紫色小块为当月风险升级事项数。各月数字见下表。",
            "en": "Legend: {legend}; purple marks count the month's escalations. The figures are in the table below.",
        },
        "bulletin.bad_suffix": {
            "zh": "输出文件 {path} 的扩展名应为 .docx 或 .html",
            "en": "the output file {path} must end in .docx or .html",
        },
        "bulletin.text.summary": {
            "zh": "本月新增评估 {total} 项（高 {high}、中 {medium}、低 {low}）；风险升级 {escalated} 项；中高风险待决策 {awaiting} 项；"
            "决策 {decisions} 项；逾期措施 {overdue} 项；重点关注 {watch} 项。",
            "en": "{total} newly assessed (high {high}, medium {medium}, low {low}); {escalated} escalated; {awaiting} "
            "high/medium awaiting a decision; {decisions} decisions; {overdue} overdue measures; {watch} to watch.",
        },
        "bulletin.text.escalated": {
            "zh": "  风险升级：{id} {name}（{previous} → {level}，第 {seq} 号记录）",
            "en": "  escalated: {id} {name} ({previous} → {level}, record #{seq})",
        },
        "bulletin.written": {"zh": "已写出：{out}", "en": "written: {out}"},
    }
)
