"""The trainer's pages (desktop): exams and their draw rules, fixed
questions, assigning (the live view, per-person actions and the grading
queue are in ``trainer_live``, on the same blueprint). Each request parses, calls one
service, commits once.

Blueprint ``exams_trainer``: the worker side owns the ``exams`` blueprint.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from quiz.auth.scopes import scope_for
from quiz.banks import types
from quiz.banks.models import Article, Bank, Question
from quiz.decorators import roles_required
from quiz.exams.assignments import assigning
from quiz.exams.errors import Invalid
from quiz.exams.forms import AssignForm, ButtonForm, ExamForm, FixedItemsForm
from quiz.exams.models import Assignment, Attempt, Exam
from quiz.exams.paper.pool import bank_facets
from quiz.exams.trainer import exam_setup as svc
from quiz.exams.trainer.grading_queue import grading_queue, queue_count
from quiz.extensions import db
from quiz.forms import choices
from quiz.i18n import SHANGHAI
from quiz.org.models import JobType, Unit, User

bp = Blueprint("exams_trainer", __name__, url_prefix="/trainer")


def panel_context(user) -> dict:
    """The trainer's home panel: people in their units taking a test now,
    answers waiting for them, and the exams running."""
    scope = scope_for(user, "train")
    running = (select(Attempt).join(User, User.id == Attempt.user_id)
               .where(Attempt.status == "in_progress", Attempt.mode == "exam", scope.people_condition()))
    live_ids = select(running.subquery().c.exam_id).distinct()
    return {"running": db.session.scalar(select(func.count()).select_from(running.subquery())) or 0,
            "pending": queue_count(scope),
            "live_exams": list(db.session.scalars(select(Exam).where(Exam.id.in_(live_ids)).order_by(Exam.title)
                                                  .limit(5)))}


def train_scope():
    return scope_for(current_user, "train")


def exam_or_404(exam_id: int) -> Exam:
    return db.get_or_404(Exam, exam_id)


def _editable_or_403(exam: Exam) -> Exam:
    if not svc.can_edit(current_user, exam):
        abort(403)
    return exam


def person_or_404(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or not train_scope().can_see_person(person):
        abort(404)
    return person


def _to_utc(value: datetime | None) -> datetime | None:
    """A datetime-local typed in the plants' time zone, as UTC."""
    return value.replace(tzinfo=SHANGHAI).astimezone(timezone.utc) if value else None


def _to_local(value: datetime | None) -> datetime | None:
    return value.astimezone(SHANGHAI).replace(tzinfo=None) if value else None


# -- exam list -----------------------------------------------------------------------------

@bp.get("/exams")
@roles_required("trainer")
def exams():
    show_archived = request.args.get("archived") == "1"
    rows = list(db.session.scalars(select(Exam).where(Exam.archived.is_(show_archived))
                                   .order_by(Exam.created_at.desc(), Exam.id.desc())))
    ids = [e.id for e in rows]
    running = dict(db.session.execute(
        select(Attempt.exam_id, func.count()).where(Attempt.exam_id.in_(ids), Attempt.status == "in_progress")
        .group_by(Attempt.exam_id)).all()) if ids else {}
    assignments = dict(db.session.execute(
        select(Assignment.exam_id, func.count()).where(Assignment.exam_id.in_(ids))
        .group_by(Assignment.exam_id)).all()) if ids else {}
    queue = grading_queue(train_scope()).subquery()
    pending = dict(db.session.execute(
        select(Attempt.exam_id, func.count()).join(queue, queue.c.attempt_id == Attempt.id)
        .group_by(Attempt.exam_id)).all())
    return render_template("exams/trainer_exams.html", exams=rows, running=running, assignments=assignments,
                           pending=pending, show_archived=show_archived,
                           question_count=lambda e: len(e.items) + sum(r.count for r in e.rules),
                           total=lambda e: svc.total_points(e.rules, [(i.question_id, i.points) for i in e.items]),
                           can_edit=lambda e: svc.can_edit(current_user, e), button_form=ButtonForm(),
                           queue_total=queue_count(train_scope()))


