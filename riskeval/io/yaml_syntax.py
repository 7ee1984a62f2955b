"""YAML syntax errors explained at the line of the mistake, with the fix.

PyYAML reports where it noticed a problem, often a line after the mistake, and in English.
:func:`diagnose_syntax_error` looks at the source lines around PyYAML's marks and returns a
catalogue code, the real position and the message parameters: a tab in the indentation, a
full-width colon (``title：标题``), ``key:value`` without a space, an unclosed quote or bracket,
full-width punctuation (``，“”（）``), a colon inside an unquoted value, bad indentation.
Anything else is ``yaml.syntax`` with PyYAML's text wrapped in a catalogue message.

Examples
--------
>>> import yaml
>>> text = "id: a\\ntitle：标题\\nversion: '1'\\n"
>>> try:
...     yaml.safe_load(text)
... except yaml.MarkedYAMLError as exc:
...     print(diagnose_syntax_error(text, exc))
('yaml.fullwidth_colon', (2, 6), {'key': 'title', 'fixed': 'title: 标题'})
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..i18n import register_messages

__all__ = ["FULLWIDTH", "diagnose_syntax_error"]

register_messages(
    {
        "yaml.tab": {
            "zh": "缩进里有 Tab 字符：YAML 只能用空格缩进，请把 Tab 换成空格",
            "en": "a tab in the indentation: YAML indents with spaces only; replace the tab with spaces",
        },
        "yaml.fullwidth_colon": {
            "zh": "“：” 是全角（中文）冒号，键后面要写英文冒号加空格：{fixed}",
            "en": "'：' is a full-width colon; write an ASCII colon and a space after the key: {fixed}",
        },
        "yaml.colon_space": {
            "zh": "冒号后面要有一个空格：{fixed}",
            "en": "put a space after the colon: {fixed}",
        },
        "yaml.unclosed_quote": {
            "zh": "引号 {quote} 没有闭合：请在文本末尾补上 {quote}",
            "en": "the quote {quote} is never closed: add {quote} at the end of the text",
        },
        "yaml.unclosed_bracket": {
            "zh": "第 {open_line} 行第 {open_column} 列的 “{bracket}” 没有闭合：请补上 “{closer}”；如果 “{bracket}” 是文本的一部分，请给整段文本加引号",
            "en": "the '{bracket}' opened at line {open_line}, column {open_column} is never closed: add '{closer}', or quote the text if '{bracket}' belongs to it",
        },
        "yaml.fullwidth": {
            "zh": "“{char}” 是全角（中文）符号，这里要用英文符号 “{ascii}”；如果它是文本的一部分，请给整段文本加英文引号 \"",
            "en": "'{char}' is a full-width character; write '{ascii}' here, or quote the whole text with \" if it belongs to the text",
        },
        "yaml.colon_in_value": {
            "zh": "值里含有 “: ”：请给整个值加英文引号，如 {fixed}",
            "en": "the value contains ': ': quote the whole value, e.g. {fixed}",
        },
        "yaml.flow_separator": {
            "zh": "{{...}} 或 [...] 里这里应是逗号或右括号，却是 “{found}”：两项之间要用英文逗号分开；值里含有冒号或括号时，给这个值加英文引号",
            "en": "a comma or closing bracket was expected inside {{...}} or [...], not '{found}': separate entries with commas and quote a value that contains a colon or bracket",
        },
        "yaml.indentation": {
            "zh": "缩进不对：同一层的键要左对齐，下一层比上一层多缩进（只用空格）",
            "en": "bad indentation: keys of one level line up, a nested level is indented further (spaces only)",
        },
    }
)

#: full-width characters and what to write instead
FULLWIDTH: dict[str, str] = {
    "：": ":",
    "，": ",",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "（": "(",
    "）": ")",
    "【": "[",
    "】": "]",
    "［": "[",
    "］": "]",
    "｛": "{",
    "｝": "}",
    "－": "-",
}

_KEY = r"^(?P<indent>\s*(?:-\s+)?)(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)"
_FULLWIDTH_COLON = re.compile(_KEY + r"\s*：\s*(?P<rest>.*)$")
_NO_SPACE = re.compile(_KEY + r":(?P<rest>[^\s:/].*)$")
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'")


def _strip_comment(line: str) -> str:
    """``line`` without a trailing ``# comment`` (outside quotes)."""
    in_quote: str | None = None
    for i, ch in enumerate(line):
        if in_quote:
            if ch == in_quote:
                in_quote = None
        elif ch in "\"'":
            in_quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def _fullwidth_at(line: str) -> tuple[int, str] | None:
    """The first full-width character outside ASCII quotes: ``(index, char)``."""
    masked = _QUOTED.sub(lambda m: " " * len(m.group()), _strip_comment(line))
    for i, ch in enumerate(masked):
        if ch in FULLWIDTH:
            return i, ch
    return None


def _unbalanced_quote(line: str) -> tuple[int, str] | None:
    """The opening quote of a value whose quotes do not pair up on its line: ``(index, quote)``."""
    m = re.match(r"^\s*(?:-\s+)?(?:[^\s:#][^:#]*:\s+)?(?P<q>[\"'])", line)
    if m is None:
        return None
    quote, start = m["q"], m.start("q")
    rest = line[start + 1 :]
    if quote == '"':
        closed = re.search(r'(?<!\\)"', rest) is not None
    else:
        closed = re.search(r"'(?!')", rest.replace("''", "  ")) is not None
    return None if closed else (start, quote)


