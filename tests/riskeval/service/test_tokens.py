"""Tokens file, ``riskeval token add`` and the problem mapping (no server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskeval.check import ProjectError
from riskeval.cli import app
from riskeval.gate import AssessmentIncomplete, AssessmentStale, GateBlocked
from riskeval.ledger import LedgerBusy, LedgerKeyError, LedgerTampered
from riskeval.ruleset import RuleSetNotFound
from riskeval.service.errors import BodyTooLarge, Forbidden, TokensFileError, Unauthorized
from riskeval.service.problems import problem_body, status_for
from riskeval.service.tokens import Role, TokenStore, add_token, hash_token, load_tokens


def test_token_add_prints_the_token_once_and_stores_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "tokens.yaml"
    result = CliRunner().invoke(app, ["token", "add", "--tokens", str(path), "--name", "市住建局评估组", "--role", "assessor"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) >= 40
    text = path.read_text(encoding="utf-8")
    assert token not in text and hash_token(token) in text and "市住建局评估组" in text
    assert (path.stat().st_mode & 0o777) == 0o600
    entry = TokenStore(path).lookup(token)
    assert entry is not None and entry.role is Role.assessor


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(["--role", "boss", "--name", "x"], "boss"), (["--role", "admin", "--name", "a|b"], "'|'")],
)
def test_token_add_refuses_bad_input(tmp_path: Path, args: list[str], fragment: str) -> None:
    result = CliRunner().invoke(app, ["token", "add", "--tokens", str(tmp_path / "t.yaml"), *args])
    assert result.exit_code == 2 and fragment in result.output
    assert not (tmp_path / "t.yaml").exists()


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    add_token(path, "组", "admin")
    with pytest.raises(TokensFileError):
        add_token(path, "组", "auditor")
    assert len(load_tokens(path)) == 1


@pytest.mark.parametrize(
    "text", ["{a: 1}", "- {name: x, role: admin}", "- {name: x, role: king, token_sha256: " + "0" * 64 + "}", "- [unclosed"]
)
def test_invalid_tokens_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TokensFileError) as info:
        load_tokens(path)
    assert str(path) in info.value.message("en")


def test_serve_reports_a_bad_tokens_file(tmp_path: Path) -> None:
    tokens = tmp_path / "t.yaml"
    tokens.write_text("{a: 1}", encoding="utf-8")
    args = ["serve", "--rules", "guiyang", "--ledger", str(tmp_path / "l.sqlite"), "--tokens", str(tokens), "--lang", "en"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "tokens file" in result.output


def test_serve_reports_a_bad_rule_set(tmp_path: Path) -> None:
    args = ["serve", "--rules", "no-such-rules", "--ledger", str(tmp_path / "l.sqlite"), "--tokens", str(tmp_path / "t")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0 and "no-such-rules" in result.output and "Traceback" not in result.output


def test_status_by_class() -> None:
    assert status_for(Unauthorized()) == 401
    assert status_for(Forbidden(name="n", role="auditor")) == 403
    assert status_for(RuleSetNotFound([])) == 422
    assert status_for(BodyTooLarge(limit=1)) == 413
    assert status_for(AssessmentStale("P", [("facts", {"names": "x"})])) == 409
    assert status_for(AssessmentIncomplete("P", "procedures", procedures=["听证"])) == 409
    assert status_for(GateBlocked("P", "reject", level="high", decision="reject")) == 409
    assert status_for(LedgerBusy(path="l", detail="locked")) == 503
    assert status_for(LedgerTampered("tampered", path="l")) == 409
    assert status_for(LedgerKeyError("key_required", path="l")) == 503
    assert status_for(ProjectError([])) == 422


def test_problem_body_has_both_languages_and_the_gate_code() -> None:
    body = problem_body(GateBlocked("P-9", "reject", level="high", decision="reject", regime="ndrc_project", seq=3), "en")
    assert body["code"] == "gate_blocked" and body["key"] == "gate.blocked.reject"
    assert "P-9" in body["message"]["zh"] and "P-9" in body["message"]["en"] and body["detail"] == body["message"]["en"]
    assert body["reason"] == "reject" and body["project_id"] == "P-9"


def test_serve_refuses_an_unsigned_ledger_unless_allowed(tmp_path: Path) -> None:
    from riskeval.ledger import generate_keys
    from riskeval.service.state import ensure_ledger

    base = ["serve", "--rules", "guiyang", "--ledger", str(tmp_path / "l.sqlite"), "--tokens", str(tmp_path / "t.yaml"), "--lang", "en"]
    result = CliRunner().invoke(app, base)
    assert result.exit_code == 2 and "--allow-unsigned" in result.output and not (tmp_path / "l.sqlite").exists()
    unsigned = tmp_path / "unsigned.sqlite"
    ensure_ledger(unsigned, allow_unsigned=True).close()
    key, _ = generate_keys(tmp_path / "keys")
    base[4] = str(unsigned)
    refused = CliRunner().invoke(app, [*base, "--signing-key", str(key)])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    signed = tmp_path / "signed.sqlite"
    ensure_ledger(signed, key).close()
    base[4] = str(signed)
    no_key = CliRunner().invoke(app, [*base, "--allow-unsigned"])
    assert no_key.exit_code != 0 and "key" in no_key.output and "Traceback" not in no_key.output


def test_serve_binds_to_loopback_by_default() -> None:
    import inspect

    from riskeval.cli import serve_cmd

    source = inspect.getsource(serve_cmd)
    assert 'typer.Option("--host", help="监听地址 / bind address")] = "127.0.0.1"' in source
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "127.0.0.1" in result.output
