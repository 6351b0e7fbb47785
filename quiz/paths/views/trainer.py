"""The trainer's pages: the paths, the board (people × topics per crew,
stuck crews first, Excel), what to teach a crew (lesson sheet PDF, a class
held), opening a topic early, building a path, practical sign-offs.
Scoped through ``quiz.auth.scopes`` (purpose "train")."""
from __future__ import annotations

import io
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from quiz.auth.scopes import scope_for
from quiz.banks.models import Article, Bank
from quiz.db import utcnow
from quiz.decorators import roles_required
from quiz.errors import Refused
from quiz.extensions import db
from quiz.forms import choices
from quiz.i18n import SHANGHAI
from quiz.org.models import JobType, Unit, User
from quiz.paths import board, lesson, services, state
from quiz.paths.forms import LessonForm, OverrideForm, PathForm, PracticalForm, TopicForm
from quiz.paths.models import MasterOperator, Override, Path
from quiz.paths.views import bp

TRAINERS = ("trainer",)


def panel(user) -> dict:
    return {"paths": list(db.session.scalars(select(Path).where(Path.archived.is_(False)).order_by(Path.id)))}


def head_panel(user) -> dict:
    """A head who also trains sees the trainer's panel only, not the same panel twice."""
    return {"paths": []} if user.has_role("trainer") else panel(user)

LESSON_CSS = """
@page { size: A4; margin: 12mm 12mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 9.5pt; color: #1d2430; }
h1 { font-size: 14pt; margin: 0 0 3pt; } h2 { font-size: 11pt; margin: 8pt 0 2pt; }
.meta { color: #5b6573; margin: 0 0 6pt; } blockquote { margin: 2pt 0 2pt 8pt; padding-left: 6pt; border-left: 2pt solid #8aa; }
ul { margin: 2pt 0 2pt 14pt; padding: 0; } .share { float: right; font-weight: bold; }
.point { border-top: 0.5pt solid #b8c2cf; padding-top: 3pt; page-break-inside: avoid; }
"""


def _path(path_id: int) -> Path:
    path = db.session.get(Path, path_id)
    if path is None:
        abort(404)
    return path


def _scope():
    return scope_for(current_user, "train")


def _crew_unit(path: Path, unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None or not _scope().can_see_unit(unit):
        abort(404)
    return unit


@bp.get("/paths/manage")
@roles_required(*TRAINERS)
def manage():
    paths = list(db.session.scalars(select(Path).where(Path.archived.is_(False)).order_by(Path.id)))
    return render_template("paths/manage.html", paths=paths)


@bp.get("/paths/manage/<int:path_id>/board")
@roles_required(*TRAINERS)
def board_page(path_id: int):
    path = _path(path_id)
    ps = state.load(path, _scope())
    if ps.persist(utcnow()):
        db.session.commit()
    overrides = [o for c in ps.crews.values() for o in c.overrides]
    person_overrides = list(db.session.scalars(select(Override).where(Override.path_id == path.id,
                                                                      Override.user_id.in_(list(ps.people)))))
    masters = {m.user_id for m in db.session.scalars(select(MasterOperator).where(MasterOperator.path_id == path.id))}
    return render_template("paths/board.html", path=path, ps=ps, rows=board.with_cells(ps, board.rows(ps, utcnow())),
                           overrides=overrides + person_overrides, form=OverrideForm(), masters=masters)


@bp.get("/paths/manage/<int:path_id>/board.xlsx")
@roles_required(*TRAINERS)
def board_xlsx(path_id: int):
    path = _path(path_id)
    data = board.xlsx(state.load(path, _scope()), utcnow())
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"path-{path.id}-board.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/paths/manage/<int:path_id>/override")
@roles_required(*TRAINERS)
def override(path_id: int):
    path = _path(path_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        flash(_("请填写课题编号和原因。"), "error")
        return redirect(url_for("paths.board_page", path_id=path.id))
    unit = _crew_unit(path, form.unit_id.data) if form.unit_id.data else None
    user = db.session.get(User, form.user_id.data) if form.user_id.data else None
    if form.user_id.data and (user is None or not _scope().can_see_person(user)):
        abort(404)
    try:
        services.open_early(path, form.topic_no.data, form.reason.data, current_user, unit=unit, user=user)
    except Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("paths.board_page", path_id=path.id))
    db.session.commit()
    flash(_("已提前开放课题 %(n)s。", n=form.topic_no.data), "success")
    return redirect(url_for("paths.board_page", path_id=path.id))


