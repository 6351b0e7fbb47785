"""The grading queue: answers waiting for a trainer (short answers), and a
trainer's score for one. Flushes, never commits, audited. Results are
recomputed by the attempt's ``finish.regrade`` so there is one way a total
is made.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from quiz.db import begin_write, utcnow
from quiz.exams import mistakes
from quiz.exams.attempt.finish import regrade
from quiz.errors import Refused
from quiz.exams.models import Attempt, AttemptItem
from quiz.exams.trainer.person_actions import refuse_own
from quiz.extensions import db
from quiz.org.models import User
from quiz.org.services import audit


def grading_queue(scope, exam_id: int | None = None):
    """``select(AttemptItem)`` of answers waiting for a trainer: items still
    without a score in finalised exam attempts (practice counts for nothing
    and is not graded), of people in ``scope`` other than its viewer (nobody
    grades their own, rule 11), oldest submission first."""
    query = (select(AttemptItem).join(Attempt, Attempt.id == AttemptItem.attempt_id)
             .join(User, User.id == Attempt.user_id)
             .where(Attempt.status == "submitted", Attempt.mode == "exam", Attempt.pending_grading.is_(True),
                    AttemptItem.score.is_(None), scope.people_condition(), Attempt.user_id != scope.user_id)
             .order_by(Attempt.submitted_at, Attempt.id, AttemptItem.position))
    if exam_id is not None:
        query = query.where(Attempt.exam_id == exam_id)
    return query


def queue_count(scope, exam_id: int | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(grading_queue(scope, exam_id).subquery())) or 0


def grade_item(item: AttemptItem, score: float, comment: str, actor: User, now: datetime | None = None) -> bool:
    """A trainer's score (0..points) and comment for one answer. When it was
    the attempt's last item waiting, the result is recomputed and
    ``attempt_graded`` sent (by ``finish.regrade``). Returns True then."""
    now = now or utcnow()
    attempt = item.attempt
    refuse_own(attempt.user_id, actor)
    if not 0 <= score <= item.points + 1e-9:
        raise Refused(_("得分应在 0 到 %(p)s 分之间。", p=f"{item.points:g}"), "bad_score", 400)
    begin_write(db.session())
    db.session.refresh(attempt, with_for_update=True)
    db.session.refresh(item)
    if attempt.status != "submitted":
        raise Refused(_("这次作答还没有交卷，不能评分。"), "not_submitted", 409)
    if item.score is not None:
        # once scored the result may be final (and attempt_graded sent): no second verdict here
        raise Refused(_("这道题已经评过分了。"), "already_graded", 409)
    before = item.score
    item.score = round(float(score), 2)
    item.comment = (comment or "").strip() or None
    item.graded_by_id = actor.id
    mistakes.record_item(item, now)  # partial credit of 80 % or more is not a mistake
    db.session.flush()
    audit("attempt.grade", attempt,
          _("评分：%(name)s 的考试 %(title)s 第 %(no)s 题 %(score)s / %(points)s 分", name=attempt.user.name,
            title=attempt.exam.title, no=item.position + 1, score=f"{item.score:g}", points=f"{item.points:g}"),
          {"item_id": item.id, "score": item.score, "before": before, "comment": item.comment}, actor=actor)
    was_pending = attempt.pending_grading
    regrade(attempt)
    return was_pending and not attempt.pending_grading
