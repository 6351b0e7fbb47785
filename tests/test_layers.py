"""The layer contract in pyproject.toml (``[tool.importlinter]``) holds, and
import-linter would catch a lower layer importing a higher one.

import-linter runs in a subprocess: it finds the ``quiz`` package through
``sys.path``, and the second test points it at a copy of the package.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def _lint(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([str(LINT), "--no-cache", "--no-logo", str(project / "pyproject.toml")],
                          cwd=project, env=env, capture_output=True, text=True, timeout=120)


def test_the_layer_contract_holds():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_backward_import_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "quiz", tmp_path / "quiz", ignore=shutil.ignore_patterns("__pycache__", "translations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert _lint(tmp_path).returncode == 0  # the copy is as sound as the original
    models = tmp_path / "quiz" / "org" / "models.py"  # the lowest domain learns of the top layer
    models.write_text(models.read_text() + "\nfrom quiz.web import nav  # noqa: E402,F401\n")

    result = _lint(tmp_path)

    assert result.returncode != 0
    assert "quiz.org is not allowed to import quiz.web" in result.stdout
    assert "quiz.org.models -> quiz.web.nav" in result.stdout


def test_every_package_and_module_of_quiz_has_a_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    named = {name.strip().strip("()") for layer in contract["layers"] for name in layer.replace("|", ":").split(":")}
    present = {f"quiz.{p.stem}" for p in (ROOT / "quiz").iterdir()
               if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    assert present - named == set()  # a module outside every layer would escape the contract
