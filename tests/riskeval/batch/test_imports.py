"""What the batch command and the package entry points import: start-up is part of a batch's time.

Each check runs in a fresh interpreter (``sys.modules`` of the test process holds everything) and asserts on the
modules loaded, never on a time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from riskeval.batch.synthetic import write_csv as write_synthetic

from .conftest import JIANGSU

#: never needed by a CSV batch on the column path (its main process)
NOT_IN_BATCH = (
    "pandas",
    "fastapi",
    "starlette",
    "uvicorn",
    "scipy",
    "networkx",
    "ortools",
    "openpyxl",
    "docx",
    "jinja2",
    "rich",
    "durable",
    "expert_pool",
    "riskeval.batch.diff",
    "riskeval.batch.impact_run",
    "riskeval.gate",
    "riskeval.ledger",
    "riskeval.report",
    "riskeval.service",
    "riskeval.web",
)

_MODULES = "import json, sys; print(json.dumps(sorted(sys.modules)))"


def _loaded(code: str, *args: str, status: int = 0) -> set[str]:
    """The modules loaded by ``code`` (which must leave ``sys.modules`` printed as the last output line)."""
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == status, proc.stderr
    return set(json.loads(proc.stdout.splitlines()[-1]))


def _present(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_csv_batch_main_process_imports_only_the_column_path(tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    write_synthetic(src, 300, seed=7, bad_fraction=0.02)
    code = (  # the command ends the process: its atexit handlers still run
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps(sorted(sys.modules))))\n"
        "sys.argv = ['riskeval', *sys.argv[1:]]\n"
        "from riskeval.cli import main\n"
        "main()\n"
    )
    out = tmp_path / "out.csv"
    # exit status 1: the bad rows are reported (they went through the row path in this process)
    loaded = _loaded(code, "batch", str(src), "--rules", JIANGSU, "--out", str(out), "--workers", "1", status=1)
    assert out.exists() and len(out.read_text(encoding="utf-8").splitlines()) == 301
    assert "riskeval.batch.column.driver" in loaded  # the column path ran
    assert _present(loaded, NOT_IN_BATCH) == []


def test_import_riskeval_loads_no_dependency() -> None:
    loaded = _loaded("import riskeval; " + _MODULES)
    assert _present(loaded, ("pydantic", "yaml", "numpy", "typer", "riskeval.pipeline", "riskeval.ruleset")) == []
    # riskeval.assess: the former module path of riskeval.pipeline, a placeholder that imports nothing yet;
    # riskeval._lazy: the package's own lazy-names helper (it imports only importlib)
    assert sorted(m for m in loaded if m.startswith("riskeval")) == ["riskeval", "riskeval._lazy", "riskeval.assess"]


def test_import_cli_loads_neither_models_nor_rule_sets() -> None:
    loaded = _loaded("import riskeval.cli; " + _MODULES)
    assert _present(loaded, ("pydantic", "yaml", "numpy", "riskeval.check", "riskeval.ruleset", "riskeval.batch")) == []


def test_batch_package_loads_its_modules_on_first_use() -> None:
    loaded = _loaded("import riskeval.batch.run; " + _MODULES)
    assert _present(loaded, ("riskeval.batch.diff", "riskeval.batch.impact_run")) == []
    loaded = _loaded("from riskeval.batch import run_diff; " + _MODULES)
    assert "riskeval.batch.impact_run" in loaded


def test_assess_is_the_function_whatever_was_imported() -> None:
    import riskeval.batch.runner  # noqa: F401  (imports riskeval.pipeline)

    assert callable(riskeval.assess) and riskeval.assess is riskeval.pipeline.assess
    assert riskeval.load_project is riskeval.pipeline.load_project
    from riskeval import assess

    assert assess is riskeval.pipeline.assess


def test_the_former_module_path_still_imports_and_never_shadows_the_function() -> None:
    code = (
        "import riskeval\n"
        "from riskeval.assess import evaluate_facts, project_from_data, project_hash\n"
        "import riskeval.assess\n"
        "import riskeval.pipeline as pipeline\n"
        "assert riskeval.assess is pipeline.assess and callable(riskeval.assess)\n"
        "assert (evaluate_facts, project_from_data, project_hash) == "
        "(pipeline.evaluate_facts, pipeline.project_from_data, pipeline.project_hash)\n"
        "former = __import__('sys').modules['riskeval.assess']\n"
        "assert former.__all__ == pipeline.__all__\n"
        "assert all(getattr(former, name) is getattr(pipeline, name) for name in former.__all__)\n"
        "assert getattr(former, '__file__', None) is None\n" + _MODULES
    )
    assert "riskeval.pipeline" in _loaded(code)


def test_every_public_name_resolves() -> None:
    import riskeval.batch

    for module in (riskeval, riskeval.batch):
        for name in module.__all__:
            assert getattr(module, name) is not None, (module.__name__, name)
        assert set(module.__all__) <= set(dir(module))


def test_subpackages_are_attributes_and_unknown_names_are_not() -> None:
    code = (
        "import riskeval, riskeval.batch\n"
        "assert riskeval.ruleset.load_ruleset is riskeval.load_ruleset\n"
        "assert riskeval.batch.writers.open_writer is riskeval.batch.open_writer\n"
        "for module, name in ((riskeval, 'no_such_name'), (riskeval.batch, 'no_such_name'), (riskeval, '_x')):\n"
        "    try:\n        getattr(module, name)\n    except AttributeError:\n        pass\n"
        "    else:\n        raise SystemExit(name)\n" + _MODULES
    )
    loaded = _loaded(code)
    assert "riskeval.ruleset" in loaded and "riskeval.batch.writers" in loaded


def _batch_stderr(tmp_path: Path, src: Path, rules: str) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "riskeval", "batch", str(src), "--rules", rules, "--out", str(tmp_path / "o.csv"),
         "--workers", "0", "--lang", "en"],
        capture_output=True, text=True, timeout=300,
    )
    return proc.returncode, proc.stderr


def test_cli_error_headers_without_the_error_modules_imported_by_the_cli(tmp_path: Path) -> None:
    """The CLI classifies rule-set and project errors without importing their modules itself."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: [\n", encoding="utf-8")
    code, err = _batch_stderr(tmp_path, tmp_path / "none.csv", str(bad))
    assert code == 1 and err.startswith("the rule set has errors:\n"), err
    src = tmp_path / "p.csv"
    write_synthetic(src, 3, seed=7)
    text = src.read_text(encoding="utf-8").splitlines()
    src.write_text("\n".join([text[0] + ",no_such_column"] + [line + ",1" for line in text[1:]]) + "\n", encoding="utf-8")
    code, err = _batch_stderr(tmp_path, src, JIANGSU)
    assert code == 1 and err.startswith("the project data have errors:\n") and "no_such_column" in err, err
