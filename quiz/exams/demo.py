"""Demo exams for ``flask --app app demo load``: one exam per shipped bank,
assigned with a due date two weeks ahead (the company-wide banks to both
companies, the 矿制工区 banks to that section's job type), and one practice
exam. Runs after the shipped banks' loader; does nothing without banks.
"""
from __future__ import annotations

from datetime import timedelta

from flask import has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from quiz.banks.models import Bank
from quiz.db import utcnow
from quiz.exams.models import Exam
from quiz.extensions import db
from quiz.org.models import RoleGrant, Unit, User

# 20 questions, 100 points: (type, how many, points each); one short answer goes to the grading queue
PAPER = (("single", 8, 4.0), ("multiple", 4, 5.0), ("truefalse", 5, 4.0), ("fill", 2, 6.0), ("short", 1, 16.0))
ORE_SECTION = "矿制工区"


def _trainer() -> User | None:
    """The company-wide demo trainer (an admin failing that): the exams' author."""
    for role in ("trainer", "admin"):
        user = db.session.scalar(select(User).join(RoleGrant).where(RoleGrant.role == role,
                                                                    RoleGrant.unit_id.is_(None))
                                 .order_by(User.employee_no).limit(1))
        if user is not None:
            return user
    return None


def _rules(bank: Bank) -> list:
    from quiz.exams.trainer import exam_setup as svc

    rules = [svc.RuleData(bank.id, count, points, type=name) for name, count, points in PAPER]
    if not svc.check_rules(rules, set()):
        return rules
    # the bank lacks some type: 20 questions of any type, 5 points each
    return [svc.RuleData(bank.id, 20, 5.0)]


def load_exams() -> list[str]:
    """Create the demo exams and assignments; lines describing them."""
    from quiz.exams.assignments import assigning
    from quiz.exams.trainer import exam_setup as svc

    banks = list(db.session.scalars(select(Bank).where(Bank.archived.is_(False)).order_by(Bank.id)))
    if not banks:
        return [_("演示考试：没有题库，跳过。")]
    trainer = _trainer()
    if trainer is None:
        return [_("演示考试：没有全公司范围的培训员，跳过。")]
    if db.session.scalar(select(Exam.id).limit(1)) is not None:
        return []
    companies = list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)))
    ore = db.session.scalar(select(Unit).where(Unit.name == ORE_SECTION).limit(1))
    due = utcnow() + timedelta(days=14)
    lines = []
    for bank in banks:
        article = bank.articles[0] if bank.articles else None
        exam = svc.save_exam(None, svc.ExamData(
            title=_("%(title)s 考试", title=bank.title),
            description=_("共 20 题，满分 100 分，60 分及格，限时 30 分钟。请先阅读学习材料。"),
            total=100.0, pass_mark=60.0, time_limit_minutes=30, attempts_allowed=2, wait_minutes=0,
            shuffle_questions=True, shuffle_options=True, review="final", multiple_policy="all_or_nothing",
            article_id=article.id if article else None, rules=_rules(bank),
            practice_open=bank is banks[0]), trainer)  # the practice exam below prepares for this one
        if bank.job_types and ore is not None:
            targets = {"unit_ids": [ore.id], "job_type_ids": [j.id for j in bank.job_types]}
            whom = _("%(unit)s %(jobs)s", unit=ore.name, jobs="、".join(j.name for j in bank.job_types))
        else:
            targets = {"unit_ids": [c.id for c in companies]}
            whom = _("全公司")
        assignment = assigning.assign(exam, trainer, due_at=due, **targets)
        lines.append(_("考试：%(title)s，布置给 %(whom)s（%(n)s 人），两周内完成", title=exam.title, whom=whom,
                          n=assigning.assignee_count(assignment)))
    first = banks[0]
    practice = svc.save_exam(None, svc.ExamData(
        title=_("%(title)s 练习", title=first.title), mode="practice", pass_mark=0.0, time_limit_minutes=None,
        attempts_allowed=None, review="full", article_id=first.articles[0].id if first.articles else None,
        rules=[svc.RuleData(first.id, 10, 1.0)]), trainer)
    assigning.assign(practice, trainer, due_at=due, unit_ids=[c.id for c in companies])
    lines.append(_("练习：%(title)s（10 题，不限次数，不计成绩），布置给全公司", title=practice.title))
    return lines


def load() -> list[str]:
    """The demo loader: Chinese text outside a request."""
    if has_request_context():
        return load_exams()
    with force_locale("zh"):
        return load_exams()

