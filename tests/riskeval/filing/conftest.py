from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import riskeval
from riskeval import Project, assess
from riskeval.ledger import Ledger, SigningKey


@pytest.fixture(scope="session")
def assessed(rs: riskeval.RuleSet) -> tuple[Project, riskeval.Assessment]:
    """One low-risk project and its assessment (computed once; records reuse it)."""
    project = Project(id="P-1", kind="project", unit="市交通局", facts=rs.tests[0].project["facts"])
    return project, assess(project, rs)


@pytest.fixture()
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture()
def grow_ledger(tmp_path: Path, key: SigningKey, assessed: tuple[Project, riskeval.Assessment]) -> Callable[[int], Ledger]:
    """``grow(n)``: the signed ledger with ``n`` more records (assessments, every third a decision)."""
    ledger = Ledger(tmp_path / "unit.sqlite", signing_key=key)
    project, assessment = assessed

    def grow(n: int) -> Ledger:
        for _ in range(n):
            if len(ledger) % 3 == 2:
                basis = ledger.last_assessment(project.id)
                assert basis is not None
                ledger.append_decision(project, "批准实施", actor="李四", basis=basis)
            else:
                ledger.append_assessment(project, assessment, actor="张三")
        return ledger

    return grow


def rewrite(path: Path, out: Path, change: Callable[[dict[str, bytes]], None], *, fix_manifest: bool = True) -> Path:
    """Copy the package ``path`` to ``out`` with its members changed by ``change`` (the manifest
    re-hashed to match when ``fix_manifest``: a careful tamperer)."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    change(members)
    if fix_manifest:
        manifest = json.loads(members["manifest.json"])
        manifest["files"] = {n: hashlib.sha256(members[n]).hexdigest() for n in manifest["files"] if n in members}
        members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out
