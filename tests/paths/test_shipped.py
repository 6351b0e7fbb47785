"""The shipped learning paths (question_banks/paths/*.toml) and the demo:
every file loads onto the shipped banks; a file that does not fit creates
nothing and says why; ``demo load`` leaves the 矿制工区 crews at three stages."""
from __future__ import annotations

import json
import shutil

from sqlalchemy import func, select

from quiz.banks.shipped import SHIPPED_DIR, load_shipped_banks
from quiz.extensions import db
from quiz.org import demo as org_demo
from quiz.paths import shipped
from quiz.paths.models import Path, Topic


def test_read_path_file_says_what_is_wrong():
    data, errors = shipped.read_path_file('title = "x"\ngate = "everyone"\n', "bad.toml")
    assert data is None and "bad.toml: gate" in errors and "bad.toml: topics" in errors
    data, errors = shipped.read_path_file("title = ", "broken.toml")
    assert data is None and errors[0].startswith("broken.toml:")


def test_every_shipped_path_loads_onto_the_shipped_banks(app):
    org_demo.load_organisation()
    load_shipped_banks()
    files = sorted((SHIPPED_DIR / "paths").glob("*.toml"))
    assert files
    lines = shipped.load_shipped_paths()
    assert len(lines) == len(files) and all("未导入" not in line for line in lines), lines
    for path in db.session.scalars(select(Path)):
        assert path.topics, path.title
        for topic in path.topics:
            assert topic.exam.rules and topic.exam.attempts_allowed is None  # unlimited retests
    assert shipped.load_shipped_paths() == []  # idempotent


def test_a_file_whose_banks_cannot_fill_a_test_creates_nothing(app, tmp_path):
    org_demo.load_organisation()
    load_shipped_banks()
    (tmp_path / "paths").mkdir()
    shutil.copytree(SHIPPED_DIR / "articles", tmp_path / "articles")
    text = (SHIPPED_DIR / "paths" / "mogong.toml").read_text(encoding="utf-8")
    (tmp_path / "paths" / "mogong.toml").write_text(text.replace("count = 4", "count = 99", 1), encoding="utf-8")
    lines = shipped.load_shipped_paths(tmp_path)
    assert "未导入" in lines[0] and "不够抽 99 道" in lines[0]
    assert db.session.scalar(select(func.count()).select_from(Path)) == 0
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 0


def states_of(people, employee_no):
    return next(p["state"] for p in people if p["employee_no"] == employee_no)


def test_demo_load_puts_the_crews_at_three_stages(app, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "培训路径：矿制工区 · 磨工岗位培训路径" in result.output
    status = runner.invoke(args=["paths", "status", "矿制工区 · 磨工岗位培训路径", "--json"])
    data = json.loads(status.output)
    crews = {c["unit"].rsplit("/", 1)[-1]: c for c in data["crews"]}
    people = data["people"]
    one = crews["磨矿一班"]  # past topic 2: on topic 3, or done when the path has two topics
    assert one["open_topic"] == min(3, len(data["topics"]))
    assert all(states_of(people, no) != "remediation" for no in one["blocking"])
    two = crews["磨矿二班"]
    assert two["open_topic"] == 2 and len(two["blocking"]) == 2  # blocked by two people…
    states = {p["employee_no"]: p["state"] for p in people}
    assert sorted(states[no] for no in two["blocking"]) == ["remediation", "studying"]  # …one in remediation
    assert crews["化灰班"]["open_topic"] == 1  # just starting
