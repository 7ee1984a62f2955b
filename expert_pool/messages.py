"""The catalogue texts of expert_pool's errors (:mod:`riskeval.i18n`), registered on import.

Keys are the stable error codes (``pool.missing_column``, ``pool.invalid_value.not_integer``, ...);
messages of other parts register next to their code (``pool.reason.*`` in
:mod:`expert_pool.assign.reasons`, ``pool.score_row.*`` in :mod:`expert_pool.review.scores`, ...).

Examples
--------
>>> from riskeval.i18n import t
>>> t("pool.unknown_reference.unit", "en", value="U9")
"unknown unit 'U9'"
"""

from __future__ import annotations

from riskeval.i18n import register_messages

__all__: list[str] = []

register_messages(
    {
        "pool.error": {"zh": "专家库错误", "en": "expert pool error"},
        "pool.file.reader": {"zh": "{detail}", "en": "{detail}"},
        "pool.row.unreadable": {"zh": "{detail}", "en": "{detail}"},
        "pool.list.sep": {"zh": "、", "en": ", "},
        "pool.list.clause_sep": {"zh": "；", "en": "; "},
        "pool.where.line_field": {"zh": "{where}，字段“{field}”", "en": "{where}, field '{field}'"},
        # files that cannot be read at all
        "pool.file.not_found": {"zh": "文件不存在", "en": "file not found"},
        "pool.file.is_directory": {"zh": "路径是目录而不是文件", "en": "path is a directory, not a file"},
        "pool.file.not_utf8": {"zh": "文件不是 UTF-8 编码", "en": "file is not UTF-8 encoded"},
        "pool.file.unreadable": {"zh": "无法读取：{detail}", "en": "cannot read: {detail}"},
        "pool.file.empty": {"zh": "文件为空（缺少表头）", "en": "file is empty (no header row)"},
        "pool.file.csv_syntax": {"zh": "CSV 格式错误：{detail}", "en": "malformed CSV: {detail}"},
        "pool.file.json_syntax": {"zh": "JSON 语法错误：{detail}", "en": "JSON syntax error: {detail}"},
        "pool.file.yaml_syntax": {"zh": "YAML 语法错误：{detail}", "en": "YAML syntax error: {detail}"},
        "pool.file.pool_top_level": {
            "zh": "顶层应为映射（含 units 与 experts）",
            "en": "top level should be a mapping with units and experts",
        },
        "pool.file.projects_top_level": {
            "zh": "应为项目列表（或含 projects 的映射）",
            "en": "should be a list of projects (or a mapping with projects)",
        },
        "pool.input_problems": {"zh": "{file} 共有 {n} 处问题", "en": "{file}: {n} problems"},
        "pool.input_problems.no_file": {"zh": "共有 {n} 处问题", "en": "{n} problems"},
        # row and value problems
        "pool.missing_column": {"zh": "缺少必填列或字段", "en": "required column or key is missing"},
        "pool.invalid_value.not_integer": {
            "zh": "值“{value}”不是≥{minimum}的整数",
            "en": "value '{value}' is not an integer >= {minimum}",
        },
        "pool.invalid_value.not_whole": {"zh": "值“{value}”不是整数", "en": "value '{value}' is not a whole number"},
        "pool.invalid_value.too_small": {"zh": "值“{value}”小于 {limit}", "en": "value '{value}' is less than {limit}"},
        "pool.invalid_value.not_text": {"zh": "值“{value}”应为文本", "en": "value '{value}' should be text"},
        "pool.invalid_value.not_number": {"zh": "值“{value}”不是有限实数", "en": "value '{value}' is not a finite number"},
        "pool.invalid_value.not_boolean": {
            "zh": "值“{value}”不是布尔值（是/否、true/false、1/0）",
            "en": "value '{value}' is not a boolean (true/false, 1/0)",
        },
        "pool.invalid_value.empty": {"zh": "值为空", "en": "value is empty"},
        "pool.invalid_value.exceeds_max_load": {
            "zh": "值“{value}”大于 max_load（{max_load}）",
            "en": "value '{value}' exceeds max_load ({max_load})",
        },
        "pool.invalid_value.too_many_cells": {
            "zh": "该行的列数多于表头（{cells} > {width}）",
            "en": "the row has more cells than the header ({cells} > {width})",
        },
        "pool.invalid_value.not_list": {"zh": "值（{value}）应为列表", "en": "value ({value}) should be a list"},
        "pool.invalid_value.not_mapping": {"zh": "值“{value}”应为映射", "en": "value '{value}' should be a mapping"},
        "pool.invalid_value.not_project": {"zh": "值“{value}”不是项目", "en": "value '{value}' is not a project"},
        "pool.invalid_value.invalid": {
            "zh": "值“{value}”无效（{detail}）",
            "en": "value '{value}' is invalid ({detail})",
        },
        "pool.invalid_value.unknown_key": {"zh": "未知的字段“{key}”", "en": "unknown key '{key}'"},
        "pool.invalid_value.bad_category": {
            "zh": "值“{value}”不是专家类别（{choices}）",
            "en": "value '{value}' is not an expert category ({choices})",
        },
        "pool.invalid_value.min_over_max": {
            "zh": "min_load 大于 max_load",
            "en": "min_load exceeds max_load",
        },
        "pool.duplicate_id": {"zh": "标识“{value}”重复", "en": "duplicate identifier '{value}'"},
        "pool.duplicate_id.first_row": {
            "zh": "标识“{value}”重复（首次出现在第 {first_row} 行）",
            "en": "duplicate identifier '{value}' (first seen in row {first_row})",
        },
        "pool.unknown_reference.unit": {"zh": "未知的单位“{value}”", "en": "unknown unit '{value}'"},
        "pool.unknown_reference.expert": {"zh": "未知的专家“{value}”", "en": "unknown expert '{value}'"},
        "pool.unknown_reference.project": {"zh": "未知的项目“{value}”", "en": "unknown project '{value}'"},
        "pool.panel_size.rule_failed": {
            "zh": "项目“{project}”的专家人数规则执行失败：{detail}",
            "en": "the panel-size rule failed for project '{project}': {detail}",
        },
        "pool.panel_size.invalid": {
            "zh": "项目“{project}”的专家人数规则返回了无效值“{value}”（应为正整数）",
            "en": "the panel-size rule returned an invalid value '{value}' for project '{project}' "
            "(expected a positive integer)",
        },
        "pool.infeasible": {"zh": "无法完成分配：", "en": "No feasible assignment:"},
        # arguments and options
        "pool.invalid_parameter.method": {
            "zh": "未知的分配方法“{value}”（应为 optimal 或 random）",
            "en": "unknown method '{value}' (expected optimal or random)",
        },
        "pool.invalid_parameter.backend": {
            "zh": "未知的求解后端“{value}”（应为 auto、networkx、ortools 或 highs）",
            "en": "unknown backend '{value}' (expected auto, networkx, ortools or highs)",
        },
        "pool.invalid_parameter.prob_cap_needs_random": {
            "zh": "入选概率上限（--prob-cap / prob_cap）仅适用于随机抽取（method=random）",
            "en": "prob_cap (--prob-cap) requires a random draw (method=random)",
        },
        "pool.invalid_parameter.seed_needs_random": {
            "zh": "随机种子（--seed）仅适用于随机抽取（method=random）",
            "en": "a seed (--seed) requires a random draw (method=random)",
        },
        "pool.invalid_parameter.seed": {
            "zh": "随机种子应为非负整数，而不是“{value}”",
            "en": "seed must be a non-negative integer, not '{value}'",
        },
        "pool.invalid_parameter.max_per_unit": {
            "zh": "max_per_unit 应为≥1的整数，而不是“{value}”",
            "en": "max_per_unit must be an integer >= 1, not '{value}'",
        },
        "pool.invalid_parameter.prob_cap": {
            "zh": "prob_cap 应在 (0, 1] 之间，而不是“{value}”",
            "en": "prob_cap must lie in (0, 1], not '{value}'",
        },
        "pool.invalid_parameter.unit_max_load": {
            "zh": "unit_max_load 应为≥0的整数，而不是“{value}”",
            "en": "unit_max_load must be an integer >= 0, not '{value}'",
        },
        "pool.invalid_parameter.not_expert": {"zh": "“{value}”不是专家（Expert）", "en": "'{value}' is not an Expert"},
        "pool.invalid_parameter.formula": {
            "zh": "未知的亲和度公式“{value}”",
            "en": "unknown affinity formula '{value}'",
        },
        "pool.invalid_parameter.matrix_shape": {
            "zh": "亲和度矩阵的形状与项目、专家数不符",
            "en": "affinity matrix shape does not match the numbers of projects and experts",
        },
        "pool.invalid_parameter.pool_source": {
            "zh": "请指定 --experts 或 --pool 二者之一",
            "en": "give exactly one of --experts and --pool",
        },
        "pool.invalid_parameter.rules_unavailable": {
            "zh": "无法使用 --rules：{detail}",
            "en": "--rules unavailable: {detail}",
        },
        "pool.invalid_parameter.rules_load": {
            "zh": "无法加载规则集“{value}”：{detail}",
            "en": "cannot load rule set '{value}': {detail}",
        },
        "pool.invalid_parameter.no_panel_rule": {
            "zh": "规则集“{value}”没有专家人数规则（panel_size）",
            "en": "rule set '{value}' has no panel_size rule",
        },
        "pool.invalid_parameter.share": {
            "zh": "{field} 须在 0 到 1 之间，而不是“{value}”",
            "en": "{field} must lie between 0 and 1, not '{value}'",
        },
        "pool.invalid_parameter.aggregate_method": {
            "zh": "未知的汇总方法“{value}”（应为 median、mean 或 trimmed）",
            "en": "unknown method '{value}' (use median, mean or trimmed)",
        },
        "pool.file.write_failed": {"zh": "无法写入文件：{detail}", "en": "cannot write the file: {detail}"},
    }
)
