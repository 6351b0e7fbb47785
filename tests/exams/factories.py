"""Banks, questions, exams and assignments for the exam tests: plain
callables with overridable defaults."""
from __future__ import annotations

import itertools
from datetime import timedelta

from quiz.banks.models import Article, Bank, Question, QuestionRevision
from quiz.db import utcnow
from quiz.exams.models import Assignment, AssignmentTarget, DrawRule, Exam, ExamItem
from quiz.extensions import db

_n = itertools.count(1)

# one question of every type, with its right answer and a response that is right
SAMPLES = {
    "single": dict(stem="单选题干", options=["甲", "乙", "丙", "丁"], answer=[2]),
    "multiple": dict(stem="多选题干", options=["甲", "乙", "丙", "丁"], answer=[0, 2]),
    "truefalse": dict(stem="判断题干", options=[], answer=True),
    "fill": dict(stem="填空：____ 和 ____", options=[], answer=[["一", "壹"], ["二"]]),
    "short": dict(stem="简答题干", options=[], answer={"reference": "参考答案", "keywords": ["关键"]}),
}
RIGHT = {"single": [2], "multiple": [0, 2], "truefalse": True, "fill": ["壹", "二"], "short": "我的回答"}
WRONG = {"single": [1], "multiple": [0, 1], "truefalse": False, "fill": ["三", "四"], "short": "我的回答"}


def make_bank(title: str | None = None, **kw) -> Bank:
    bank = Bank(title=title or f"题库{next(_n)}", **kw)
    db.session.add(bank)
    db.session.flush()
    return bank


def make_question(bank: Bank, type: str = "single", *, stem: str | None = None, options=None, answer=None,
                  explanation: str = "解析", category: str = "", difficulty=None, **kw) -> Question:
    sample = SAMPLES[type]
    content = dict(type=type, stem=stem or f"{sample['stem']} {next(_n)}",
                   options=list(sample["options"] if options is None else options),
                   answer=sample["answer"] if answer is None else answer, explanation=explanation,
                   category=category, difficulty=difficulty, **kw)
    question = Question(bank=bank, revision=1, **content)
    db.session.add(question)
    db.session.flush()
    revision = QuestionRevision(question_id=question.id, number=1, **content)
    db.session.add(revision)
    db.session.flush()
    question.current_revision_id = revision.id
    db.session.flush()
    return question


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
    target = AssignmentTarget(user_id=user.id if user else None, unit_id=unit.id if unit else None,
                              job_type_id=job_type.id if job_type else None)
    assignment = Assignment(exam_id=exam.id, title=exam.title, targets=[target],
                            due_at=utcnow() + timedelta(days=due_in_days) if due_in_days is not None else None)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def every_type_bank(**question_kw) -> tuple[Bank, list[Question]]:
    bank = make_bank()
    return bank, [make_question(bank, t, **question_kw) for t in SAMPLES]
