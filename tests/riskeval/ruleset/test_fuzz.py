"""Seeded fuzzing of the bundled rule files: hostile input is a located RiskevalError, quickly.

Each case mutates a bundled rule file (byte flips, line deletions and duplications, deep
nesting of YAML, conditions and formulas, huge numbers, ``extends`` to itself or in a cycle,
random Unicode, tabs), writes it to a temporary directory and loads it with
:func:`load_ruleset` and :func:`validate_file`. The test fails on any exception that is not
a :class:`RiskevalError`, and on any file that takes more than 2 s of CPU time
(``time.process_time``, so a busy machine does not make it flaky).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from riskeval.errors import RiskevalError
from riskeval.ruleset import bundled_names, load_ruleset, validate_file
from riskeval.ruleset.loader import bundled_rules_dir

SEED = 20261128
CASES = 320
CPU_LIMIT = 2.0

Mutation = Callable[[random.Random, str, str], str]


def _lines(text: str) -> list[str]:
    return text.split("\n")


def flip_bytes(rng: random.Random, text: str, name: str) -> str:
    raw = bytearray(text.encode("utf-8", errors="surrogatepass"))
    for _ in range(rng.randint(1, 8)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    return raw.decode("utf-8", errors="surrogateescape")


def delete_lines(rng: random.Random, text: str, name: str) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 5)):
        del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def duplicate_lines(rng: random.Random, text: str, name: str) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        lines[i:i] = [lines[i]] * rng.randint(1, 3)
    return "\n".join(lines)


def deep_condition(rng: random.Random, text: str, name: str) -> str:
    depth = rng.choice([30, 100, 300, 1000, 5000])
    style = rng.choice(["paren", "not", "and"])
    if style == "paren":
        cond = "(" * depth + "opposition_rate > 1" + ")" * depth
    elif style == "not":
        cond = "not " * depth + "hearing_held"
    else:
        cond = " and ".join(["opposition_rate > 1"] * depth)
    return re.sub(r"(\bwhen: ).*", lambda m: m.group(1) + f"'{cond}'", text, count=1)


def deep_formula(rng: random.Random, text: str, name: str) -> str:
    depth = rng.choice([30, 100, 300, 1000, 5000, 50000])
    style = rng.choice(["paren", "minus", "sum", "min"])
    if style == "paren":
        formula = "(" * depth + "1" + ")" * depth
    elif style == "minus":
        formula = "-" * depth + "1"
    elif style == "sum":
        formula = "+".join(["1"] * depth)
    else:
        formula = "min(" * depth + "1" + ", 2)" * depth
    if "formula: " in text:
        return re.sub(r"(formula: )(\"[^\"\n]*\"|[^\n}]*)", lambda m: m.group(1) + f"'{formula}'", text, count=1)
    return re.sub(r"(\bpoints: )[^\n{]*$", lambda m: m.group(1) + f"{{formula: '{formula}'}}", text, count=1, flags=re.M)


def deep_yaml(rng: random.Random, text: str, name: str) -> str:
    depth = rng.choice([50, 100, 1000, 20000])
    opener, closer = rng.choice([("[", "]"), ("{a: ", "}")])
    return text + f"\ndescription: {opener * depth}1{closer * depth}\n"


def huge_number(rng: random.Random, text: str, name: str) -> str:
    digits = rng.choice(["9" * 20, "9" * 400, "9" * 5000, "9" * 100_000, "1e999", "-1e999", "1e308", ".inf", "nan"])
    numbers = list(re.finditer(r"(?<![\w.])\d+(\.\d+)?(?![\w.])", text))
    if not numbers:
        return text
    m = rng.choice(numbers)
    return text[: m.start()] + digits + text[m.end() :]


def extends_self(rng: random.Random, text: str, name: str) -> str:
    target = rng.choice([name, f"./{name}", name.removesuffix(".yaml"), f"sub/../{name}"])
    text = re.sub(r"^extends: .*\n", "", text, flags=re.M)
    return re.sub(r"^(id: .*)$", lambda m: f"{m.group(1)}\nextends: {target}", text, count=1, flags=re.M)


def random_unicode(rng: random.Random, text: str, name: str) -> str:
    pool = ["：", "，", "“", "”", "（", "）", "\t", "\u0000", "\u0007", "\ufeff", "\ufffe", "\U0001f600", "\\ud800", "\ud800", "\u202e", "\x85"]
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(text))
        piece = rng.choice(pool) if rng.random() < 0.7 else chr(rng.randrange(0x20, 0x3000))
        text = text[:i] + piece + text[i:]
    return text


def huge_condition_number(rng: random.Random, text: str, name: str) -> str:
    number = rng.choice(["1e999", "9" * 400, "9" * 5000, "1" + "0" * 100_000])
    return re.sub(r"(\bwhen: )([a-z_]+) *(>=|>|<=|<) *[\d.]+", lambda m: f"{m.group(1)}{m.group(2)} {m.group(3)} {number}", text, count=1)


def paper_spelling(rng: random.Random, text: str, name: str) -> str:
    """What a Chinese input method produces: full-width colons, operators and words in conditions."""
    choice = rng.choice(["colon", "operator", "word", "percent", "nospace"])
    if choice == "colon":
        starts = [m.start() for m in re.finditer(r": ", text)]
        i = rng.choice(starts)
        return text[:i] + "：" + text[i + 2 :]
    if choice == "operator":
        return re.sub(r"(when: [^\n]*?)(>=|<=|>|<|==)", lambda m: m.group(1) + {">=": "≥", "<=": "≤", ">": "＞", "<": "＜", "==": "＝"}[m.group(2)], text, count=1)
    if choice == "word":
        return re.sub(r"(when: [^\n]*?) and ", lambda m: m.group(1) + " 且 ", text, count=1)
    if choice == "percent":
        return re.sub(r"(when: [^\n]*?\d+)", lambda m: m.group(1) + "%", text, count=1)
    starts = [m.start() for m in re.finditer(r"^\s*[a-z_]+: ", text, flags=re.M)]
    i = text.index(": ", rng.choice(starts))
    return text[:i] + ":" + text[i + 2 :]


MUTATIONS: list[Mutation] = [
    paper_spelling,
    flip_bytes,
    delete_lines,
    duplicate_lines,
    deep_condition,
    deep_formula,
    deep_yaml,
    huge_number,
    extends_self,
    random_unicode,
    huge_condition_number,
]


def _cases() -> list[tuple[int, str, list[str]]]:
    rng = random.Random(SEED)
    names = bundled_names()
    out = []
    for i in range(CASES):
        steps = [rng.choice(MUTATIONS).__name__ for _ in range(rng.randint(1, 3))]
        out.append((i, names[i % len(names)], steps))
    return out


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))


def _load_both(path: Path) -> None:
    for load in (load_ruleset, validate_file):
        try:
            load(path)
        except RiskevalError as exc:
            exc.render("zh")
            exc.render("en")
            exc.to_dict("en")


def test_fuzzed_rule_files_fail_only_with_located_errors(tmp_path: Path) -> None:
    by_name = {m.__name__: m for m in MUTATIONS}
    sources = {name: (bundled_rules_dir() / f"{name}.yaml").read_text(encoding="utf-8") for name in bundled_names()}
    failures: list[str] = []
    slow: list[str] = []
    for i, name, steps in _cases():
        rng = random.Random(SEED * 1000 + i)
        directory = tmp_path / f"case{i}"
        (directory / "sub").mkdir(parents=True)
        file_name = f"{name}.yaml"
        text = sources[name]
        for step in steps:
            text = by_name[step](rng, text, file_name)
        path = directory / file_name
        _write(path, text)
        start = time.process_time()
        try:
            _load_both(path)
        except Exception as exc:  # noqa: BLE001 - the point of the test
            failures.append(f"case {i} ({name}, {steps}): {type(exc).__name__}: {str(exc)[:200]}")
        spent = time.process_time() - start
        if spent > CPU_LIMIT:
            slow.append(f"case {i} ({name}, {steps}): {spent:.1f} s CPU")
    assert not failures, "\n".join(failures)
    assert not slow, "\n".join(slow)


def test_extends_cycle_between_two_files_is_located(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("id: a\ntitle: A\nversion: '1'\nextends: b.yaml\n", encoding="utf-8")
    b.write_text("id: b\ntitle: B\nversion: '1'\nextends: ./a.yaml\n", encoding="utf-8")
    problems = validate_file(a)
    assert [(p.code, p.line, p.column) for p in problems] == [("extends.cycle", 4, 10)]


@pytest.mark.parametrize("target", ["self.yaml", "./self.yaml", "sub/../self.yaml"])
def test_self_extends_is_located(tmp_path: Path, target: str) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "self.yaml"
    path.write_text(f"id: s\ntitle: S\nversion: '1'\nextends: {target}\n", encoding="utf-8")
    problems = validate_file(path)
    assert [(p.code, p.line, p.column) for p in problems] == [("extends.cycle", 4, 10)]
