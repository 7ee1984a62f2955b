"""The one YAML reader: positions, and hostile input refused with a located YamlError."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskeval.errors import RiskevalError
from riskeval.io.yaml import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_NODES,
    Position,
    YamlError,
    load_yaml_with_positions,
)


def _error(text: str, *, mapping: bool = False) -> YamlError:
    with pytest.raises(YamlError) as info:
        load_yaml_with_positions("f.yaml", text, mapping=mapping)
    assert isinstance(info.value, RiskevalError)
    return info.value


def test_positions_of_values_and_keys() -> None:
    data, pos = load_yaml_with_positions("f.yaml", "a:\n  b: [1, 2]\n  c: x\n")
    assert data == {"a": {"b": [1, 2], "c": "x"}}
    assert pos.value(("a", "b", 1)) == Position(2, 10)
    assert pos.key(("a", "c")) == Position(3, 3)
    assert pos.value(("a", "missing")) == Position(2, 3)


def test_tags_build_no_objects() -> None:
    data, _ = load_yaml_with_positions("f.yaml", "id: !!python/object/apply:os.system ['echo hi']\n")
    assert data == {"id": ["echo hi"]}


def test_duplicate_key_is_located() -> None:
    err = _error("a: 1\nb: 2\na: 3\n")
    assert (err.code, err.position, err.params["key"]) == ("yaml.duplicate_key", Position(3, 1), "a")
    assert err.render("en") == "f.yaml:3:1: duplicate key 'a'"
    assert err.to_dict("en")["location"] == {"file": "f.yaml", "line": 3, "column": 1}


def test_alias_bomb_is_refused_by_node_budget() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    err = _error("\n".join(lines) + "\n")
    assert err.code == "yaml.too_many_nodes" and err.params["limit"] == MAX_NODES


@pytest.mark.parametrize("opener", ["[", "{a: ", "- "])
def test_deep_nesting_is_refused_before_composing(opener: str) -> None:
    if opener == "- ":
        text = "- " * 5000 + "x\n"
    else:
        text = opener * 5000 + "1" + ("]" if opener == "[" else "}") * 5000
    err = _error(text)
    assert err.code == "yaml.too_deep" and err.params["limit"] == MAX_DEPTH
    assert err.position.line >= 1


def test_nesting_within_the_limit_is_read() -> None:
    data, _ = load_yaml_with_positions("f.yaml", "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    depth = 0
    while isinstance(data, list):
        data = data[0] if data else None
        depth += 1
    assert depth == MAX_DEPTH - 1


def test_recursive_alias_is_refused() -> None:
    err = _error("a: &a [*a]\n")
    assert err.code in ("yaml.too_deep", "yaml.too_many_nodes")


def test_huge_integer_is_located() -> None:
    err = _error("a: 1\nb: " + "9" * 100_000 + "\n")
    assert (err.code, err.position) == ("yaml.int_too_big", Position(2, 4))
    assert err.params == {"digits": 100_000, "limit": MAX_INT_DIGITS}


def test_integer_at_the_limit_is_read() -> None:
    data, _ = load_yaml_with_positions("f.yaml", "b: " + "9" * MAX_INT_DIGITS + "\n")
    assert data["b"] == int("9" * MAX_INT_DIGITS)


def test_overflowing_float_is_refused() -> None:
    err = _error("x: 1\ny: 1e999\n")
    assert (err.code, err.position) == ("yaml.number_out_of_range", Position(2, 4))


def test_lone_surrogate_escape_is_refused() -> None:
    err = _error('a: ok\nb: "x\\ud800y"\n')
    assert (err.code, err.position, err.params["char"]) == ("yaml.bad_unicode", Position(2, 4), "U+D800")
    err = _error('"\\udc00": 1\n')
    assert err.code == "yaml.bad_unicode"


def test_surrogate_in_text_is_refused() -> None:
    err = _error("a: 1\nb: x\ud800\n")
    assert (err.code, err.position) == ("yaml.bad_unicode", Position(2, 5))


def test_special_character_is_refused() -> None:
    err = _error("a: 1\nb: \x07\n")
    assert err.code == "yaml.bad_unicode" and err.position.line == 2


def test_empty_and_non_mapping_files_at_line_1() -> None:
    assert load_yaml_with_positions("f.yaml", "# only a comment\n")[0] is None
    for text in ("", "# comment\n", "\n\n"):
        err = _error(text, mapping=True)
        assert (err.code, err.position) == ("yaml.empty", Position(1, 1))
    err = _error("\n- a\n- b\n", mapping=True)
    assert (err.code, err.position) == ("yaml.not_mapping", Position(1, 1))
    assert "列表" in err.message() and "a list" in err.message("en")
    assert _error("just text\n", mapping=True).code == "yaml.not_mapping"


def test_not_utf8_file_at_line_1_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("id: x\ntitle: 规则\n".encode("gb18030"))
    with pytest.raises(YamlError) as info:
        load_yaml_with_positions(path)
    err = info.value
    assert (err.code, err.position, err.params["line"]) == ("yaml.encoding", Position(1, 1), 2)
    assert "UTF-8" in err.message() and "line 2" in err.message("en")


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffa: 1\n".encode())
    assert load_yaml_with_positions(path, mapping=True)[0] == {"a": 1}
    assert load_yaml_with_positions("x", "\ufeffa: 1\n")[0] == {"a": 1}


def test_too_big_file_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("x: " + "y" * 2_100_000 + "\n", encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load_yaml_with_positions(path)
    assert (info.value.code, info.value.position) == ("yaml.too_big", Position(1, 1))


def test_multiple_documents_and_bad_keys() -> None:
    err = _error("a: 1\n---\nb: 2\n")
    assert (err.code, err.position.line) == ("yaml.multiple_documents", 3)
    assert _error("? [a]\n: 1\n").code == "yaml.bad_key"
    assert _error("base: &b [1]\nx:\n  <<: *b\n").code == "yaml.merge_key"


def test_merge_key_keeps_explicit_keys() -> None:
    data, _ = load_yaml_with_positions("f.yaml", "base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\n")
    assert data["x"] == {"a": 1, "b": 3}


def test_syntax_error_is_a_catalogue_message() -> None:
    err = _error("a: [1, 2\nb: 3\n")
    assert err.code.startswith("yaml.")
    assert err.message().startswith("YAML") or "：" in err.message()
    assert err.position.line >= 1


def test_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        load_yaml_with_positions(tmp_path / "none.yaml")


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        ("id: a\ntitle：标题\nversion: '1'\n", "yaml.fullwidth_colon", (2, 6)),
        ("id: a\ntitle：标题\n", "yaml.fullwidth_colon", (2, 6)),
        ("id: a\nfacts:\n  rate：{type: number}\n  b: 1\n", "yaml.fullwidth_colon", (3, 7)),
        ("items:\n  - id: A\n    label：征地\n    dimension: x\n", "yaml.fullwidth_colon", (3, 10)),
        ("id: a\nfacts:\n\trate: 1\n", "yaml.tab", (3, 1)),
        ("id: a\nfacts:\n  rate:\n  \t type: number\n", "yaml.tab", (4, 3)),
        ("id: a\ntitle:abc\nversion: '1'\n", "yaml.colon_space", (2, 7)),
        ('id: a\ntitle: "abc\nversion: "1"\n', "yaml.unclosed_quote", (2, 8)),
        ("id: a\ntitle: 'abc\nversion: 1\n", "yaml.unclosed_quote", (2, 8)),
        ('a:\n  - "abc\n  - "d"\n', "yaml.unclosed_quote", (2, 5)),
        ("id: a\nfacts:\n  rate: 1\n   b: 2\nc: 3\n", "yaml.indentation", (4, 4)),
        ("id: a\nfacts:\n  rate: {label: 反对率（%）}\n b: 2\n", "yaml.indentation", (4, 2)),
        ("id: a\nm: {a: 1，b: 2}\n", "yaml.fullwidth", (2, 9)),
        ("id: a\ntitle: “ab: c”\n", "yaml.fullwidth", (2, 8)),
        ("id: a\ntitle: [最小规则集\nversion: \"1\"\n", "yaml.unclosed_bracket", (3, 8)),
        ("id: a\nx: {a: 1）\n", "yaml.unclosed_bracket", (3, 1)),
        ("id: a\ntitle: 说明: 其他\nv: 1\n", "yaml.colon_in_value", (2, 10)),
        ("a: {label: 反对: x}\n", "yaml.flow_separator", (1, 14)),
    ],
)
def test_syntax_errors_at_the_mistake_with_the_fix(text: str, code: str, position: tuple[int, int]) -> None:
    err = _error(text)
    assert (err.code, (err.position.line, err.position.column)) == (code, position)
    zh, en = err.message("zh"), err.message("en")
    assert zh != en and code not in zh and code not in en
    assert not any(word in zh for word in ("could not", "expected", "found", "while"))  # no bare PyYAML text


def test_fix_suggestions_are_valid_yaml() -> None:
    assert _error("id: a\ntitle：标题\n").params["fixed"] == "title: 标题"
    assert _error("id: a\ntitle:abc\n").params["fixed"] == "title: abc"
    fixed = _error("id: a\ntitle: 说明: 其他\n").params["fixed"]
    assert load_yaml_with_positions("f.yaml", fixed)[0] == {"title": "说明: 其他"}


def test_unknown_syntax_errors_are_wrapped_in_a_catalogue_message() -> None:
    err = _error("a: &x 1\nb: *x\nc: *\n")
    assert err.code.startswith("yaml.")
    assert err.message("zh") != err.message("en")


def test_undefined_alias_is_located() -> None:
    err = _error("a: 1\nb: *nothing\n")
    assert (err.code, err.position) == ("yaml.undefined_alias", Position(2, 4))


def test_escaped_surrogate_pair_is_one_character() -> None:
    data, _ = load_yaml_with_positions("f.yaml", 'a: "\\ud83d\\ude00"\n')
    assert data == {"a": "\U0001f600"}
    assert _error('a: "\\ude00\\ud83d"\n').code == "yaml.bad_unicode"
