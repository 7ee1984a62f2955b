"""Conditions and formulas written the way people write on paper, and what to write instead.

Policy staff write ``满意度＞80``, ``a ≥ 1 且 b`` or ``50%``. :func:`suggest` finds the first
such spelling, says what to write instead and rewrites the whole expression (Chinese fact
labels become fact names, full-width and mathematical symbols become ``>`` ``>=`` ``==`` ...,
``且``/``或`` become ``and``/``or``, ``50%`` becomes ``50``). :func:`syntax_problem` turns the
rest of Python's ``SyntaxError`` messages into catalogue messages.

Examples
--------
>>> suggest("满意度＞80", {"satisfaction_rate": "满意度"})
(0, 'cond.write_instead', {'found': '满意度', 'write': 'satisfaction_rate', 'fixed': 'satisfaction_rate > 80'})
>>> suggest("a ≥ 1 且 b", {})[2]["fixed"]
'a >= 1 and b'
>>> suggest("rate > 50%", {})[1:]
('cond.write_instead', {'found': '50%', 'write': '50', 'fixed': 'rate > 50'})
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..i18n import register_messages

__all__ = ["normalize", "suggest", "syntax_problem"]

register_messages(
    {
        "cond.write_instead": {
            "zh": "“{found}” 应写成 “{write}”，整个表达式可写为：{fixed}",
            "en": "write '{write}' instead of '{found}'; the whole expression: {fixed}",
        },
        "cond.unclosed": {"zh": "括号没有闭合：请补上 “)” 或 “]”", "en": "a bracket is never closed: add ')' or ']'"},
        "cond.unclosed_quote": {"zh": "引号没有闭合：文本两边都要有英文引号 \"", "en": "a quote is never closed: put '\"' on both sides of the text"},
        "cond.bad_char": {"zh": "不能使用的字符 “{char}”", "en": "character '{char}' cannot be used here"},
        "cond.number_out_of_range": {
            "zh": "数值 {value} 超出可计算的范围（绝对值不超过 {limit:g}，且不能是无穷大）",
            "en": "number {value} is out of range (at most {limit:g} in absolute value, never infinite)",
        },
    }
)

#: (written, write instead), longest first
_SYMBOLS: list[tuple[str, str]] = [
    ("＞＝", ">="),
    ("＜＝", "<="),
    ("！＝", "!="),
    ("＝＝", "=="),
    ("≥", ">="),
    ("≧", ">="),
    ("≤", "<="),
    ("≦", "<="),
    ("≠", "!="),
    ("＞", ">"),
    ("＜", "<"),
    ("＝", "=="),
    ("（", "("),
    ("）", ")"),
    ("【", "["),
    ("】", "]"),
    ("［", "["),
    ("］", "]"),
    ("，", ","),
    ("＋", "+"),
    ("－", "-"),
    ("×", "*"),
    ("＊", "*"),
    ("÷", "/"),
    ("／", "/"),
]
_QUOTES = {"“": '"', "”": '"', "‘": "'", "’": "'"}
_WORDS: list[tuple[str, str]] = [("并且", "and"), ("而且", "and"), ("或者", "or"), ("且", "and"), ("或", "or"), ("非", "not")]
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_SINGLE_EQ = re.compile(r"(?<![=!<>])=(?!=)")
MAX_CONSTANT = 1e15


def _unquoted_spans(text: str) -> list[tuple[int, int]]:
    """The parts of ``text`` outside quoted strings (full-width quotes count as quotes too)."""
    plain = text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    spans, last = [], 0
    for match in _QUOTED.finditer(plain):
        spans.append((last, match.start()))
        last = match.end()
    spans.append((last, len(text)))
    return spans


def _findings(text: str, labels: Mapping[str, str]) -> list[tuple[int, int, str, str]]:
    """Every ``(start, end, found, write)`` outside quotes, in order."""
    out: list[tuple[int, int, str, str]] = []
    by_label = sorted(((label, name) for name, label in labels.items() if label), key=lambda p: -len(p[0]))
    for start, end in _unquoted_spans(text):
        part = text[start:end]
        taken = [False] * len(part)

        def add(i: int, j: int, found: str, write: str, part: str = part, taken: list[bool] = taken, base: int = start) -> None:
            if not any(taken[i:j]):
                taken[i:j] = [True] * (j - i)
                out.append((base + i, base + j, found, write))

        for label, name in by_label:
            for m in re.finditer(re.escape(label), part):
                add(m.start(), m.end(), label, name)
        for m in _PERCENT.finditer(part):
            add(m.start(), m.end(), m.group(0), m.group(1))
        for written, write in _SYMBOLS + _WORDS:
            for m in re.finditer(re.escape(written), part):
                add(m.start(), m.end(), written, write)
        for m in _SINGLE_EQ.finditer(part):
            add(m.start(), m.end(), "=", "==")
    out.extend((i, i + 1, ch, _QUOTES[ch]) for i, ch in enumerate(text) if ch in _QUOTES)
    return sorted(out)


def normalize(text: str, labels: Mapping[str, str]) -> str:
    """``text`` with every paper spelling replaced (labels by fact names, symbols by operators)."""
    pieces, last = [], 0
    for start, end, _found, write in _findings(text, labels):
        pieces.append(text[last:start])
        pieces.append(f" {write} " if write.isalnum() or write in (">=", "<=", "==", "!=", ">", "<") else write)
        last = end
    pieces.append(text[last:])
    fixed = "".join(pieces)
    fixed = re.sub(r"\s+", " ", fixed).strip()
    return re.sub(r"([(\[]) ", r"\1", re.sub(r" ([)\],])", r"\1", fixed))


def suggest(text: str, labels: Mapping[str, str]) -> tuple[int, str, dict[str, Any]] | None:
    """``(offset, "cond.write_instead", params)`` for the first paper spelling, or ``None``.

    ``labels`` maps fact names to their Chinese labels.
    """
    found = _findings(text, labels)
    if not found:
        return None
    start, _end, written, write = found[0]
    return start, "cond.write_instead", {"found": written, "write": write, "fixed": normalize(text, labels)}


def syntax_problem(exc: SyntaxError) -> tuple[str, dict[str, Any]]:
    """A catalogue code and parameters for a ``SyntaxError`` from ``ast.parse``."""
    msg = str(exc.msg or "")
    if "never closed" in msg or "unexpected EOF" in msg:
        return "cond.unclosed", {}
    if "unterminated string" in msg or "unterminated triple-quoted" in msg:
        return "cond.unclosed_quote", {}
    if "nested parentheses" in msg or "too many" in msg:
        return "cond.too_deep", {}
    if "Exceeds the limit" in msg:
        return "cond.number_out_of_range", {"value": "…", "limit": MAX_CONSTANT}
    match = re.search(r"invalid character '(.)'", msg)
    if match:
        return "cond.bad_char", {"char": match.group(1)}
    return "cond.syntax", {"detail": msg}