def _sheet(path: Path, unit_id: int, topic_no: int) -> lesson.Sheet:
    _crew_unit(path, unit_id)
    try:
        return lesson.sheet(path, unit_id, topic_no, _scope())
    except LookupError:
        abort(404)


@bp.route("/paths/manage/<int:path_id>/crews/<int:unit_id>/topics/<int:topic_no>", methods=["GET", "POST"])
@roles_required(*TRAINERS)
def teach(path_id: int, unit_id: int, topic_no: int):
    """What to teach this crew on this topic, and recording a class held."""
    path = _path(path_id)
    sheet = _sheet(path, unit_id, topic_no)
    form = LessonForm()
    form.points.choices = choices((p.point, p.point) for p in sheet.points)
    form.attendees.choices = choices((p.id, f"{p.name} {p.employee_no}") for p in (sheet.crew.people if sheet.crew else []))
    if request.method == "GET":
        form.held_on.data = datetime.now(SHANGHAI).date()
        form.points.data = [p.point for p in sheet.points[:3]]
    if form.validate_on_submit():
        unit = db.session.get(Unit, unit_id)
        allowed = {p.id for p in (sheet.crew.people if sheet.crew else [])}
        try:
            services.record_lesson(path, unit, topic_no, form.held_on.data, form.points.data or [],
                                   [i for i in (form.attendees.data or []) if i in allowed], current_user,
                                   kind=form.kind.data, note=form.note.data or "")
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("已记录。"), "success")
            return redirect(url_for("paths.teach", path_id=path.id, unit_id=unit_id, topic_no=topic_no))
    return render_template("paths/teach.html", sheet=sheet, form=form)


@bp.get("/paths/manage/<int:path_id>/crews/<int:unit_id>/topics/<int:topic_no>/lesson.pdf")
@roles_required(*TRAINERS)
def lesson_pdf(path_id: int, unit_id: int, topic_no: int):
    from quiz.pdf import html_to_pdf

    path = _path(path_id)
    sheet = _sheet(path, unit_id, topic_no)
    html = render_template("paths/lesson_sheet.html", sheet=sheet, points=sheet.points[:6],
                           generated=datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M"))
    return send_file(io.BytesIO(html_to_pdf(html, css=LESSON_CSS)), as_attachment=True,
                     download_name=f"lesson-{path.id}-{unit_id}-{topic_no}.pdf", mimetype="application/pdf")


@bp.route("/paths/manage/<int:path_id>/practical/<int:user_id>", methods=["GET", "POST"])
@login_required
def practical(path_id: int, user_id: int):
    """The practical sign-off, on the phone of a trainer or of the master
    operator named for the person's crew; never one's own."""
    path = _path(path_id)
    person = db.session.get(User, user_id)
    trainer_scope = _scope() if current_user.has_role("trainer") or current_user.is_admin else None
    if person is None or not services.may_sign(path, current_user, person, trainer_scope):
        abort(404)
    form = PracticalForm()
    if request.method == "GET":
        form.performed_on.data = datetime.now(SHANGHAI).date()
    if form.validate_on_submit():
        try:
            services.sign_practical(path, person, current_user, form.performed_on.data, form.note.data or "")
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("已签认 %(name)s 的实操考核。", name=person.name), "success")
            if trainer_scope is not None:
                return redirect(url_for("paths.board_page", path_id=path.id))
            return redirect(url_for("paths.crew_practicals", path_id=path.id))
    return render_template("paths/practical.html", path=path, person=person, form=form)


