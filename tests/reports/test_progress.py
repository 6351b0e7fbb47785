"""``exam_progress``: kept right by the exam engine through every change of an
attempt, reproduced by ``flask reports rebuild-progress``, and read by the
reports with exactly the figures that grouping the attempts gives."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import and_, case, delete, func, or_, select

from quiz.auth.scopes import scope_for
from quiz.db import utcnow
from quiz.exams.attempt import answers as attempt_answers
from quiz.exams.attempt import finish as attempt_finish
from quiz.exams.attempt import start as attempt_start
from quiz.exams.trainer import grading_queue as queue
from quiz.exams.trainer import person_actions
from quiz.exams.models import Assignment, Attempt, ExamProgress
from quiz.extensions import db
from quiz.reports import progress
from quiz.exams.assignments.assignees import assignee_pairs
from quiz.reports.filters import Filters
from quiz.reports.report import Report
from tests.banks.factories import RIGHT, WRONG
from tests.exams.factories import make_attempt, ore_exam, setup_org
from tests.reports.factories import build_org, grow


@pytest.fixture
def org(app):
    """Here the exam tests' trainers' organisation (``setup_org``), not the reports' one."""
    return setup_org()


@pytest.fixture
def exam(org):
    return ore_exam(org)


def progress_rows() -> list[tuple]:
    t = ExamProgress.__table__
    return [tuple(r) for r in db.session.execute(select(t).order_by(t.c.exam_id, t.c.user_id, t.c.assignment_key))]


def assert_rebuild_agrees() -> list[tuple]:
    """What the hooks left equals what a rebuild writes (and the rebuild is rolled back)."""
    kept = progress_rows()
    progress.rebuild()
    rebuilt = progress_rows()
    db.session.rollback()
    assert kept == rebuilt
    return kept


def figures(person, viewer) -> tuple:
    [row] = Report(scope_for(viewer, "view")).people(extra=(person.__class__.id == person.id,))
    return row.status, row.attempts, row.best_score


def answer_all(attempt, answers, now, seq=1):
    for item in attempt.items:
        attempt_answers.save_answer(attempt, item.position, answers[item.revision.type], seq=seq, now=now)


def test_progress_follows_the_attempt_through_start_submit_grade_reopen_and_another_attempt(org, exam):
    miller, trainer = org["miller"], org["trainer"]
    now = utcnow()
    assert figures(miller, trainer) == ("not_started", 0, None)

    attempt = attempt_start.start_attempt(miller, exam, now=now)
    db.session.commit()
    assert figures(miller, trainer) == ("in_progress", 1, None)
    before = assert_rebuild_agrees()

    answer_all(attempt, RIGHT, now)  # saving answers changes no figure
    db.session.commit()
    assert assert_rebuild_agrees() == before

    attempt_finish.submit(attempt, now=now)  # the short answer waits for a trainer
    db.session.commit()
    assert figures(miller, trainer) == ("in_progress", 1, 8.0)
    assert_rebuild_agrees()

    [item] = db.session.scalars(queue.grading_queue(scope_for(trainer, "train"))).all()
    queue.grade_item(item, 1.5, "", trainer)
    db.session.commit()
    assert figures(miller, trainer) == ("passed", 1, 9.5)
    assert_rebuild_agrees()

    person_actions.reopen(db.session.get(Attempt, attempt.id), 10, trainer, now=now)
    db.session.commit()
    assert figures(miller, trainer) == ("in_progress", 1, None)
    assert_rebuild_agrees()

    attempt = db.session.get(Attempt, attempt.id)
    answer_all(attempt, WRONG, now, seq=2)  # the reopened attempt kept its answers: these are newer
    attempt_finish.submit(attempt, now=now)
    db.session.commit()
    [item] = db.session.scalars(queue.grading_queue(scope_for(trainer, "train"))).all()
    queue.grade_item(item, 0, "", trainer)
    db.session.commit()
    assert figures(miller, trainer) == ("failed", 1, 0.0)
    assert_rebuild_agrees()

    person_actions.give_extra_attempt(exam, miller, trainer)
    db.session.commit()
    later = now + timedelta(minutes=40)
    second = attempt_start.start_attempt(miller, exam, now=later)
    db.session.commit()
    assert figures(miller, trainer) == ("in_progress", 2, 0.0)
    answer_all(second, RIGHT, later)
    attempt_finish.submit(second, now=later)
    db.session.commit()
    [item] = db.session.scalars(queue.grading_queue(scope_for(trainer, "train"))).all()
    queue.grade_item(item, 2, "", trainer)
    db.session.commit()
    assert figures(miller, trainer) == ("passed", 2, 10.0)
    rows = assert_rebuild_agrees()
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [(exam.id, miller.id, 2, progress.STATUS_CODES["passed"])]


