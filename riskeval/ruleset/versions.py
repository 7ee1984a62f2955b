"""A rule directory: one YAML file per rule-set version, written once and never overwritten.

:class:`RuleDirectory` lists the versions kept in a directory and saves an edited rule file as a new
version: the id and the version come from the file itself, the file name is ``<id>@<version>.yaml``,
and a version that is already there (by id and version, whatever its file name) is refused with
:class:`RuleVersionExists`. Which version the gate uses is decided elsewhere (an admin's activation,
recorded in the ledger: :mod:`riskeval.ledger.activation`).

Examples
--------
>>> import tempfile
>>> from riskeval.ruleset.source import bundled_rules_dir
>>> rules = RuleDirectory(tempfile.mkdtemp())
>>> text = (bundled_rules_dir() / "national.yaml").read_text(encoding="utf-8")
>>> saved = rules.save(text)
>>> saved.path.name, [(v.id, v.version) for v in rules.versions()]
('national@2013.1.yaml', [('national', '2013.1')])
>>> rules.save(text)
Traceback (most recent call last):
...
riskeval.ruleset.versions.RuleVersionExists: 规则集 national 的版本 2013.1 已存在（national@2013.1.yaml），不覆盖已有版本；请在文件中修改 version 后另存
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import RiskevalError
from ..i18n import register_messages
from .compiled import RuleSet
from .editing import edit_session
from .loader import load_ruleset
from .problems import Problem, RuleSetError

__all__ = ["RuleDirectory", "RuleVersion", "RuleVersionExists", "version_file_name"]

register_messages(
    {
        "rulever.exists": {
            "zh": "规则集 {id} 的版本 {version} 已存在（{file}），不覆盖已有版本；请在文件中修改 version 后另存",
            "en": "version {version} of rule set {id} exists already ({file}); versions are never overwritten: "
            "change the file's version and save again",
        },
        "rulever.problem": {"zh": "{text}", "en": "{text}"},
        "rulever.no_dir": {
            "zh": "服务没有规则目录（启动时用 --rules-dir 指定）",
            "en": "the service has no rule directory (start it with --rules-dir)",
        },
    }
)

_UNSAFE = re.compile(r"[^0-9A-Za-z._\-\u4e00-\u9fff]+")


class RuleVersionExists(RiskevalError):
    """A rule set version that is in the rule directory already (versions are never overwritten)."""

    code = "rulever.exists"


def version_file_name(ruleset_id: str, version: str) -> str:
    """The file name of a version: ``<id>@<version>.yaml`` with anything unsafe replaced.

    >>> version_file_name("guiyang", "2014.2"), version_file_name("a/b", "../1")
    ('guiyang@2014.2.yaml', 'a_b@.._1.yaml')
    """
    return f"{_UNSAFE.sub('_', ruleset_id)}@{_UNSAFE.sub('_', version)}.yaml"


@dataclass(frozen=True)
class RuleVersion:
    """One version kept in a rule directory."""

    id: str
    version: str
    title: str
    hash: str
    path: Path


class RuleDirectory:
    """The rule files of one directory (not its subdirectories), loaded with the directory for ``extends``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def files(self) -> list[Path]:
        """The YAML files of the directory, by name."""
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())

    def load(self, path: Path) -> RuleSet:
        """The rule set of one file of the directory (raises ``RuleSetError``)."""
        return load_ruleset(path, rule_dirs=[self.path])

    def versions(self) -> list[RuleVersion]:
        """Every version that loads, in file-name order (files with errors are left out)."""
        out: list[RuleVersion] = []
        for path in self.files():
            try:
                rs = self.load(path)
            except RuleSetError:
                continue
            out.append(RuleVersion(rs.id, rs.version, rs.title, rs.content_hash, path))
        return out

    def find(self, ruleset_id: str, version: str) -> RuleVersion | None:
        """The kept version ``version`` of ``ruleset_id``, if any."""
        return next((v for v in self.versions() if v.id == ruleset_id and v.version == version), None)

    def save(self, text: str, *, lang: str = "zh") -> RuleVersion:
        """Save ``text`` as a new version (validated first; never overwriting).

        Raises
        ------
        RuleSetError
            The text has errors (each problem located in the text).
        RuleVersionExists
            Its id and version are kept already.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        with edit_session(text, rule_dirs=[self.path], lang=lang, check=False) as session:
            if session.ruleset is None or not session.report.ok:
                problems = [
                    Problem(p.file, p.line, p.column, "rulever.problem", {"text": p.message})
                    for p in (*session.report.problems, *session.report.elsewhere)
                    if p.severity == "error"
                ]
                raise RuleSetError(problems)
            rs_id, version, title, digest = (
                session.ruleset.id,
                session.ruleset.version,
                session.ruleset.title,
                session.ruleset.content_hash,
            )
        name = version_file_name(rs_id, version)
        kept = self.find(rs_id, version)
        if kept is not None:
            raise RuleVersionExists(id=rs_id, version=version, file=kept.path.name)
        target = self.path / name
        try:
            with open(target, "x", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except FileExistsError:
            raise RuleVersionExists(id=rs_id, version=version, file=name) from None
        return RuleVersion(rs_id, version, title, digest, target)