# -- exam form -----------------------------------------------------------------------------

def _bank_choices() -> list[tuple]:
    counts = dict(db.session.execute(
        select(Question.bank_id, func.count()).where(Question.archived.is_(False)).group_by(Question.bank_id)).all())
    banks = db.session.scalars(select(Bank).where(Bank.archived.is_(False)).order_by(Bank.title))
    return [("", _("（选择题库）"))] + [(b.id, _("%(title)s（%(n)s 题）", title=b.title, n=counts.get(b.id, 0)))
                                    for b in banks]


def _type_choices() -> list[tuple]:
    return [("", _("不限题型"))] + [(t.name, str(t.label)) for t in types.all_types()]


def _prepare(form: ExamForm) -> dict:
    """Choices for the selects, and what the rule rows need to be filled in well."""
    bank_choices = _bank_choices()
    type_choices = _type_choices()
    for entry in form.rules:
        entry.form.bank_id.choices = choices(bank_choices)
        entry.form.type.choices = choices(type_choices)
    form.article_id.choices = choices([("", _("（无）"))] + [
        (a.id, a.title) for a in db.session.scalars(select(Article).order_by(Article.title))])
    bank_ids = [c[0] for c in bank_choices if c[0]]
    facets = bank_facets(bank_ids)
    titles = {b.id: b.title for b in db.session.scalars(select(Bank).where(Bank.id.in_(bank_ids)))}
    categories = sorted({c for f in facets.values() for c in f["categories"]})
    return {"facets": facets, "bank_titles": titles, "categories": categories,
            "type_labels": {t.name: str(t.label) for t in types.all_types()}}


def _exam_data(form: ExamForm) -> tuple[svc.ExamData, list[int]]:
    rules, index = [], []
    for n, entry in enumerate(form.rules):
        f = entry.form
        if f.remove.data or not f.bank_id.data:
            continue
        rules.append(svc.RuleData(bank_id=f.bank_id.data, count=f.count.data or 0,
                                  points=f.points.data if f.points.data is not None else 1.0,
                                  category=(f.category.data or "").strip() or None, type=f.type.data or None,
                                  difficulty=f.difficulty.data))
        index.append(n)
    data = svc.ExamData(
        title=form.title.data or "", description=form.description.data or "", mode=form.mode.data,
        total=form.total.data, pass_mark=form.pass_mark.data, time_limit_minutes=form.time_limit_minutes.data,
        attempts_allowed=form.attempts_allowed.data, wait_minutes=form.wait_minutes.data or 0,
        score_policy=form.score_policy.data, opens_at=_to_utc(form.opens_at.data),
        closes_at=_to_utc(form.closes_at.data), shuffle_questions=form.shuffle_questions.data,
        shuffle_options=form.shuffle_options.data, navigation=form.navigation.data, review=form.review.data,
        multiple_policy=form.multiple_policy.data, leave_limit=form.leave_limit.data,
        article_id=form.article_id.data, practice_open=bool(form.practice_open.data), rules=rules)
    return data, index


def _show_errors(form, errors: dict[str, list[str]], rule_index: list[int] | None = None) -> list[str]:
    """Put each service message beside its field; return those for the whole form."""
    general = []
    for key, messages in errors.items():
        field = None
        m = re.fullmatch(r"rules-(\d+)-(\w+)", key)
        if m and rule_index is not None and int(m.group(1)) < len(rule_index):
            field = getattr(form.rules.entries[rule_index[int(m.group(1))]].form, m.group(2), None)
        elif key:
            field = getattr(form, key, None)
        if field is None:
            general.extend(messages)
        else:
            field.errors = list(field.errors or []) + list(messages)
    return general


