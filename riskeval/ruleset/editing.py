"""Checking a rule file being edited: every problem by line, the embedded tests, the impact on a project list.

The workbench's 规则集 page sends the text of the file in the editor; :func:`edit_session` loads it
(with the rule directory for ``extends``), collects the loader's problems and, when the rule set loads
and ``riskeval.check_ruleset`` exists, its static-analysis findings, all located in the edited text.
The session also runs the embedded tests and the ``diff`` report against the rule set in use.

Examples
--------
>>> text = (bundled_rules_dir() / "guiyang.yaml").read_text(encoding="utf-8")
>>> with edit_session(text) as session:
...     session.report.ok, session.ruleset.id, all(r.passed for r in session.run_tests())
(True, 'guiyang', True)
>>> line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("authority:"))
>>> with edit_session(text.replace("authority:", "authorty:")) as session:
...     problem = session.report.problems[0]
...     session.report.ok, problem.line == line, problem.column, problem.file
(False, True, 1, '规则文件.yaml')
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..i18n import register_messages
from .compiled import RuleSet
from .loader import load_ruleset
from .problems import RuleSetError
from .source import bundled_rules_dir
from .testing import CaseResult, run_tests

__all__ = ["EDIT_NAME", "MAX_RULE_TEXT", "EditReport", "EditSession", "LinedProblem", "edit_session"]

register_messages(
    {
        "ruleedit.too_large": {
            "zh": "规则文件过大（{size} 字节，上限 {limit} 字节）",
            "en": "the rule file is too large ({size} bytes, limit {limit})",
        },
        "ruleedit.not_text": {"zh": "规则文件不是 UTF-8 文本", "en": "the rule file is not UTF-8 text"},
    }
)

EDIT_NAME = "规则文件.yaml"
"""The name problems of the edited text carry (instead of a temporary path)."""

MAX_RULE_TEXT = 2 * 1024 * 1024
"""The largest rule file accepted from an editor, in bytes."""


@dataclass(frozen=True)
class LinedProblem:
    """One problem or finding at a position of a file, with its message already rendered."""

    file: str
    line: int
    column: int
    severity: str
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class EditReport:
    """What is wrong with an edited rule file.

    ``problems`` are located in the edited text (``file`` is :data:`EDIT_NAME`); ``elsewhere`` are
    problems of the files it extends; ``ok`` is true when no error was found (warnings allowed).
    """

    problems: list[LinedProblem] = field(default_factory=list)
    elsewhere: list[LinedProblem] = field(default_factory=list)
    checked: bool = False

    @property
    def ok(self) -> bool:
        """No error in the file or its parents."""
        return not any(p.severity == "error" for p in (*self.problems, *self.elsewhere))

    def by_line(self) -> dict[int, list[LinedProblem]]:
        """The problems of the edited text grouped by line."""
        out: dict[int, list[LinedProblem]] = {}
        for p in self.problems:
            out.setdefault(p.line, []).append(p)
        return out

    def to_dict(self) -> dict[str, Any]:
        """``{"ok", "checked", "problems", "elsewhere"}``."""
        return {
            "ok": self.ok,
            "checked": self.checked,
            "problems": [p.to_dict() for p in self.problems],
            "elsewhere": [p.to_dict() for p in self.elsewhere],
        }


def _lined(problem: Any, lang: str, temp: Path) -> LinedProblem:
    """A loader ``Problem`` or a checker finding as a :class:`LinedProblem` (temporary path renamed)."""
    location = getattr(problem, "location", None)
    file = str(getattr(problem, "file", None) or getattr(location, "file", None) or "")
    line = getattr(problem, "line", None) or getattr(location, "line", None) or 1
    column = getattr(problem, "column", None) or getattr(location, "column", None) or 1
    try:
        same = Path(file).resolve() == temp.resolve()
    except (OSError, ValueError):
        same = False
    message = problem.message(lang) if hasattr(problem, "message") else str(problem)
    return LinedProblem(
        EDIT_NAME if same or not file else file,
        int(line),
        int(column),
        str(getattr(problem, "severity", "error")),
        str(getattr(problem, "code", "")),
        message,
    )


def _checker() -> Any:
    """``riskeval.check_ruleset`` when this version of riskeval has it, else ``None``."""
    import riskeval

    return getattr(riskeval, "check_ruleset", None)


@dataclass
class EditSession:
    """An edited rule file loaded from a temporary copy; valid inside :func:`edit_session` only."""

    report: EditReport
    ruleset: RuleSet | None
    lang: str = "zh"

    def run_tests(self) -> list[CaseResult]:
        """The embedded tests' results (none when the file does not load)."""
        return run_tests(self.ruleset, self.lang) if self.ruleset is not None else []

    def impact(self, base: RuleSet, projects: str | os.PathLike[str], *, keep: int = 200) -> Any:
        """The ``diff`` report of ``base`` → the edited rule set over the list ``projects``.

        Returns
        -------
        riskeval.batch.impact_run.DiffOutcome
            ``None`` when the edited file does not load.

        Raises
        ------
        InputError
            The project list cannot be read.
        """
        from ..batch.impact_run import run_diff

        if self.ruleset is None:
            return None
        return run_diff(base, self.ruleset, Path(projects), keep=keep, workers=0, lang=self.lang)


@contextmanager
def edit_session(
    text: str | bytes,
    *,
    rule_dirs: Sequence[str | os.PathLike[str]] = (),
    lang: str = "zh",
    check: bool = True,
) -> Iterator[EditSession]:
    """Load the rule file ``text`` as if it were a file of ``rule_dirs`` and report every problem.

    Parameters
    ----------
    text
        The whole rule file.
    rule_dirs
        Directories that a relative ``extends`` may point into (the service's rule directory).
    lang
        Language of the messages.
    check
        Also run ``riskeval.check_ruleset`` when it exists and the file loads.

    Raises
    ------
    InputError
        ``text`` is larger than :data:`MAX_RULE_TEXT` or not UTF-8.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_RULE_TEXT:
            raise InputError("ruleedit.too_large", size=len(text), limit=MAX_RULE_TEXT)
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("ruleedit.not_text") from None
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_RULE_TEXT:
        raise InputError("ruleedit.too_large", size=size, limit=MAX_RULE_TEXT)
    with tempfile.TemporaryDirectory(prefix="riskeval-edit-") as tmp:
        path = Path(tmp) / "edited.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        dirs = [Path(d) for d in rule_dirs]
        report = EditReport()
        ruleset: RuleSet | None = None
        try:
            ruleset = load_ruleset(path, rule_dirs=dirs or [bundled_rules_dir()])
            raw: list[Any] = list(ruleset.warnings)
        except RuleSetError as exc:
            raw = list(exc.problems)
        checker = _checker() if check else None
        if ruleset is not None and checker is not None:
            raw.extend(checker(ruleset))
            report.checked = True
        for problem in raw:
            lined = _lined(problem, lang, path)
            (report.problems if lined.file == EDIT_NAME else report.elsewhere).append(lined)
        report.problems.sort(key=lambda p: (p.line, p.column))
        yield EditSession(report, ruleset, lang)

