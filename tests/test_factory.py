"""The factory hides nothing: a domain module that cannot be imported stops the
app at start-up instead of quietly leaving its pages out."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = "from quiz import create_app; create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); print('started')"


def _start(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", START], cwd=project, env={**os.environ, "PYTHONPATH": str(project)},
                          capture_output=True, text=True, timeout=120)


def test_a_misspelt_domain_module_fails_at_start_up(tmp_path):
    shutil.copytree(ROOT / "quiz", tmp_path / "quiz", ignore=shutil.ignore_patterns("__pycache__"))
    for shared in ("static", "templates"):
        (tmp_path / shared).symlink_to(ROOT / shared)
    assert "started" in _start(tmp_path).stdout  # the copy starts as the original does
    init = tmp_path / "quiz" / "paths" / "__init__.py"
    init.write_text(init.read_text().replace("models, record, services", "models, recrod, services"))

    result = _start(tmp_path)

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImportError: cannot import name 'recrod' from 'quiz.paths'" in result.stderr


def test_every_domain_adds_its_pages(app):
    blueprints = set(app.blueprints)
    assert {"org", "org_roster", "auth", "banks", "drafts", "exams", "exams_trainer", "certificates", "reports",
            "paths", "sessions", "web"} <= blueprints
    assert {"users", "demo", "banks", "exams", "certificates", "reports", "paths", "sessions", "records"} <= set(
        app.cli.commands)