@bp.route("/exams/new", methods=["GET", "POST"], defaults={"exam_id": None})
@bp.route("/exams/<int:exam_id>/edit", methods=["GET", "POST"])
@roles_required("trainer")
def exam_edit(exam_id: int | None):
    exam = _editable_or_403(exam_or_404(exam_id)) if exam_id else None
    form = ExamForm(obj=exam)
    if request.method == "GET":
        if exam is not None:
            form.opens_at.data, form.closes_at.data = _to_local(exam.opens_at), _to_local(exam.closes_at)
            form.total.data = svc.total_points(exam.rules, [(i.question_id, i.points) for i in exam.items])
            form.rules.append_entry()
        elif request.args.get("bank", type=int):
            bank = db.session.get(Bank, request.args.get("bank", type=int))
            if bank is not None:
                form.title.data = _("%(title)s 考试", title=bank.title)
                form.rules.entries[0].form.bank_id.data = bank.id
                form.article_id.data = bank.articles[0].id if bank.articles else None
    general: list[str] = []
    if request.method == "POST" and "add_rule" in request.form:
        form.rules.append_entry()
    elif form.validate_on_submit():
        data, index = _exam_data(form)
        try:
            saved = svc.save_exam(exam, data, current_user)
        except Invalid as exc:
            db.session.rollback()
            general = _show_errors(form, exc.errors, index)
        else:
            db.session.commit()
            flash(_("已保存考试“%(title)s”。", title=saved.title), "success")
            warning = svc.review_warning(saved.mode, saved.review, saved.attempts_allowed)
            if warning:
                flash(warning, "warning")
            if not saved.items and not saved.rules:
                return redirect(url_for(".exam_items", exam_id=saved.id))
            return redirect(url_for(".exam_assign", exam_id=saved.id) if exam is None
                            else url_for(".exams"))
    context = _prepare(form)
    review_warning = svc.review_warning(form.mode.data, form.review.data, form.attempts_allowed.data)
    return render_template("exams/trainer_exam_form.html", form=form, exam=exam, general_errors=general,
                           review_warning=review_warning, **context)


@bp.route("/exams/<int:exam_id>/questions", methods=["GET", "POST"])
@roles_required("trainer")
def exam_items(exam_id: int):
    """Fixed questions: pick from a bank (filtered), remove, set points."""
    exam = _editable_or_403(exam_or_404(exam_id))
    bank_id = request.args.get("bank", type=int)
    category = (request.args.get("category") or "").strip()
    type_name = request.args.get("type") or ""
    form = FixedItemsForm()
    general: list[str] = []
    if form.validate_on_submit():
        fixed = [(i.question_id, i.points) for i in exam.items if i.question_id not in set(form.remove_ids.data)]
        have = {q for q, _p in fixed}
        fixed += [(q, form.points.data or 1.0) for q in form.add_ids.data if q not in have]
        try:
            svc.set_fixed_items(exam, fixed, current_user)
        except Invalid as exc:
            db.session.rollback()
            general = _show_errors(form, exc.errors)
        else:
            db.session.commit()
            flash(_("固定题目已保存：共 %(n)s 道。", n=len(exam.items)), "success")
            return redirect(url_for(".exam_items", exam_id=exam.id, bank=bank_id or None,
                                    category=category or None, type=type_name or None))
    questions = []
    if bank_id:
        query = select(Question).where(Question.bank_id == bank_id, Question.archived.is_(False))
        if category:
            query = query.where(Question.category == category)
        if type_name:
            query = query.where(Question.type == type_name)
        chosen = {i.question_id for i in exam.items}
        questions = [q for q in db.session.scalars(query.order_by(Question.id).limit(500)) if q.id not in chosen]
    banks = list(db.session.scalars(select(Bank).where(Bank.archived.is_(False)).order_by(Bank.title)))
    facets = bank_facets([bank_id]) if bank_id else {}
    return render_template("exams/trainer_items.html", exam=exam, form=form, questions=questions, banks=banks,
                           bank_id=bank_id, category=category, type_name=type_name, general_errors=general,
                           categories=sorted(facets.get(bank_id, {}).get("categories", {})),
                           type_choices=_type_choices(), type_label=lambda n: str(types.get(n).label))