def test_the_clock_finalising_an_overdue_attempt_keeps_progress(org, exam):
    now = utcnow()
    attempt_start.start_attempt(org["miller"], exam, now=now)
    db.session.commit()
    attempt_finish.finalise_overdue(now + timedelta(hours=2))
    db.session.commit()
    assert figures(org["miller"], org["trainer"])[0] == "failed"
    assert_rebuild_agrees()


def test_rebuild_progress_command_restores_the_rows(app, runner):
    build_org()
    kept = progress_rows()
    assert kept
    db.session.execute(delete(ExamProgress.__table__))
    db.session.commit()
    result = runner.invoke(args=["reports", "rebuild-progress"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert progress_rows() == kept


def reference_statuses(assignment_ids) -> set[tuple]:
    """The statement the reports used before ``exam_progress``: every figure grouped from the attempts."""
    pairs = assignee_pairs(assignment_ids).subquery("pairs")
    a = Attempt
    submitted = a.status == "submitted"
    passed = func.max(case((a.passed.is_(True), 1), else_=0))
    open_ = func.max(case((or_(a.status == "in_progress", and_(submitted, a.passed.is_(None))), 1), else_=0))
    finished = func.max(case((submitted, 1), else_=0))
    status = case((passed == 1, "passed"), (open_ == 1, "in_progress"), (finished == 1, "failed"),
                  else_="not_started")
    pct = case((and_(submitted, a.max_score > 0), a.score * 100.0 / a.max_score))
    query = (
        select(pairs.c.assignment_id, pairs.c.user_id, func.count(a.id), status,
               func.max(case((submitted, a.score))), func.max(pct),
               func.min(case((submitted, a.submitted_at))), func.min(case((a.passed.is_(True), a.submitted_at))),
               func.max(a.started_at))
        .select_from(pairs)
        .join(Assignment, Assignment.id == pairs.c.assignment_id)
        .outerjoin(a, and_(a.user_id == pairs.c.user_id, a.exam_id == Assignment.exam_id, a.counted.is_(True),
                           or_(a.assignment_id == Assignment.id, a.assignment_id.is_(None))))
        .group_by(pairs.c.assignment_id, pairs.c.user_id)
    )
    return {tuple(r) for r in db.session.execute(query)}


def test_every_pair_has_the_figures_grouping_the_attempts_gives(app):
    o = build_org()
    grow(o)
    now = utcnow()
    # attempts for the assignment and for none, at the same exam, and one for another assignment of it
    other = Assignment(exam_id=o.exam1.id, title="补考", created_at=now)
    db.session.add(other)
    db.session.flush()
    make_attempt(o.e2, o.exam1, None, score=95, started_at=now - timedelta(hours=3))
    make_attempt(o.e2, o.exam1, other, score=30, started_at=now - timedelta(hours=2), number=3)
    make_attempt(o.e4, o.exam1, None, status="submitted", score=70, passed=None, started_at=now)  # waits for grading
    make_attempt(o.a2, o.exam1, None, status="in_progress", started_at=now, number=2)
    db.session.commit()
    report = Report(scope_for(o.admin, "view"), Filters(), now=now)
    ids = list(report.assignments)
    ours = {(r[0], r[1], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
            for r in db.session.execute(report.statuses())}
    assert ours == reference_statuses(ids)
    assert len(ours) == len(db.session.execute(assignee_pairs(ids)).all())


@pytest.mark.parametrize("viewer", ["admin", "head_e"])
def test_unit_counts_match_the_people(app, viewer):
    o = build_org()
    grow(o, sections=2, teams=2, people=4)
    report = Report(scope_for(getattr(o, viewer), "view"))
    people = report.people()
    for info, counts in report.totals():
        mine = [r for r in people if r.assignment_id == info.id]
        assert counts.assigned == len(mine)
        assert counts.passed == sum(r.status == "passed" for r in mine)
        assert counts.in_progress == sum(r.status == "in_progress" for r in mine)
        assert counts.failed == sum(r.status == "failed" for r in mine)
    scored = [r.best_pct for r in people if r.best_pct is not None]
    assert sum(report.histogram()) == len(scored)
