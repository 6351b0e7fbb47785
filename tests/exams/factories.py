"""Exams, assignments, attempts and answers for every test: plain callables
with overridable defaults. Attempts made directly are left the way the exam
engine leaves them (``exam_progress`` kept current, ``attempt_graded`` sent on
request), for tests that need results without taking the exam."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from quiz.banks.models import Article, Question
from quiz.db import utcnow
from quiz.exams.assignments import assigning
from quiz.exams.trainer import exam_setup
from quiz.exams.models import Assignment, AssignmentTarget, Attempt, AttemptItem, DrawRule, Exam, ExamItem
from quiz.exams.signals import attempt_changed, attempt_graded
from quiz.extensions import db
from quiz.org.models import JobType, Unit, User
from tests.banks.factories import make_bank, make_question
from tests.org.factories import make_unit, make_user

_n = itertools.count(1)


def make_exam(questions=(), *, rules=(), points: float = 1.0, assign_to=None, title: str | None = None,
              due_in_days: int | None = 7, article: Article | None = None, commit: bool = True, **settings) -> Exam:
    """An exam with ``questions`` as fixed items, ``rules`` as DrawRule kwargs,
    assigned (when ``assign_to`` is a user) to that person."""
    settings.setdefault("pass_mark", 60.0 * len(questions) * points / 100 if questions else 0)
    exam = Exam(title=title or f"考试{next(_n)}", article=article, **settings)
    for i, q in enumerate(questions):
        exam.items.append(ExamItem(question_id=q.id, position=i, points=points))
    for rule in rules:
        exam.rules.append(DrawRule(**rule))
    db.session.add(exam)
    db.session.flush()
    if assign_to is not None:
        assign(exam, user=assign_to, due_in_days=due_in_days)
    if commit:
        db.session.commit()
    return exam


def assign(exam: Exam, *, user=None, unit=None, job_type=None, due_in_days: int | None = 7) -> Assignment:
    """The exam assigned to one person, unit or job type, under the exam's title, due in a week."""
    target = AssignmentTarget(user_id=user.id if user else None, unit_id=unit.id if unit else None,
                              job_type_id=job_type.id if job_type else None)
    assignment = Assignment(exam_id=exam.id, title=exam.title, targets=[target],
                            due_at=utcnow() + timedelta(days=due_in_days) if due_in_days is not None else None)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def make_assignment(exam: Exam, *, units: list[Unit] = (), job_types: list[JobType] = (), users: list[User] = (),
                    due_at: datetime | None = None, title: str = "", created_at: datetime | None = None) -> Assignment:
    """An assignment with one target per unit, job type and person given."""
    targets = ([AssignmentTarget(unit_id=unit.id) for unit in units]
               + [AssignmentTarget(job_type_id=job_type.id) for job_type in job_types]
               + [AssignmentTarget(user_id=user.id) for user in users])
    with db.session.no_autoflush:
        assignment = Assignment(exam_id=exam.id, title=title, due_at=due_at, created_at=created_at or utcnow(),
                                targets=targets)
        db.session.add(assignment)
    db.session.flush()
    return assignment


def make_attempt(user: User, exam: Exam, assignment: Assignment | None = None, *, status: str = "submitted",
                 score: float | None = None, max_score: float = 100.0, passed: bool | None = None,
                 started_at: datetime | None = None, submitted_at: datetime | None = None, counted: bool = True,
                 mode: str | None = None, number: int = 1, graded: bool = False) -> Attempt:
    """An attempt as the exam engine leaves it: a submitted one passes when its score reaches the pass
    mark; ``exam_progress`` is kept current; ``graded`` sends ``attempt_graded`` (which issues the
    certificate it earns) for a submitted attempt with a result."""
    started_at = started_at or utcnow() - timedelta(hours=1)
    if status == "submitted" and submitted_at is None:
        submitted_at = started_at + timedelta(minutes=20)
    if status == "submitted" and passed is None and score is not None:
        passed = score >= exam.pass_mark
    attempt = Attempt(user_id=user.id, exam_id=exam.id, assignment_id=assignment.id if assignment else None,
                      status=status, score=score, max_score=max_score, passed=passed, started_at=started_at,
                      submitted_at=submitted_at, counted=counted, number=number,
                      mode=mode or ("exam" if counted else "practice"),
                      finalised_by="worker" if status == "submitted" else None)
    db.session.add(attempt)
    db.session.flush()
    attempt_changed.send(attempt)  # as the exam engine does (reports keep exam_progress current)
    if graded and status == "submitted" and passed is not None:
        attempt_graded.send(attempt)
    return attempt


def answer(attempt: Attempt, question: Question, response, score: float | None, points: float = 1.0,
           option_order=None, time_spent_ms: int = 10000, position: int | None = None) -> AttemptItem:
    """One answered item of a directly made attempt."""
    item = AttemptItem(attempt_id=attempt.id, question_id=question.id, revision_id=question.current_revision_id,
                       position=position if position is not None else next(_n), response=response, score=score,
                       points=points, option_order=option_order or list(range(len(question.options))),
                       time_spent_ms=time_spent_ms)
    db.session.add(item)
    return item


# -- a trainer's organisation and bank, for the trainer pages -------------------------------------------------------

def setup_org():
    """company → 氧化铝厂 → 矿制工区, and 电解厂; a trainer of everything, a
    trainer of 矿制工区 only, and workers in each."""
    company = make_unit("公司", kind="company")
    alumina = make_unit("氧化铝厂", company)
    ore = make_unit("矿制工区", alumina, kind="section")
    smelter = make_unit("电解厂", company)
    org = {
        "company": company, "alumina": alumina, "ore": ore, "smelter": smelter,
        "trainer": make_user("900001", "郭培训", company, roles={"trainer": [None]}),
        "ore_trainer": make_user("900002", "赵矿制", ore, roles={"trainer": [ore.id]}),
        "head": make_user("900003", "王氧化", alumina, roles={"head": [alumina.id]}),
        "miller": make_user("100001", "磨工甲", ore, job_type="磨工"),
        "inspector": make_user("100002", "巡检乙", ore, job_type="巡检工"),
        "smelter_worker": make_user("100003", "电解丙", smelter, job_type="电解工"),
    }
    return org


def setup_bank(singles: int = 6, shorts: int = 2, title: str = "行为安全"):
    bank = make_bank(title)
    for i in range(singles):
        make_question(bank, "single", category="观察" if i % 2 else "沟通", difficulty=1 + i % 2)
    for _i in range(shorts):
        make_question(bank, "short", category="沟通")
    db.session.commit()
    return bank


def ore_exam(org):
    """Two singles (4 points each) and one short answer (2 points): 30 minutes, pass 6; saved and
    assigned to 矿制工区 by ``org``'s trainer through the trainer's services."""
    bank = make_bank("岗位安全")
    singles = [make_question(bank, "single") for _ in range(2)]
    short = make_question(bank, "short")
    db.session.commit()
    exam = exam_setup.save_exam(None, exam_setup.ExamData(title="岗位安全 考试", pass_mark=6, time_limit_minutes=30,
                                            fixed=[(singles[0].id, 4.0), (singles[1].id, 4.0), (short.id, 2.0)]),
                         org["trainer"])
    assigning.assign(exam, org["trainer"], unit_ids=[org["ore"].id])
    db.session.commit()
    return exam
