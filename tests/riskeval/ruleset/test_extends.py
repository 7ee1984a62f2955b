"""``extends`` hardening (issue 13): bundled names, paths inside the tree, no escapes, no echoes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from riskeval.ruleset import RuleSetError, load_ruleset, validate_file
from riskeval.ruleset import source as source_module
from riskeval.ruleset.extends import MAX_EXTENDS_DEPTH, RULE_DIRS_ENV, find_ruleset
from riskeval.ruleset.source import bundled_rules_dir

CORPUS = Path(__file__).parent / "corpus"
SECRET = "s3cret_token_value"
CHILD_HEAD = "id: child\ntitle: 子规则集\nversion: '1'\n"


def _child(directory: Path, extends: str, name: str = "child.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"{CHILD_HEAD}extends: {extends}\n", encoding="utf-8")
    return path


@pytest.fixture()
def outside(tmp_path: Path) -> Path:
    """A YAML file outside the rule tree whose content must never be shown."""
    secret = tmp_path / "outside" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text(f"{SECRET}: 1\nroot: x\n", encoding="utf-8")
    return secret


def _codes(path: Path, **kwargs: object) -> list[tuple[str, int, int]]:
    return [(p.code, p.line, p.column) for p in validate_file(path, **kwargs)]  # type: ignore[arg-type]


def _rendered(path: Path) -> str:
    return "\n".join(p.render(lang) for p in validate_file(path) for lang in ("zh", "en"))


def test_absolute_path_outside_is_refused_without_reading(tmp_path: Path, outside: Path) -> None:
    child = _child(tmp_path / "tree", outside.as_posix())
    assert _codes(child) == [("extends.absolute", 4, 10)]
    assert SECRET not in _rendered(child)


def test_etc_passwd_is_refused(tmp_path: Path) -> None:
    child = _child(tmp_path, "/etc/passwd")
    codes = _codes(child)
    assert codes[0][0] in ("extends.not_yaml", "extends.absolute") and codes[0][1:] == (4, 10)
    assert "root:" not in _rendered(child)


def test_dotdot_escape_is_refused(tmp_path: Path, outside: Path) -> None:
    child = _child(tmp_path / "tree", "../outside/secret.yaml")
    assert _codes(child) == [("extends.escape", 4, 10)]
    assert SECRET not in _rendered(child)


def test_symlink_escape_is_refused(tmp_path: Path, outside: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "parent.yaml").symlink_to(outside)
    child = _child(tree, "./parent.yaml")
    assert _codes(child) == [("extends.escape", 4, 10)]
    assert SECRET not in _rendered(child)


def test_symlinked_directory_escape_is_refused(tmp_path: Path, outside: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "linked").symlink_to(outside.parent, target_is_directory=True)
    child = _child(tree, "linked/secret.yaml")
    assert _codes(child) == [("extends.escape", 4, 10)]


def test_non_yaml_target_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text(f"{SECRET}: 1\n", encoding="utf-8")
    child = _child(tmp_path, "./notes.txt")
    assert _codes(child) == [("extends.not_yaml", 4, 10)]
    assert SECRET not in _rendered(child)


def test_paths_inside_the_tree_work(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "base.yaml").write_text((CORPUS / "valid.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for target in ("sub/base.yaml", "./sub/base.yaml", "sub/../sub/base.yaml"):
        child = _child(tmp_path, target)
        assert _codes(child) == [], target
        assert [x["id"] for x in load_ruleset(child).lineage] == ["mini", "child"]


def test_configured_rule_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "base.yaml").write_text((CORPUS / "valid.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    child = _child(tmp_path / "tree", "base.yaml")
    assert _codes(child)[0][0] == "extends.missing"
    assert _codes(child, rule_dirs=[shared]) == []
    monkeypatch.setenv(RULE_DIRS_ENV, os.pathsep.join([str(tmp_path / "none"), str(shared)]))
    assert load_ruleset(child).lineage[0]["id"] == "mini"
    # an absolute path is accepted only into a rule directory
    absolute = _child(tmp_path / "tree", (shared / "base.yaml").as_posix(), name="abs.yaml")
    assert _codes(absolute) == []
    monkeypatch.delenv(RULE_DIRS_ENV)
    assert _codes(absolute) == [("extends.absolute", 4, 10)]


def test_absolute_path_into_the_bundled_set_is_a_bundled_rule_set(tmp_path: Path) -> None:
    child = _child(tmp_path, (bundled_rules_dir() / "national.yaml").as_posix())
    assert load_ruleset(child).lineage[0]["id"] == "national"


def test_unknown_bare_name_lists_the_bundled_sets(tmp_path: Path) -> None:
    (tmp_path / "mine").write_text("id: x\n", encoding="utf-8")
    child = _child(tmp_path, "mine")
    problems = validate_file(child)
    assert [(p.code, p.line, p.column) for p in problems] == [("extends.missing", 4, 10)]
    assert "jiangsu-db32-4013-2021" in problems[0].message("en")


def test_bundled_name_is_not_shadowed_by_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("guiyang", "guiyang.yaml", "jiangsu-db32-4013-2021.yaml"):
        (tmp_path / name).write_text("id: impostor\ntitle: x\nversion: '1'\n", encoding="utf-8")
    rs = load_ruleset("guiyang")
    assert rs.id == "guiyang" and Path(rs.path) == (bundled_rules_dir() / "guiyang.yaml").resolve()
    assert [x["id"] for x in rs.lineage] == ["jiangsu-db32-4013-2021", "guiyang"]
    assert find_ruleset("./guiyang.yaml") == (tmp_path / "guiyang.yaml").resolve()
    with pytest.raises(RuleSetError) as info:
        load_ruleset("./guiyang.yaml")  # a path means the file
    assert info.value.problems[0].file.endswith("guiyang.yaml")


def test_bundled_extends_by_name_ignores_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "jiangsu-db32-4013-2021").write_text("id: impostor\n", encoding="utf-8")
    child = _child(tmp_path / "tree", "jiangsu-db32-4013-2021")
    assert load_ruleset(child).lineage[0]["id"] == "jiangsu-db32-4013-2021"


def _chain(directory: Path, length: int) -> Path:
    """``f0.yaml`` extends ``f1.yaml`` ... ``f{length-1}.yaml`` which is a complete rule set."""
    directory.mkdir()
    (directory / f"f{length - 1}.yaml").write_text((CORPUS / "valid.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for i in range(length - 1):
        (directory / f"f{i}.yaml").write_text(f"id: f{i}\ntitle: t\nversion: '1'\nextends: ./f{i + 1}.yaml\n", encoding="utf-8")
    return directory / "f0.yaml"


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    reads: list[Path] = []
    original = source_module.read_raw

    def counting(path: Path) -> object:
        reads.append(path)
        return original(path)

    monkeypatch.setattr(source_module, "read_raw", counting)
    return reads


def test_chain_at_the_limit_loads_reading_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    top = _chain(tmp_path / "ok", MAX_EXTENDS_DEPTH)
    reads = _count_reads(monkeypatch)
    rs = load_ruleset(top)
    assert len(rs.lineage) == MAX_EXTENDS_DEPTH
    assert len(reads) == MAX_EXTENDS_DEPTH == len(set(reads))


def test_too_long_chain_is_located_and_stops_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    top = _chain(tmp_path / "long", 200)
    reads = _count_reads(monkeypatch)
    assert _codes(top) == [("extends.too_deep", 4, 10)]
    assert len(reads) == MAX_EXTENDS_DEPTH


def test_cycle_through_ancestors_is_located_at_the_loaded_file(tmp_path: Path) -> None:
    for name, parent in (("a", "b"), ("b", "c"), ("c", "b")):
        (tmp_path / f"{name}.yaml").write_text(f"id: {name}\ntitle: t\nversion: '1'\nextends: {parent}.yaml\n", encoding="utf-8")
    problems = validate_file(tmp_path / "a.yaml")
    assert [(p.code, p.line, p.column) for p in problems] == [("extends.cycle", 4, 10)]
    assert problems[0].params["chain"] == "a.yaml → b.yaml → c.yaml → b.yaml"
