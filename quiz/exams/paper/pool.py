"""The question pool and the paper: which live questions a draw rule can
draw (the one pool query, for the worker's paper and for the trainer's
checks and rule form), and a paper drawn from them (``drawing`` is the
pure core)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from quiz.banks import types
from quiz.banks.models import Question
from quiz.exams.models import Exam, ExamItem
from quiz.exams.paper import drawing
from quiz.extensions import db


def _candidate(question_id: int, revision_id: int | None, qtype_name: str, options: list | None,
               with_options: bool = True) -> drawing.Candidate | None:
    if revision_id is None:
        return None
    try:
        qtype = types.get(qtype_name)
    except KeyError:
        return None
    return drawing.Candidate(question_id, revision_id,
                             len(options or []) if with_options and qtype.has_options else 0)


def _columns(with_options: bool) -> tuple:
    # plain columns, not Question objects: a pool may hold thousands of questions
    return (Question.id, Question.current_revision_id, Question.type) + ((Question.options,) if with_options else ())


def pool_conditions(bank_id: int, category: str | None = None, type_name: str | None = None,
                    difficulty: int | None = None) -> list:
    """The conditions a draw rule puts on ``Question``: live questions of the
    bank with a published revision, by category, type and difficulty when given."""
    conditions = [Question.bank_id == bank_id, Question.archived.is_(False),
                  Question.current_revision_id.is_not(None)]
    if category:
        conditions.append(Question.category == category)
    if type_name:
        conditions.append(Question.type == type_name)
    if difficulty is not None:
        conditions.append(Question.difficulty == difficulty)
    return conditions


def pool_ids(rule) -> set[int]:
    """The ids of the questions ``rule`` (a ``DrawRule`` or the trainer's ``RuleData``) can draw."""
    return set(db.session.scalars(select(Question.id).where(
        *pool_conditions(rule.bank_id, rule.category, rule.type, rule.difficulty))))


def _pool(rule, with_options: bool = True) -> list[drawing.Candidate]:
    query = select(*_columns(with_options)).where(
        *pool_conditions(rule.bank_id, rule.category, rule.type, rule.difficulty))
    rows = db.session.execute(query)
    return [c for c in (_candidate(r[0], r[1], r[2], r[3] if with_options else None, with_options) for r in rows)
            if c is not None]


def _paper_inputs(exam: Exam, with_options: bool = True) -> tuple[list[drawing.Fixed], list[drawing.Rule]]:
    rows = db.session.execute(select(ExamItem.points, *_columns(with_options))
                              .join(Question, Question.id == ExamItem.question_id)
                              .where(ExamItem.exam_id == exam.id).order_by(ExamItem.position, ExamItem.id))
    fixed = []
    for r in rows:
        candidate = _candidate(r[1], r[2], r[3], r[4] if with_options else None, with_options)
        if candidate is not None:
            fixed.append(drawing.Fixed(candidate, r[0]))
    rules = [drawing.Rule(_pool(rule, with_options), rule.count, rule.points) for rule in exam.rules]
    return fixed, rules


def draw_paper(exam: Exam, seed: int) -> drawing.Paper:
    """The paper ``seed`` gives for ``exam`` with the banks as they are now."""
    fixed, rules = _paper_inputs(exam)
    return drawing.draw(fixed, rules, seed, shuffle_questions=exam.shuffle_questions,
                        shuffle_options=exam.shuffle_options)


def question_count(exam: Exam) -> int:
    """How many questions a paper of ``exam`` has (what the intro page shows):
    the fixed items and the rules' pools as ids only, without options or
    shuffling. The same number ``len(draw_paper(exam, 1).items)`` gives."""
    fixed, rules = _paper_inputs(exam, with_options=False)
    return len(drawing.draw(fixed, rules, 1).items)


def bank_facets(bank_ids: Iterable[int]) -> dict[int, dict]:
    """For the rule form: per bank, its categories, and counts per type and
    per difficulty of live questions (one query)."""
    out: dict[int, dict] = {}
    ids = list(bank_ids)
    if not ids:
        return out
    rows = db.session.execute(
        select(Question.bank_id, Question.category, Question.type, Question.difficulty, func.count())
        .where(Question.bank_id.in_(ids), Question.archived.is_(False))
        .group_by(Question.bank_id, Question.category, Question.type, Question.difficulty))
    for bank_id, category, type_name, difficulty, n in rows:
        facet = out.setdefault(bank_id, {"total": 0, "categories": {}, "types": {}, "difficulties": {}})
        facet["total"] += n
        if category:
            facet["categories"][category] = facet["categories"].get(category, 0) + n
        facet["types"][type_name] = facet["types"].get(type_name, 0) + n
        if difficulty is not None:
            facet["difficulties"][difficulty] = facet["difficulties"].get(difficulty, 0) + n
    return out
