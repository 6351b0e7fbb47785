"""A path's practical sign-off and its topic tests appear in the person's training record (培训档案)."""
from __future__ import annotations

import json
from datetime import date

from quiz.extensions import db
from quiz.paths import services
from quiz.sessions.records import entries
from tests.org.factories import make_user
from tests.paths.factories import make_bank_with_points, make_path, make_section, take, workers


def test_practical_sign_off_and_topic_tests_are_in_the_record(app, runner):
    with app.test_request_context():
        bank, _questions = make_bank_with_points()
        section, (team, _other) = make_section()
        path = make_path(bank, section)
        worker = workers(team, 1)[0]
        trainer = make_user("T9001", name="郭师傅", unit=section, roles={"trainer": [None]})
        take(worker, path.topics[0], right=True)
        services.sign_practical(path, worker, trainer, date(2026, 11, 20), "开停车顺序正确")
        db.session.commit()
        lines = entries([worker.id])[worker.id]
        practical = [e for e in lines if e.source == "practical"]
        assert len(practical) == 1
        assert "独立完成一次开停车" in practical[0].title and "郭师傅" in practical[0].result
        assert practical[0].at.year == 2026 and practical[0].passed
        assert any(e.source == "exam" and e.passed for e in lines), "the topic's test is in the record"
        assert entries([worker.id], year=2025)[worker.id] == []
        employee_no = worker.employee_no
    result = runner.invoke(args=["records", "person", employee_no, "--json"])
    assert result.exit_code == 0, result.output
    assert "独立完成一次开停车" in json.dumps(json.loads(result.output), ensure_ascii=False)
