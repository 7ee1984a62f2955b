"""备案: export, offline verification and the receiving registry, with every refusal."""

from __future__ import annotations

import base64
import json
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from riskeval.errors import exit_code_for
from riskeval.filing import (
    FilingExportError,
    FilingInputError,
    FilingNotContinuing,
    FilingOutOfOrder,
    FilingReplayed,
    FilingTampered,
    FilingUnsafeEntry,
    Registry,
    export_filing,
    import_filing,
    verify_filing,
)
from riskeval.ledger import GENESIS, Ledger, SigningKey
from riskeval.ledger.records import canonical_json, record_leaf

from .conftest import rewrite

Grow = Callable[[int], Ledger]


def test_round_trip_two_filings(grow_ledger: Grow, tmp_path: Path) -> None:
    ledger = grow_ledger(5)
    first = export_filing(ledger, 1, tmp_path / "f1.zip")
    assert (first.since, first.size, first.count, first.link) == (1, 5, 5, GENESIS)
    head = ledger.head()
    assert head is not None and first.head == head.record_hash
    report = verify_filing(tmp_path / "f1.zip")
    assert report.ok, report.message("en")
    assert [r["record_hash"] for r in report.records] == [r.record_hash for r in ledger.records()]

    reg = tmp_path / "registry.sqlite"
    result = import_filing(tmp_path / "f1.zip", reg, label="市交通局")
    assert result.first and result.gap is None and result.count == 5

    grow_ledger(4)
    second = export_filing(ledger, 6, tmp_path / "f2.zip")
    assert second.link == first.head and second.count == 4
    assert verify_filing(tmp_path / "f2.zip").ok
    result = import_filing(tmp_path / "f2.zip", reg)
    assert not result.first and (result.since, result.size) == (6, 9)
    with Registry(reg) as r:
        (unit,) = r.units()
        assert (unit.filings, unit.size, unit.gaps, unit.label) == (2, 9, (), "市交通局")
        assert [x["record_hash"] for x in r.records(unit.key_id)] == [x.record_hash for x in ledger.records()]


def test_verify_against_a_given_public_key(grow_ledger: Grow, tmp_path: Path) -> None:
    export_filing(grow_ledger(2), 1, tmp_path / "f.zip")
    other = SigningKey.generate().public
    report = verify_filing(tmp_path / "f.zip", public_key=other)
    assert report.problem == "key"


def _change_record(seq_index: int, **changes: object) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        lines = members["records.jsonl"].decode().splitlines()
        record = json.loads(lines[seq_index])
        record.update(changes)
        lines[seq_index] = canonical_json(record)
        members["records.jsonl"] = ("\n".join(lines) + "\n").encode()

    return change


def test_record_changed_is_named(grow_ledger: Grow, tmp_path: Path) -> None:
    export_filing(grow_ledger(4), 1, tmp_path / "f.zip")
    bad = rewrite(tmp_path / "f.zip", tmp_path / "bad.zip", _change_record(2, actor="王五"))
    report = verify_filing(bad)
    assert (report.problem, report.params) == ("record", {"seq": 3})
    assert "#3" in report.message("en") and "第 3 号" in report.message("zh")
    with pytest.raises(FilingTampered) as info:
        import_filing(bad, tmp_path / "reg.sqlite")
    assert exit_code_for(info.value) == 1 and "seq" in json.dumps(info.value.to_dict())


def test_record_changed_and_rehashed_breaks_the_signed_root(grow_ledger: Grow, tmp_path: Path) -> None:
    export_filing(grow_ledger(4), 1, tmp_path / "f.zip")

    def forge(members: dict[str, bytes]) -> None:
        lines = members["records.jsonl"].decode().splitlines()
        record = json.loads(lines[-1])
        record["actor"] = "王五"
        from riskeval.ledger.records import HASHED_COLUMNS

        record["record_hash"] = record_leaf([record[c] for c in HASHED_COLUMNS]).hex()
        lines[-1] = canonical_json(record)
        members["records.jsonl"] = ("\n".join(lines) + "\n").encode()
        info = json.loads(members["filing.json"])
        info["head"] = record["record_hash"]
        members["filing.json"] = canonical_json(info).encode()

    report = verify_filing(rewrite(tmp_path / "f.zip", tmp_path / "bad.zip", forge))
    assert report.problem == "root"


def test_record_removed_breaks_the_sequence(grow_ledger: Grow, tmp_path: Path) -> None:
    export_filing(grow_ledger(4), 1, tmp_path / "f.zip")

    def drop(members: dict[str, bytes]) -> None:
        lines = members["records.jsonl"].decode().splitlines()
        del lines[1]
        members["records.jsonl"] = ("\n".join(lines) + "\n").encode()

    report = verify_filing(rewrite(tmp_path / "f.zip", tmp_path / "bad.zip", drop))
    assert (report.problem, report.params) == ("sequence", {"expected": 2, "found": 3})


