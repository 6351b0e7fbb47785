"""Exams, assignments and attempts created directly (the exam engine is written elsewhere);
attempts keep their ``exam_progress`` rows the way the engine does."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from quiz.banks.models import Bank, Question, QuestionRevision
from quiz.db import utcnow
from quiz.exams.models import Assignment, AssignmentTarget, Attempt, AttemptItem, Exam, ExamItem
from quiz.extensions import db
from quiz.org.models import JobType, Unit, User
from quiz.exams.signals import attempt_changed

_n = itertools.count(1)


def make_bank(title: str | None = None) -> Bank:
    bank = Bank(title=title or f"题库{next(_n)}")
    db.session.add(bank)
    db.session.flush()
    return bank


def make_question(bank: Bank, stem: str = "题目", type: str = "single", options=None, answer=None,
                  points: float = 1.0) -> Question:
    if options is None and type in ("single", "multiple"):
        options = ["甲", "乙", "丙", "丁"]
    if answer is None:
        answer = [0] if type in ("single", "multiple") else True
    fields = dict(type=type, stem=stem, options=options or [], answer=answer, points=points)
    question = Question(bank=bank, **fields)
    db.session.add(question)
    db.session.flush()
    revision = QuestionRevision(question_id=question.id, number=1, **fields)
    db.session.add(revision)
    db.session.flush()
    question.current_revision_id = revision.id
    return question


def make_exam(title: str = "安全考试", pass_mark: float = 60.0, questions=()) -> Exam:
    exam = Exam(title=title, pass_mark=pass_mark)
    db.session.add(exam)
    db.session.flush()
    for i, q in enumerate(questions):
        db.session.add(ExamItem(exam_id=exam.id, question_id=q.id, position=i, points=q.points or 1.0))
    db.session.flush()
    return exam


def make_assignment(exam: Exam, units: list[Unit] = (), job_types: list[JobType] = (), users: list[User] = (),
                    due_at: datetime | None = None, title: str = "", created_at: datetime | None = None) -> Assignment:
    targets = ([AssignmentTarget(unit_id=unit.id) for unit in units]
               + [AssignmentTarget(job_type_id=job_type.id) for job_type in job_types]
               + [AssignmentTarget(user_id=user.id) for user in users])
    with db.session.no_autoflush:
        assignment = Assignment(exam_id=exam.id, title=title, due_at=due_at, created_at=created_at or utcnow(),
                                targets=targets)
        db.session.add(assignment)
    db.session.flush()
    return assignment


def make_attempt(user: User, exam: Exam, assignment: Assignment | None = None, status: str = "submitted",
                 score: float | None = None, max_score: float = 100.0, passed: bool | None = None,
                 started_at: datetime | None = None, submitted_at: datetime | None = None, counted: bool = True,
                 number: int = 1) -> Attempt:
    started_at = started_at or utcnow() - timedelta(hours=1)
    if status == "submitted" and submitted_at is None:
        submitted_at = started_at + timedelta(minutes=20)
    if status == "submitted" and passed is None and score is not None:
        passed = score >= exam.pass_mark
    attempt = Attempt(user_id=user.id, exam_id=exam.id, assignment_id=assignment.id if assignment else None,
                      status=status, score=score, max_score=max_score, passed=passed, started_at=started_at,
                      submitted_at=submitted_at, counted=counted, number=number,
                      mode="exam" if counted else "practice")
    db.session.add(attempt)
    db.session.flush()
    attempt_changed.send(attempt)  # as the exam engine does
    return attempt


def answer(attempt: Attempt, question: Question, response, score: float | None, points: float = 1.0,
           option_order=None, time_spent_ms: int = 10000, position: int | None = None) -> AttemptItem:
    item = AttemptItem(attempt_id=attempt.id, question_id=question.id, revision_id=question.current_revision_id,
                       position=position if position is not None else next(_n), response=response, score=score,
                       points=points, option_order=option_order or list(range(len(question.options))),
                       time_spent_ms=time_spent_ms)
    db.session.add(item)
    return item