@bp.post("/exams/<int:exam_id>/archive")
@roles_required("trainer")
def exam_archive(exam_id: int):
    """Archive an exam (off workers' task lists; attempts stay), or restore it."""
    exam = _editable_or_403(exam_or_404(exam_id))
    if not ButtonForm().validate_on_submit():
        abort(400)
    archived = request.form.get("restore") != "1"
    svc.archive_exam(exam, current_user, archived)
    db.session.commit()
    flash(_("已归档“%(title)s”。", title=exam.title) if archived else _("已恢复“%(title)s”。", title=exam.title),
          "success")
    return redirect(url_for(".exams"))


# -- assigning ----------------------------------------------------------------------------

def _unit_tree(scope) -> list[tuple[int, str, int, str]]:
    """The units a trainer may assign to, in tree order: (id, name, depth, full path below the company).

    Many teams share a name (一班 in every section): the full path tells them apart."""
    units = list(db.session.scalars(select(Unit).where(scope.unit_condition(Unit.path)).order_by(Unit.path)))
    names = {u.id: u.name for u in units}
    ids = lambda u: [int(p) for p in u.path.strip("/").split("/") if p]  # noqa: E731
    missing = {i for u in units for i in ids(u)} - set(names)
    if missing:  # ancestors outside the trainer's units: their names only, for the path
        names.update(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(missing))).all())
    out = []
    for u in units:
        chain = [names.get(i, "") for i in ids(u)]
        out.append((u.id, u.name, u.depth, " / ".join(chain[1:] if len(chain) > 1 else chain)))
    return out


@bp.route("/exams/<int:exam_id>/assign", methods=["GET", "POST"])
@roles_required("trainer")
def exam_assign(exam_id: int):
    exam = exam_or_404(exam_id)
    scope = train_scope()
    form = AssignForm()
    unit_tree = _unit_tree(scope)
    form.unit_ids.choices = choices((unit_id, path) for unit_id, _name, _depth, path in unit_tree)
    form.job_type_ids.choices = choices((j.id, j.name)
                                        for j in db.session.scalars(select(JobType).order_by(JobType.name)))
    general: list[str] = []
    if form.validate_on_submit():
        numbers = [n for n in re.split(r"[\s,，;；、]+", form.employee_nos.data or "") if n]
        # only people in the trainer's scope are found: one outside it reads exactly like a 工号
        # that does not exist (the form must not tell who works elsewhere in the company)
        people = list(db.session.scalars(select(User).where(User.employee_no.in_(numbers),
                                                            scope.people_condition()))) if numbers else []
        missing = sorted(set(numbers) - {p.employee_no for p in people})
        if missing:
            form.employee_nos.errors = list(form.employee_nos.errors) + [
                _("在您负责的单位中找不到这些工号：%(nos)s。请核对工号。", nos="、".join(missing))]
        else:
            due_at = (datetime.combine(form.due_on.data, time(23, 59), SHANGHAI).astimezone(timezone.utc)
                      if form.due_on.data else None)
            try:
                assignment = assigning.assign(exam, current_user, unit_ids=form.unit_ids.data,
                                        job_type_ids=form.job_type_ids.data, user_ids=[p.id for p in people],
                                        due_at=due_at, title=form.title.data or "")
            except Invalid as exc:
                db.session.rollback()
                general = _show_errors(form, exc.errors)
            else:
                count = assigning.assignee_count(assignment)
                db.session.commit()
                flash(_("已布置给 %(n)s 人。", n=count), "success")
                return redirect(url_for(".exam_assign", exam_id=exam.id))
    existing = list(db.session.scalars(select(Assignment).where(Assignment.exam_id == exam.id)
                                       .order_by(Assignment.created_at.desc())))
    counts = {a.id: len(assigning.assignee_ids([a.id], scope)) for a in existing}
    return render_template("exams/trainer_assign.html", exam=exam, form=form, assignments=existing, counts=counts,
                           general_errors=general, limited=not scope.everything, unit_tree=unit_tree)