def _candidate_lines(lines: list[str], problem: int, column: int, context: int | None) -> list[int]:
    """0-based lines to inspect, likeliest first: the problem line; with a ``context`` (a simple key,
    quote or bracket) also the line before when the problem was noticed at the start of a line,
    then back to the context."""
    out = [problem] if problem < len(lines) else []
    if context is None:
        return out
    if problem > 0 and (problem >= len(lines) or not lines[problem][:column].strip()):
        out.insert(0, problem - 1)
    if problem - context <= 3:
        out += [n for n in range(problem - 1, context - 1, -1) if n not in out]
    return [n for n in out if 0 <= n < len(lines)]


def diagnose_syntax_error(text: str, exc: yaml.MarkedYAMLError) -> tuple[str, tuple[int, int], dict[str, Any]]:
    """``(code, (line, column), params)`` for a PyYAML syntax error in ``text`` (1-based position)."""
    lines = text.split("\n")
    pm, cm = exc.problem_mark, exc.context_mark
    mark = pm or cm
    p_line, p_col = (mark.line, mark.column) if mark is not None else (0, 0)
    c_line = cm.line if cm is not None else None
    problem, context = str(exc.problem or ""), str(exc.context or "")
    near_context = any(word in context for word in ("simple key", "flow", "quoted"))
    candidates = _candidate_lines(lines, p_line, p_col, c_line if near_context else None)
    # 1. tabs in the indentation
    if "'\\t'" in problem:
        return "yaml.tab", (p_line + 1, p_col + 1), {}
    for n in candidates:
        indent = re.match(r"^[ \t]*", lines[n])
        if indent and "\t" in indent.group():
            return "yaml.tab", (n + 1, indent.group().index("\t") + 1), {}
    # 2. a full-width colon after a key, 3. key:value without a space
    for n in candidates:
        line = _strip_comment(lines[n])
        m = _FULLWIDTH_COLON.match(line)
        if m:
            fixed = f"{m['key']}: {m['rest']}".rstrip()
            return "yaml.fullwidth_colon", (n + 1, line.index("：", m.end("key")) + 1), {"key": m["key"], "fixed": fixed}
        m = _NO_SPACE.match(line)
        if m and not re.match(r"^\d", m["rest"]):  # 12:30 is a time, not a missing space
            fixed = f"{m['key']}: {m['rest']}".rstrip()
            return "yaml.colon_space", (n + 1, m.end("key") + 2), {"key": m["key"], "fixed": fixed}
    # 4. an unclosed quote
    if "quoted scalar" in context and cm is not None:
        quote = lines[cm.line][cm.column] if cm.column < len(lines[cm.line]) else '"'
        return "yaml.unclosed_quote", (cm.line + 1, cm.column + 1), {"quote": quote}
    for n in range(max(p_line - 3, 0), min(p_line, len(lines) - 1) + 1):
        opening = _unbalanced_quote(lines[n])
        if opening is not None:
            return "yaml.unclosed_quote", (n + 1, opening[0] + 1), {"quote": opening[1]}
    # 5. full-width punctuation where YAML expects its ASCII twin
    for n in candidates:
        found = _fullwidth_at(lines[n])
        if found is not None and not ("flow" in context and found[1] in "）】］｝"):
            return "yaml.fullwidth", (n + 1, found[0] + 1), {"char": found[1], "ascii": FULLWIDTH[found[1]]}
    # 6. an unclosed [ or { (reported where PyYAML noticed it, naming where it opened)
    if "flow" in context and cm is not None and cm.line != p_line:
        bracket = lines[cm.line][cm.column] if cm.column < len(lines[cm.line]) else "["
        closer = {"[": "]", "{": "}"}.get(bracket, "]")
        params = {"bracket": bracket, "closer": closer, "open_line": cm.line + 1, "open_column": cm.column + 1}
        return "yaml.unclosed_bracket", (p_line + 1, p_col + 1), params
    if "flow" in context and ("expected ','" in problem):
        return "yaml.flow_separator", (p_line + 1, p_col + 1), {"found": problem.rsplit("but got ", 1)[-1].strip("'")}
    # 7. a colon inside an unquoted value, or bad indentation
    if p_line < len(lines) and ("mapping values are not allowed" in problem or "expected <block end>" in problem):
        line = lines[p_line]
        m = re.match(r"^(\s*(?:-\s+)?[^:#]+?):\s+(.+)$", line)
        if "mapping values" in problem and m and ": " in line[: p_col + 1] and line.index(": ") < p_col:
            value = m.group(2).strip().replace('"', '\\"')
            return "yaml.colon_in_value", (p_line + 1, p_col + 1), {"fixed": f'{m.group(1).strip()}: "{value}"'}
        start = len(line) - len(line.lstrip(" "))
        return "yaml.indentation", (p_line + 1, start + 1), {}
    if "did not find expected key" in problem or "could not find expected ':'" in problem:
        target = candidates[0] if candidates else p_line
        line = lines[target] if target < len(lines) else ""
        return "yaml.indentation", (target + 1, len(line) - len(line.lstrip(" ")) + 1), {}
    return "yaml.syntax", (p_line + 1, p_col + 1), {"detail": problem or context or type(exc).__name__}