@bp.post("/paths/manage/<int:path_id>/masters")
@roles_required(*TRAINERS)
def name_master(path_id: int):
    path = _path(path_id)
    person = db.session.get(User, request.form.get("user_id", type=int) or 0)
    if person is None or not _scope().can_see_person(person):
        abort(404)
    try:
        services.name_master(path, person, current_user)
    except Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("已指定 %(name)s 为主操。", name=person.name), "success")
    return redirect(url_for("paths.board_page", path_id=path.id))


@bp.get("/paths/<int:path_id>/practicals")
@login_required
def crew_practicals(path_id: int):
    """A master operator's list: the people of their crew and their practical."""
    path = _path(path_id)
    master = db.session.scalar(select(MasterOperator).where(MasterOperator.path_id == path.id,
                                                            MasterOperator.user_id == current_user.id))
    if master is None:
        abort(404)
    ps = state.load(path, crew_ids=[master.unit_id])
    crew = ps.crews.get(master.unit_id)
    people = [p for p in (crew.people if crew else []) if p.id != current_user.id]
    return render_template("paths/crew_practicals.html", path=path, people=people,
                           crew_label=crew.label if crew else "")


# -- building a path -----------------------------------------------------------------------

@bp.route("/paths/manage/new", methods=["GET", "POST"])
@roles_required(*TRAINERS)
def new_path():
    form = PathForm()
    scope = _scope()
    units = list(db.session.scalars(select(Unit).where(scope.unit_condition(Unit.path)).order_by(Unit.path)))
    form.unit_id.choices = choices((u.id, "　" * u.depth + u.name) for u in units)
    form.job_type_id.choices = choices([(0, _("全部工种"))] + [(j.id, j.name) for j in
                                                           db.session.scalars(select(JobType).order_by(JobType.name))])
    if form.validate_on_submit():
        try:
            path = services.create_path(services.PathData(
                title=form.title.data, unit_ids=[form.unit_id.data],
                job_type_ids=[form.job_type_id.data] if form.job_type_id.data else [],
                description=form.description.data or "", gate=form.gate.data, crew_level=form.crew_level.data,
                remediation_required=form.remediation_required.data,
                retest_wait_minutes=form.retest_wait_minutes.data or 0,
                practical_title=form.practical_title.data or "",
                practical_description=form.practical_description.data or "",
                stuck_days=form.stuck_days.data or 14), current_user)
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for("paths.new_topic", path_id=path.id))
    return render_template("paths/path_form.html", form=form)


@bp.route("/paths/manage/<int:path_id>/topics/new", methods=["GET", "POST"])
@roles_required(*TRAINERS)
def new_topic(path_id: int):
    path = _path(path_id)
    form = TopicForm()
    banks = list(db.session.scalars(select(Bank).where(Bank.archived.is_(False)).order_by(Bank.title)))
    bank_choices = choices([(0, "—")] + [(b.id, b.title) for b in banks])
    for entry in form.draws:
        entry.form.bank_id.choices = bank_choices
    form.article_id.choices = choices([(0, _("无"))] + [(a.id, a.title) for a in
                                                       db.session.scalars(select(Article).order_by(Article.title))])
    errors: list[str] = []
    if form.validate_on_submit():
        draws = [services.DrawData(e.form.bank_id.data, (e.form.category.data or "").strip(), e.form.count.data)
                 for e in form.draws if e.form.bank_id.data and e.form.count.data]
        try:
            services.add_topic(path, services.TopicData(
                title=form.title.data, draws=draws, article_id=form.article_id.data or None,
                section=form.section.data or "", pass_percent=form.pass_percent.data,
                time_limit_minutes=form.time_limit_minutes.data), current_user)
        except Refused as exc:
            db.session.rollback()
            errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("已添加课题。"), "success")
            return redirect(url_for("paths.new_topic", path_id=path.id))
    from quiz.exams.paper.pool import bank_facets

    facets = bank_facets([b.id for b in banks])
    return render_template("paths/topic_form.html", path=path, form=form, errors=errors, banks=banks, facets=facets)
