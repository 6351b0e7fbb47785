"""Item analysis and most-missed queries, limited to the attempts of people in the viewer's scope.

Only finalised, counted attempts and graded answers are used.
"""
from __future__ import annotations

from sqlalchemy import String, case, cast, exists, func, or_, select

from quiz.auth.scopes import Scope
from quiz.banks import types as qtypes
from quiz.banks.models import Question
from quiz.exams.models import Assignment, Attempt, AttemptItem, Exam
from quiz.extensions import db
from quiz.org.models import User
from quiz.reports import item_stats as stats
from quiz.exams.assignments.assignees import assignee_pairs

def _answered():
    text = func.coalesce(cast(AttemptItem.response, String), "null")
    return text.not_in(("null", "[]", '""'))


def _graded_items(scope: Scope, exam_id: int):
    return (AttemptItem.attempt_id == Attempt.id, Attempt.exam_id == exam_id, Attempt.status == "submitted",
            Attempt.counted.is_(True), AttemptItem.score.is_not(None), User.id == Attempt.user_id,
            scope.people_condition())


def visible_exams(scope: Scope) -> list[Exam]:
    """Exams the viewer may analyse: taken or assigned by somebody in scope (all, for a whole-company scope)."""
    query = select(Exam).order_by(Exam.created_at.desc(), Exam.id.desc())
    if not scope.everything:
        taken = select(Attempt.exam_id).join(User, User.id == Attempt.user_id).where(scope.people_condition())
        pairs = assignee_pairs(None, [scope.people_condition()]).subquery()
        assigned = select(Assignment.exam_id).where(Assignment.id.in_(select(pairs.c.assignment_id)))
        query = query.where(or_(Exam.id.in_(taken), Exam.id.in_(assigned)))
    return list(db.session.scalars(query))


def exam_visible(scope: Scope, exam_id: int) -> Exam | None:
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        return None
    if scope.everything:
        return exam
    taken = exists().where(Attempt.exam_id == exam_id, User.id == Attempt.user_id, scope.people_condition())
    if db.session.scalar(select(taken)):
        return exam
    pairs = assignee_pairs(select(Assignment.id).where(Assignment.exam_id == exam_id),
                           [scope.people_condition()]).subquery()
    if db.session.scalar(select(exists().where(pairs.c.user_id.is_not(None)))):
        return exam
    return None


def item_analysis(scope: Scope, exam_id: int) -> tuple[list[stats.ItemStats], dict[int, Question]]:
    """Per question of the exam, its statistics over the attempts in scope, flagged first."""
    x = AttemptItem.score / case((AttemptItem.points > 0, AttemptItem.points), else_=1.0)
    y = func.coalesce(Attempt.score, 0.0) - AttemptItem.score
    query = (
        select(AttemptItem.question_id, func.count(), func.sum(case((_answered(), 1), else_=0)),
               func.sum(AttemptItem.score), func.sum(AttemptItem.points), func.sum(x), func.sum(y), func.sum(x * x),
               func.sum(y * y), func.sum(x * y), func.sum(AttemptItem.time_spent_ms),
               func.sum(case((AttemptItem.time_spent_ms > 0, 1), else_=0)))
        .select_from(AttemptItem).join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .where(*_graded_items(scope, exam_id))
        .group_by(AttemptItem.question_id)
    )
    sums = {row[0]: row for row in db.session.execute(query)}
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(list(sums) or [-1])))}
    # option choices: one pass over the answers of the types that count them
    counted = [t.name for t in qtypes.all_types() if t.counts_options]
    choice = (
        select(AttemptItem.question_id, AttemptItem.response)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id).join(User, User.id == Attempt.user_id)
        .join(Question, Question.id == AttemptItem.question_id)
        .where(*_graded_items(scope, exam_id), Question.type.in_(counted))
    )
    responses: dict[int, list] = {}
    for question_id, response in db.session.execute(choice):
        responses.setdefault(question_id, []).append(response)
    out = []
    for question_id, row in sums.items():
        q = questions.get(question_id)
        options: list[int] = []
        if q is not None and q.type in counted:
            qtype = qtypes.get(q.type)
            options = stats.option_counts(responses.get(question_id, []), len(qtype.analysis_options(q)),
                                          qtype.chosen_options)
        n, answered, score_sum, points_sum, sx, sy, sxx, syy, sxy, time_sum, timed = row[1:]
        out.append(stats.item_stats(question_id, n, answered or 0, score_sum or 0.0, points_sum or 0.0, sx or 0.0,
                                    sy or 0.0, sxx or 0.0, syy or 0.0, sxy or 0.0, time_sum or 0, options,
                                    timed=timed or 0))
    return stats.flagged_first(out), questions


def missed_by_team(scope: Scope, exam_id: int, top: int = 5):
    """Per unit of the people (their team), the questions of this exam they missed most.

    Returns ({team id: [(question id, missed, answered)]}, {question id: Question}).
    """
    missed = case((AttemptItem.score < AttemptItem.points, 1), else_=0)
    query = (
        select(User.unit_id, AttemptItem.question_id, func.sum(missed), func.count())
        .select_from(AttemptItem).join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .where(*_graded_items(scope, exam_id), User.unit_id.is_not(None))
        .group_by(User.unit_id, AttemptItem.question_id)
    )
    per_team = stats.most_missed(((u, q, m or 0, n) for u, q, m, n in db.session.execute(query)), top=top)
    ids = {q for items in per_team.values() for q, _m, _n in items}
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(list(ids) or [-1])))}
    return per_team, questions


__all__ = ["item_analysis", "missed_by_team", "visible_exams", "exam_visible"]
