"""Training records (培训档案): one's own on the phone, heads their subtree,
admins everyone; a unit's hours against the hours required, its exports;
heads' list of sessions with the absentees to chase; the admin's required hours."""
from __future__ import annotations

import io
import zipfile

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from quiz.auth.scopes import scope_for
from quiz.db import utcnow
from quiz.decorators import roles_required
from quiz.extensions import db
from quiz.forms import choices
from quiz.i18n import SHANGHAI
from quiz.org.models import JobType, Unit, User
from quiz.org.services import unit_label
from quiz.sessions import attendance as att
from quiz.sessions import exports, records
from quiz.sessions.forms import RequiredHoursForm, YearForm
from quiz.sessions.models import RequiredHours, TrainingSession
from quiz.sessions.records import KIND_LABELS, STATUS_LABELS
from quiz.sessions.views import bp, download

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _this_year() -> int:
    return utcnow().astimezone(SHANGHAI).year


@bp.get("/records/me")
@login_required
def my_record():
    record = records.person_record(current_user)
    return render_template("sessions/record.html", record=record, own=True, unit_label=unit_label)


def _person_or_404(person_id: int) -> User:
    person = db.get_or_404(User, person_id)
    if person.id == current_user.id:
        return person
    if not (current_user.has_role("head", "trainer") or current_user.is_admin):
        abort(403)
    if not scope_for(current_user).can_see_person(person):
        abort(404)
    return person


@bp.get("/records/people/<int:person_id>")
@login_required
def person_record(person_id: int):
    person = _person_or_404(person_id)
    record = records.person_record(person)
    return render_template("sessions/record.html", record=record, own=person.id == current_user.id,
                           unit_label=unit_label)


@bp.get("/records/people/<int:person_id>.pdf")
@login_required
def person_record_pdf(person_id: int):
    person = _person_or_404(person_id)
    record = records.person_record(person)
    return download(exports.record_pdf([record]), f"{_('培训档案')}-{person.employee_no}-{person.name}.pdf",
                    "application/pdf")


def _unit_view_args():
    scope = scope_for(current_user)
    form = YearForm(request.args)
    units = list(db.session.scalars(select(Unit).where(scope.unit_condition(Unit.path)).order_by(Unit.path)))
    form.unit.choices = choices([(None, _("全部（我可以查看的）"))] + [(u.id, "　" * u.depth + u.name) for u in units])
    year = form.year.data if form.year.data and 2000 <= form.year.data <= 2100 else _this_year()
    unit = db.session.get(Unit, form.unit.data) if form.unit.data else None
    if unit is not None and not scope.can_see_unit(unit):
        abort(404)
    return scope, form, year, unit


@bp.get("/records/")
@roles_required("head", "trainer")
def unit_records():
    scope, form, year, unit = _unit_view_args()
    rows = records.unit_hours(scope, unit, year)
    shown = [r for r in rows if r.below] if form.below.data else rows
    below = sum(1 for r in rows if r.below)
    return render_template("sessions/unit_records.html", form=form, rows=shown[:500], total=len(rows), below=below,
                           year=year, unit=unit, unit_label=unit_label, truncated=len(shown) > 500)


def _export_people(scope, unit, year):
    rows = records.unit_hours(scope, unit, year)
    lines = records.entries([r.person.id for r in rows], year)
    return rows, lines


@bp.get("/records/export.xlsx")
@roles_required("head", "trainer")
def unit_records_xlsx():
    scope, _form, year, unit = _unit_view_args()
    rows, lines = _export_people(scope, unit, year)
    name = unit.name if unit else _("全部")
    return download(exports.records_xlsx(rows, lines, year), f"{_('培训档案')}-{name}-{year}.xlsx", XLSX)


@bp.get("/records/export.zip")
@roles_required("head", "trainer")
def unit_records_zip():
    scope, _form, year, unit = _unit_view_args()
    people = [r.person for r in records.unit_hours(scope, unit, year)]
    if len(people) > 2000:
        flash(_("人数太多（%(n)s 人），请选择下级单位分批下载。", n=len(people)), "error")
        return redirect(url_for(".unit_records", year=year, unit=unit.id if unit else None))
    rules = records.required_rules()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for person in people:
            record = records.person_record(person, rules)
            archive.writestr(f"{person.employee_no}-{person.name}.pdf", exports.record_pdf([record]))
    name = unit.name if unit else _("全部")
    return download(buffer.getvalue(), f"{_('培训档案')}-{name}-{year}.zip", "application/zip")


@bp.get("/records/sessions")
@roles_required("head", "trainer")
def head_sessions():
    """Past and current sessions with the viewer's people: who came, who to chase."""
    scope = scope_for(current_user)
    sessions = list(db.session.scalars(select(TrainingSession).where(TrainingSession.cancelled.is_(False),
                                                                     TrainingSession.starts_at <= utcnow())
                                       .order_by(TrainingSession.starts_at.desc()).limit(30)))
    sheets = [(s, att.counts(s, scope)) for s in sessions]
    sheets = [(s, c) for s, c in sheets if c.any]
    return render_template("sessions/head_sessions.html", sheets=sheets, kind_labels=KIND_LABELS)


@bp.get("/records/sessions/<int:session_id>/absent")
@roles_required("head", "trainer")
def chase(session_id: int):
    session = db.get_or_404(TrainingSession, session_id)
    sheet = att.sheet(session, scope_for(current_user))
    return render_template("sessions/chase.html", s=session, rows=sheet.absentees(), unit_label=unit_label,
                           status_labels=STATUS_LABELS)


@bp.get("/records/sessions/<int:session_id>/absent.xlsx")
@roles_required("head", "trainer")
def chase_xlsx(session_id: int):
    session = db.get_or_404(TrainingSession, session_id)
    sheet = att.sheet(session, scope_for(current_user))
    sheet.rows = sheet.absentees()
    filename = f"{_('缺勤名单')}-{session.title}-{session.starts_at.astimezone(SHANGHAI):%Y%m%d}.xlsx"
    return download(exports.attendance_xlsx(sheet), filename, XLSX)


@bp.route("/admin/required-hours", methods=["GET", "POST"])
@roles_required("admin")
def required_hours():
    form = RequiredHoursForm()
    form.unit_id.choices = choices([(None, _("（全部单位）"))] + [
        (u.id, "　" * u.depth + u.name) for u in db.session.scalars(select(Unit).order_by(Unit.path))])
    form.job_type_id.choices = choices([(None, _("（全部工种）"))] + [
        (j.id, j.name) for j in db.session.scalars(select(JobType).order_by(JobType.name))])
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
        job = db.session.get(JobType, form.job_type_id.data) if form.job_type_id.data else None
        if unit is None and job is None:
            form.unit_id.errors = [_("请选择单位或工种（或两者）。")]
        else:
            records.set_required(unit, job, form.hours.data, current_user)
            db.session.commit()
            flash(_("年度应修学时已保存。"), "success")
            return redirect(url_for(".required_hours"))
    rules = list(db.session.scalars(select(RequiredHours)))
    return render_template("sessions/required_hours.html", form=form, rules=rules, unit_label=unit_label)

