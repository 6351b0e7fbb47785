"""Exams, assignments and attempts made directly, for certificate tests (no exam engine needed)."""
from __future__ import annotations

from datetime import timedelta

from quiz.db import utcnow
from quiz.exams.models import Assignment, AssignmentTarget, Attempt, Exam
from quiz.exams.signals import attempt_graded
from quiz.extensions import db


def make_exam(title: str = "二十大应知应会安全培训考试", pass_mark: float = 60.0) -> Exam:
    exam = Exam(title=title, pass_mark=pass_mark)
    db.session.add(exam)
    db.session.flush()
    return exam


def make_assignment(exam: Exam, unit=None) -> Assignment:
    assignment = Assignment(exam_id=exam.id, title=exam.title)
    db.session.add(assignment)
    if unit is not None:
        assignment.targets.append(AssignmentTarget(unit_id=unit.id))
    db.session.flush()
    return assignment


def make_attempt(user, exam: Exam, assignment: Assignment | None = None, *, score: float | None = 90.0,
                 max_score: float = 100.0, passed: bool | None = True, status: str = "submitted",
                 counted: bool = True, mode: str = "exam", number: int = 1, graded: bool = True) -> Attempt:
    """An attempt as the exam engine leaves it; ``graded`` sends ``attempt_graded`` like the engine does."""
    now = utcnow()
    attempt = Attempt(
        exam_id=exam.id, user_id=user.id, assignment_id=assignment.id if assignment else None, number=number,
        mode=mode, status=status, started_at=now - timedelta(minutes=20),
        submitted_at=now if status == "submitted" else None, score=score, max_score=max_score,
        passed=passed, counted=counted, finalised_by="worker" if status == "submitted" else None,
    )
    db.session.add(attempt)
    db.session.flush()
    if graded and status == "submitted" and passed is not None:
        attempt_graded.send(attempt)
    return attempt