def test_member_changed_without_the_manifest(grow_ledger: Grow, tmp_path: Path) -> None:
    export_filing(grow_ledger(3), 1, tmp_path / "f.zip")
    bad = rewrite(tmp_path / "f.zip", tmp_path / "bad.zip", _change_record(0, actor="王五"), fix_manifest=False)
    report = verify_filing(bad)
    assert (report.problem, report.params["name"]) == ("manifest", "records.jsonl")


def test_manifest_changed(grow_ledger: Grow, tmp_path: Path) -> None:
    export_filing(grow_ledger(3), 1, tmp_path / "f.zip")

    def change(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        manifest["files"]["checkpoint.json"] = "0" * 64
        members["manifest.json"] = json.dumps(manifest).encode()

    report = verify_filing(rewrite(tmp_path / "f.zip", tmp_path / "bad.zip", change, fix_manifest=False))
    assert report.problem == "manifest" and report.params == {"name": "checkpoint.json", "detail": "sha256"}

    def drop_member(members: dict[str, bytes]) -> None:
        del members["consistency.json"]

    report = verify_filing(rewrite(tmp_path / "f.zip", tmp_path / "bad2.zip", drop_member, fix_manifest=False))
    assert report.problem == "manifest" and report.params == {"name": "consistency.json", "detail": "missing"}


def test_signature_changed(grow_ledger: Grow, tmp_path: Path) -> None:
    export_filing(grow_ledger(3), 1, tmp_path / "f.zip")

    def change(members: dict[str, bytes]) -> None:
        cp = json.loads(members["checkpoint.json"])
        sig = bytearray(base64.b64decode(cp["signature"]))
        sig[0] ^= 1
        cp["signature"] = base64.b64encode(bytes(sig)).decode()
        members["checkpoint.json"] = canonical_json(cp).encode()

    report = verify_filing(rewrite(tmp_path / "f.zip", tmp_path / "bad.zip", change))
    assert report.problem == "signature"


def test_checkpoint_resigned_by_another_key(grow_ledger: Grow, tmp_path: Path) -> None:
    """Everything replaced by a forger's key: the package is consistent, but it is another unit."""
    export_filing(grow_ledger(3), 1, tmp_path / "f.zip")
    forger = SigningKey.generate()

    def change(members: dict[str, bytes]) -> None:
        info = json.loads(members["filing.json"])
        info["public_key"] = forger.public.raw.hex()
        members["filing.json"] = canonical_json(info).encode()

    report = verify_filing(rewrite(tmp_path / "f.zip", tmp_path / "bad.zip", change))
    assert report.problem == "key"


def test_replay_is_refused(grow_ledger: Grow, tmp_path: Path) -> None:
    ledger = grow_ledger(3)
    export_filing(ledger, 1, tmp_path / "f.zip")
    reg = tmp_path / "reg.sqlite"
    import_filing(tmp_path / "f.zip", reg)
    with pytest.raises(FilingReplayed) as info:
        import_filing(tmp_path / "f.zip", reg)
    assert exit_code_for(info.value) == 1 and info.value.code == "filing.replayed"
    export_filing(ledger, 1, tmp_path / "again.zip")  # the same records, packed again later
    with pytest.raises(FilingReplayed):
        import_filing(tmp_path / "again.zip", reg)
    with Registry(reg) as r:
        assert r.units()[0].filings == 1


def test_skipping_a_filing_is_refused_with_the_gap(grow_ledger: Grow, tmp_path: Path) -> None:
    ledger = grow_ledger(3)
    export_filing(ledger, 1, tmp_path / "a.zip")
    grow_ledger(3)
    export_filing(ledger, 4, tmp_path / "b.zip")
    grow_ledger(3)
    export_filing(ledger, 7, tmp_path / "c.zip")
    reg = tmp_path / "reg.sqlite"
    import_filing(tmp_path / "a.zip", reg)
    with pytest.raises(FilingOutOfOrder) as info:
        import_filing(tmp_path / "c.zip", reg)
    assert (info.value.params["first"], info.value.params["last"]) == (4, 6)
    assert "#4–#6" in info.value.message("en")
    import_filing(tmp_path / "b.zip", reg)
    assert import_filing(tmp_path / "c.zip", reg).size == 9


def test_overlap_is_refused(grow_ledger: Grow, tmp_path: Path) -> None:
    ledger = grow_ledger(3)
    export_filing(ledger, 1, tmp_path / "a.zip")
    grow_ledger(2)
    export_filing(ledger, 2, tmp_path / "b.zip")
    reg = tmp_path / "reg.sqlite"
    import_filing(tmp_path / "a.zip", reg)
    with pytest.raises(FilingNotContinuing) as info:
        import_filing(tmp_path / "b.zip", reg)
    assert info.value.reason == "overlap" and info.value.params["next"] == 4


def test_a_rewritten_ledger_does_not_continue(grow_ledger: Grow, tmp_path: Path) -> None:
    """A package that verifies on its own but whose link or base root is not the last filing's."""
    ledger = grow_ledger(3)
    export_filing(ledger, 1, tmp_path / "a.zip")
    grow_ledger(2)
    export_filing(ledger, 4, tmp_path / "b.zip")
    reg_path = tmp_path / "reg.sqlite"
    import_filing(tmp_path / "a.zip", reg_path)
    report = verify_filing(tmp_path / "b.zip")
    with Registry(reg_path) as reg:
        with pytest.raises(FilingNotContinuing) as info:
            reg.import_report(replace(report, link="ab" * 32))
        assert info.value.reason == "link" and exit_code_for(info.value) == 1
        with pytest.raises(FilingNotContinuing) as info:
            reg.import_report(replace(report, base_root="cd" * 32))
        assert info.value.reason == "checkpoint"
        with pytest.raises(FilingNotContinuing) as info:
            reg.import_report(replace(report, meta_hash="ef" * 32))
        assert info.value.reason == "meta"
        assert reg.import_report(report).size == 5


def test_first_filing_after_record_one_reports_the_gap(grow_ledger: Grow, tmp_path: Path) -> None:
    ledger = grow_ledger(6)
    export_filing(ledger, 4, tmp_path / "late.zip")
    reg = tmp_path / "reg.sqlite"
    result = import_filing(tmp_path / "late.zip", reg)
    assert result.first and result.gap == (1, 3)
    assert "#1–#3" in result.message("en")
    with Registry(reg) as r:
        assert r.units()[0].gaps == ((1, 3),)


def test_zip_path_escape_is_refused(grow_ledger: Grow, tmp_path: Path) -> None:
    export_filing(grow_ledger(2), 1, tmp_path / "f.zip")
    for name in ("../evil.txt", "/etc/evil", "a/../../evil", "..\\evil"):
        bad = tmp_path / "bad.zip"
        with zipfile.ZipFile(tmp_path / "f.zip") as src, zipfile.ZipFile(bad, "w") as dst:
            for item in src.namelist():
                dst.writestr(item, src.read(item))
            dst.writestr(zipfile.ZipInfo(name), b"x")
        with pytest.raises(FilingUnsafeEntry) as info:
            verify_filing(bad)
        assert exit_code_for(info.value) == 1 and info.value.params["name"] == name
    assert not (tmp_path.parent / "evil.txt").exists()


def test_not_a_zip_and_not_a_filing(tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_text("not a zip", encoding="utf-8")
    with pytest.raises(FilingInputError) as info:
        verify_filing(tmp_path / "x.zip")
    assert exit_code_for(info.value) == 2
    with zipfile.ZipFile(tmp_path / "y.zip", "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(FilingInputError) as info:
        verify_filing(tmp_path / "y.zip")
    assert info.value.code == "filing.in.not_filing"
    with pytest.raises(FilingInputError):
        verify_filing(tmp_path / "missing.zip")


def test_export_refusals(grow_ledger: Grow, tmp_path: Path, assessed: tuple) -> None:
    ledger = grow_ledger(2)
    for since in (0, 3):
        with pytest.raises(FilingExportError) as info:
            export_filing(ledger, since, tmp_path / "f.zip")
        assert exit_code_for(info.value) == 2
    unsigned = Ledger(tmp_path / "unsigned.sqlite")
    project, assessment = assessed
    unsigned.append_assessment(project, assessment, actor="张三")
    with pytest.raises(FilingExportError) as info:
        export_filing(unsigned, 1, tmp_path / "u.zip")
    assert info.value.code == "filing.export.unsigned"
    assert not (tmp_path / "f.zip").exists() and not (tmp_path / "u.zip").exists()


def test_a_registry_file_of_another_kind(tmp_path: Path, grow_ledger: Grow) -> None:
    export_filing(grow_ledger(1), 1, tmp_path / "f.zip")
    from riskeval.filing import FilingRegistryError

    with pytest.raises(FilingRegistryError) as info:
        import_filing(tmp_path / "f.zip", tmp_path / "unit.sqlite")  # the ledger itself
    assert exit_code_for(info.value) == 2


def test_the_example_year_files_in_two_parts(tmp_path: Path) -> None:
    """Tracking and measure records are filed like the others (the package is kind-agnostic)."""
    from ...city_year import city_year

    year = city_year()
    ledger = Ledger(year.ledger, create=False, read_only=True, public_key=year.public_key)
    size = len(ledger)
    first = export_filing(ledger, 1, tmp_path / "h1.zip")
    assert first.size == size
    reg = tmp_path / "reg.sqlite"
    half = size // 2
    export_filing(ledger, half + 1, tmp_path / "h2.zip")
    report = verify_filing(tmp_path / "h2.zip", public_key=year.public_key)
    assert report.ok and report.count == size - half
    assert {r["kind"] for r in report.records} == {"assessment", "decision", "tracking", "measure"}
    result = import_filing(tmp_path / "h2.zip", reg)
    assert result.gap == (1, half)
