"""What a trainer sets up: an exam's settings, its fixed questions and draw
rules, checked against what the banks hold; archiving. Assigning is in
``quiz.exams.assignments.assigning``, per-person actions in
``person_actions``, the grading queue in ``grading_queue``.

Every function flushes and never commits (DESIGN rule 7) and records what
it did with ``audit``. Refusals raise ``Invalid`` carrying one message per
form field, so a view can show each beside its field.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from quiz.auth.scopes import scope_for
from quiz.banks.models import Article, Bank, Question
from quiz.exams.errors import Invalid, add_message
from quiz.exams.models import MODES, MULTIPLE_POLICY, NAVIGATION, REVIEW, SCORE_POLICY, DrawRule, Exam, ExamItem
from quiz.exams.paper.pool import pool_ids
from quiz.extensions import db
from quiz.org.models import User
from quiz.org.services import audit


# -- the data an exam form gives ----------------------------------------------------

@dataclass
class RuleData:
    bank_id: int
    count: int
    points: float
    category: str | None = None
    type: str | None = None
    difficulty: int | None = None


@dataclass
class ExamData:
    """Every setting of ``Exam``; ``total`` (optional) is checked against the
    points the questions add up to."""

    title: str
    description: str = ""
    mode: str = "exam"
    total: float | None = None
    pass_mark: float = 60.0
    time_limit_minutes: int | None = None
    attempts_allowed: int | None = 1
    wait_minutes: int = 0
    score_policy: str = "best"
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    shuffle_questions: bool = False
    shuffle_options: bool = False
    navigation: str = "free"
    review: str = "final"
    multiple_policy: str = "all_or_nothing"
    leave_limit: int | None = None
    article_id: int | None = None
    practice_open: bool = False  # its banks may be practised while it is open (never during an attempt)
    rules: list[RuleData] = field(default_factory=list)
    fixed: list[tuple[int, float]] | None = None  # (question id, points); None: keep the exam's as they are


SETTINGS = ("title", "description", "mode", "pass_mark", "time_limit_minutes", "attempts_allowed", "wait_minutes",
            "score_policy", "opens_at", "closes_at", "shuffle_questions", "shuffle_options", "navigation",
            "review", "multiple_policy", "leave_limit", "article_id", "practice_open")
CHOICES = {"mode": MODES, "navigation": NAVIGATION, "review": REVIEW, "score_policy": SCORE_POLICY,
           "multiple_policy": MULTIPLE_POLICY}


# -- points ------------------------------------------------------------------------------

def total_points(rules: Sequence[RuleData | DrawRule], fixed: Sequence[tuple[int, float]]) -> float:
    return round(sum(r.count * r.points for r in rules) + sum(p for _q, p in fixed), 2)


# -- checking ----------------------------------------------------------------------------

def check_rules(rules: Sequence[RuleData], fixed_ids: set[int]) -> dict[str, list[str]]:
    """Messages per rule when its bank cannot supply what it asks for.

    A rule may not draw a question that is fixed or that an earlier rule
    drew, so each rule is checked against its own pool less the fixed
    questions, and the rules of one bank together against the union of
    their pools: every paper can then be drawn in full.
    """
    errors: dict[str, list[str]] = {}
    union: dict[int, set[int]] = {}
    wanted: dict[int, int] = {}
    first_rule_of_bank: dict[int, int] = {}
    for n, rule in enumerate(rules):
        bank = db.session.get(Bank, rule.bank_id)
        if bank is None or bank.archived:
            add_message(errors, f"rules-{n}-bank_id", _("请选择一个题库。"))
            continue
        if rule.count < 1:
            add_message(errors, f"rules-{n}-count", _("抽题数量至少为 1。"))
            continue
        if rule.points <= 0:
            add_message(errors, f"rules-{n}-points", _("每题分值必须大于 0。"))
        pool = pool_ids(rule) - fixed_ids
        if len(pool) < rule.count:
            add_message(errors, f"rules-{n}-count", _(
                "题库“%(bank)s”中符合条件的题目只有 %(have)s 道（已去掉固定题目），不够抽 %(want)s 道。",
                bank=bank.title, have=len(pool), want=rule.count))
            continue
        union.setdefault(rule.bank_id, set()).update(pool)
        wanted[rule.bank_id] = wanted.get(rule.bank_id, 0) + rule.count
        first_rule_of_bank.setdefault(rule.bank_id, n)
    for bank_id, want in wanted.items():
        have = len(union[bank_id])
        if want > have:
            bank = db.session.get(Bank, bank_id)
            add_message(errors, f"rules-{first_rule_of_bank[bank_id]}-count", _(
                "题库“%(bank)s”的几条抽题规则共要 %(want)s 道题，但符合这些规则的题目合计只有 %(have)s 道。",
                bank=bank.title, want=want, have=have))
    return errors


def check_exam(data: ExamData, fixed: Sequence[tuple[int, float]]) -> dict[str, list[str]]:
    """Every message about ``data``; empty when it can be saved."""
    errors: dict[str, list[str]] = {}
    if not (data.title or "").strip():
        add_message(errors, "title", _("请输入考试名称。"))
    for name, allowed in CHOICES.items():
        if getattr(data, name) not in allowed:
            add_message(errors, name, _("请从列表中选择。"))
    if data.time_limit_minutes is not None and data.time_limit_minutes < 1:
        add_message(errors, "time_limit_minutes", _("考试时长至少 1 分钟；不限时请留空。"))
    if data.attempts_allowed is not None and data.attempts_allowed < 1:
        add_message(errors, "attempts_allowed", _("作答次数至少 1 次；不限次数请留空。"))
    if data.wait_minutes < 0:
        add_message(errors, "wait_minutes", _("间隔不能为负数。"))
    if data.leave_limit is not None and data.leave_limit < 0:
        add_message(errors, "leave_limit", _("切屏次数不能为负数；不限制请留空。"))
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        add_message(errors, "closes_at", _("结束时间必须晚于开始时间。"))
    if data.article_id is not None and db.session.get(Article, data.article_id) is None:
        add_message(errors, "article_id", _("请从列表中选择学习材料。"))
    fixed_ids = {q for q, _p in fixed}
    errors.update(check_rules(data.rules, fixed_ids))
    for question_id, points in fixed:
        if points <= 0:
            add_message(errors, "fixed", _("固定题目的分值必须大于 0。"))
            break
    total = total_points(data.rules, fixed)
    if not data.rules and not fixed:
        add_message(errors, "", _("这场考试还没有题目：请添加抽题规则，或保存后挑选固定题目。"))
    if data.total is not None and (data.rules or fixed) and abs(data.total - total) > 1e-6:
        add_message(errors, "total", _("卷面总分应为 %(want)s 分，但题目分值合计 %(have)s 分，请调整题数或分值。",
                                want=_num(data.total), have=_num(total)))
    if data.pass_mark < 0:
        add_message(errors, "pass_mark", _("及格分不能为负数。"))
    elif (data.rules or fixed) and data.pass_mark > total + 1e-9:
        add_message(errors, "pass_mark", _("及格分 %(p)s 高于题目分值合计 %(t)s 分。", p=_num(data.pass_mark), t=_num(total)))
    return errors


def review_warning(mode: str, review: str, attempts_allowed: int | None) -> str | None:
    """The warning the exam form shows when its review would hand the right
    answers to workers who still have an attempt to use them in (None: fine)."""
    if mode == "exam" and review == "full" and (attempts_allowed is None or attempts_allowed > 1):
        return _("注意：员工交卷后就能看到正确答案和解析，而他们还有作答机会，下一次可以照着答案作答。"
                 "建议选择“用完作答次数或考试结束后公布答案”。")
    return None


def _num(value: float) -> str:
    return f"{value:g}"


# -- saving ------------------------------------------------------------------------------

def _fixed_of(exam: Exam | None) -> list[tuple[int, float]]:
    return [(i.question_id, i.points) for i in exam.items] if exam is not None else []


def save_exam(exam: Exam | None, data: ExamData, actor: User) -> Exam:
    """Create an exam (``exam`` None) or change one: settings, draw rules and,
    when ``data.fixed`` is given, the fixed questions. Attempts already
    started keep the paper they drew (rule 5). Raises ``Invalid``."""
    fixed = data.fixed if data.fixed is not None else _fixed_of(exam)
    if data.fixed is not None:
        known = set(db.session.scalars(select(Question.id).where(
            Question.id.in_([q for q, _p in fixed]), Question.archived.is_(False))))
        if len(known) != len({q for q, _p in fixed}):
            raise Invalid({"fixed": [_("有的固定题目不存在或已停用，请重新选择。")]})
    errors = check_exam(data, fixed)
    if errors:
        raise Invalid(errors)
    creating = exam is None
    before = None if creating else _snapshot(exam)
    if creating:
        exam = Exam(created_by_id=actor.id)
        db.session.add(exam)
    for name in SETTINGS:
        value = getattr(data, name)
        setattr(exam, name, value.strip() if isinstance(value, str) else value)
    exam.rules = [DrawRule(bank_id=r.bank_id, category=r.category or None, type=r.type or None,
                           difficulty=r.difficulty, count=r.count, points=float(r.points)) for r in data.rules]
    if data.fixed is not None:
        _replace_items(exam, fixed)
    db.session.flush()
    after = _snapshot(exam)
    if creating:
        audit("exam.create", exam, _("新建考试 %(title)s", title=exam.title), {"exam": after}, actor=actor)
    else:
        changed = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
        audit("exam.update", exam, _("修改考试 %(title)s", title=exam.title), {"changed": changed}, actor=actor)
    return exam


def _replace_items(exam: Exam, fixed: Sequence[tuple[int, float]]) -> None:
    current = {i.question_id: i for i in exam.items}
    wanted = dict(fixed)
    for question_id, item in current.items():
        if question_id not in wanted:
            exam.items.remove(item)
    for position, (question_id, points) in enumerate(fixed):
        item = current.get(question_id)
        if item is None:
            item = ExamItem(question_id=question_id)
            exam.items.append(item)
        item.position = position
        item.points = float(points)


def set_fixed_items(exam: Exam, fixed: Sequence[tuple[int, float]], actor: User) -> None:
    """Replace the exam's fixed questions (question id, points), in this order."""
    data = exam_data(exam)
    data.fixed = list(dict(fixed).items())
    save_exam(exam, data, actor)


def exam_data(exam: Exam) -> ExamData:
    """The exam's current settings as ``ExamData`` (to edit part of them)."""
    data = ExamData(**{name: getattr(exam, name) for name in SETTINGS})
    data.rules = [RuleData(r.bank_id, r.count, r.points, r.category, r.type, r.difficulty) for r in exam.rules]
    return data


def _snapshot(exam: Exam) -> dict:
    snap = {}
    for name in SETTINGS:
        value = getattr(exam, name)
        snap[name] = value.isoformat() if isinstance(value, datetime) else value
    snap["rules"] = [[r.bank_id, r.category, r.type, r.difficulty, r.count, r.points] for r in exam.rules]
    snap["fixed"] = [[i.question_id, i.points] for i in exam.items]
    return snap


def archive_exam(exam: Exam, actor: User, archived: bool = True) -> None:
    """Take an exam off workers' task lists (or put it back); attempts stay."""
    exam.archived = archived
    db.session.flush()
    audit("exam.archive" if archived else "exam.restore", exam, exam.title, actor=actor)


def can_edit(user: User, exam: Exam) -> bool:
    """Trainers of the whole company and admins edit any exam; a trainer of
    some units edits the exams they created."""
    return scope_for(user, "train").everything or exam.created_by_id == user.id
