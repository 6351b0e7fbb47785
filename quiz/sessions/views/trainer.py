"""The trainer's side (desktop, and the projector or phone in the room):
sessions, the sign-in screen with its rotating QR code, marks by hand,
paper sheets, the attendance and its exports."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import segno
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from quiz.auth.scopes import scope_for
from quiz.banks.models import Article
from quiz.db import utcnow
from quiz.decorators import roles_required
from quiz.exams.models import Exam
from quiz.extensions import db
from quiz.forms import choices
from quiz.i18n import SHANGHAI
from quiz.org.models import JobType, Unit, User
from quiz.sessions import attendance as att
from quiz.sessions import codes, exports, marks, services
from quiz.sessions.forms import MarkForm, RepeatForm, SessionForm, SheetForm
from quiz.sessions.models import SessionTarget, SessionVenue, TrainingSession
from quiz.sessions.records import KIND_LABELS, STATUS_LABELS
from quiz.sessions.views import bp, download


def panel_context(user) -> dict:
    query = (_visible(scope_for(user, "train")).where(TrainingSession.ends_at >= utcnow())
             .order_by(TrainingSession.starts_at).limit(5))
    return {"sessions": list(db.session.scalars(query)), "kind_labels": KIND_LABELS}


def _visible(scope):
    """Sessions a trainer may run: all for a company-wide trainer; otherwise
    those they created or whose audience names a unit or person in their units."""
    query = select(TrainingSession).where(TrainingSession.cancelled.is_(False))
    if not scope.everything:
        in_units = select(SessionTarget.session_id).join(Unit, Unit.id == SessionTarget.unit_id).where(
            scope.unit_condition(Unit.path))
        named = select(SessionTarget.session_id).join(User, User.id == SessionTarget.user_id).where(
            scope.people_condition())
        query = query.where(or_(TrainingSession.created_by_id == scope.user_id, TrainingSession.id.in_(in_units),
                                TrainingSession.id.in_(named)))
    return query



def _scope():
    return scope_for(current_user, "train")


def _session_or_404(session_id: int) -> TrainingSession:
    session = db.session.scalar(_visible(_scope()).where(TrainingSession.id == session_id))
    if session is None:
        abort(404)
    return session


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(SHANGHAI).replace(tzinfo=None) if value else None


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=SHANGHAI).astimezone(timezone.utc) if value else None


def _unit_choices(scope) -> list[tuple[int, str]]:
    units = db.session.scalars(select(Unit).where(scope.unit_condition(Unit.path)).order_by(Unit.path))
    return [(u.id, "　" * u.depth + u.name) for u in units]


def _audience_choices(form) -> None:
    scope = _scope()
    form.unit_ids.choices = choices(_unit_choices(scope))
    form.job_type_ids.choices = choices((j.id, j.name) for j in db.session.scalars(select(JobType).order_by(JobType.name)))


def _people(form) -> tuple[list[User], list[str]]:
    numbers = [n for n in re.split(r"[\s,，;；、]+", form.employee_nos.data or "") if n]
    people = list(db.session.scalars(select(User).where(User.employee_no.in_(numbers)))) if numbers else []
    return people, sorted(set(numbers) - {p.employee_no for p in people})


def _show_errors(form, errors: dict[str, list[str]]) -> list[str]:
    general = []
    for key, messages in errors.items():
        target = getattr(form, key, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors) + messages
        else:
            general.extend(messages)
    return general


@bp.get("/trainer/sessions/")
@roles_required("trainer")
def session_list():
    sessions = list(db.session.scalars(_visible(_scope()).order_by(TrainingSession.starts_at.desc()).limit(200)))
    return render_template("sessions/list.html", sessions=sessions, kind_labels=KIND_LABELS, now=utcnow())


@bp.route("/trainer/sessions/new", methods=["GET", "POST"])
@bp.route("/trainer/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required("trainer")
def session_edit(session_id: int | None = None):
    session = _session_or_404(session_id) if session_id else None
    if session is not None and request.method == "GET":
        data = services.session_data(session)
        form = SessionForm(obj=session)
        form.starts_at.data, form.ends_at.data = _local(session.starts_at), _local(session.ends_at)
        form.venues.data = "\n".join(data.venues)
        form.unit_ids.data, form.job_type_ids.data = list(data.unit_ids), list(data.job_type_ids)
        form.employee_nos.data = "\n".join(t.user.employee_no for t in session.targets if t.user)
    else:
        form = SessionForm()
    _audience_choices(form)
    form.article_id.choices = choices([(None, _("（无）"))] + [
        (a.id, a.title) for a in db.session.scalars(select(Article).order_by(Article.title))])
    form.follow_up_exam_id.choices = choices([(None, _("（不需要测试）"))] + [
        (e.id, e.title) for e in db.session.scalars(select(Exam).where(Exam.archived.is_(False),
                                                                       Exam.mode == "exam").order_by(Exam.title))])
    general: list[str] = []
    if form.validate_on_submit():
        people, missing = _people(form)
        if missing:
            form.employee_nos.errors = list(form.employee_nos.errors) + [
                _("找不到这些工号：%(nos)s", nos="、".join(missing))]
        else:
            venues = [line.strip() for line in (form.venues.data or "").splitlines() if line.strip()]
            data = services.SessionData(
                title=form.title.data, kind=form.kind.data, starts_at=_utc(form.starts_at.data),
                ends_at=_utc(form.ends_at.data), place=form.place.data or "", topic=form.topic.data or "",
                article_id=form.article_id.data, hours=form.hours.data, lecturer=form.lecturer.data or "",
                venues=venues or [form.place.data or _("主会场")], unit_ids=form.unit_ids.data,
                job_type_ids=form.job_type_ids.data, user_ids=[p.id for p in people],
                opens_before=form.opens_before.data, closes_after=form.closes_after.data,
                late_after=form.late_after.data, outsiders=form.outsiders.data,
                device_limit=form.device_limit.data, sign_out=form.sign_out.data,
                follow_up_exam_id=form.follow_up_exam_id.data, follow_up_days=form.follow_up_days.data or 7)
            try:
                session = services.save_session(session, data, current_user)
            except services.Invalid as exc:
                db.session.rollback()
                general = _show_errors(form, exc.errors)
            else:
                db.session.commit()
                flash(_("培训已保存。"), "success")
                return redirect(url_for(".session_detail", session_id=session.id))
    return render_template("sessions/edit.html", form=form, s=session, general_errors=general)


@bp.route("/trainer/sessions/<int:session_id>/repeat", methods=["GET", "POST"])
@roles_required("trainer")
def session_repeat(session_id: int):
    session = _session_or_404(session_id)
    form = RepeatForm()
    _audience_choices(form)
    general: list[str] = []
    if form.validate_on_submit():
        people, missing = _people(form)
        if missing:
            form.employee_nos.errors = [_("找不到这些工号：%(nos)s", nos="、".join(missing))]
        else:
            try:
                copy = services.repeat_session(session, current_user, _utc(form.starts_at.data), form.unit_ids.data,
                                               form.job_type_ids.data, [p.id for p in people])
            except services.Invalid as exc:
                db.session.rollback()
                general = _show_errors(form, exc.errors)
            else:
                db.session.commit()
                flash(_("已为其他单位安排同样的培训。"), "success")
                return redirect(url_for(".session_detail", session_id=copy.id))
    return render_template("sessions/repeat.html", form=form, s=session, general_errors=general)


@bp.get("/trainer/sessions/<int:session_id>")
@roles_required("trainer")
def session_detail(session_id: int):
    session = _session_or_404(session_id)
    sheet = att.sheet(session, _scope())
    mark_form = MarkForm()
    sheet_form = SheetForm()
    venue_choices = choices([(v.id, v.name) for v in session.venues])
    mark_form.venue_id.choices = sheet_form.venue_id.choices = venue_choices
    return render_template("sessions/detail.html", s=session, sheet=sheet, mark_form=mark_form,
                           sheet_form=sheet_form, kind_labels=KIND_LABELS, status_labels=STATUS_LABELS,
                           window=services.window_of(session), now=utcnow())


@bp.post("/trainer/sessions/<int:session_id>/mark")
@roles_required("trainer")
def session_mark(session_id: int):
    session = _session_or_404(session_id)
    form = MarkForm()
    form.venue_id.choices = choices([(v.id, v.name) for v in session.venues])
    if form.validate_on_submit():
        person = db.session.scalar(select(User).where(User.employee_no == form.employee_no.data.strip()))
        if person is None:
            flash(_("找不到工号 %(no)s，请核对。", no=form.employee_no.data.strip()), "error")
        else:
            venue = db.session.get(SessionVenue, form.venue_id.data) if form.venue_id.data else None
            try:
                marks.mark(session, person, form.status.data, form.reason.data, current_user, venue)
            except services.Invalid as exc:
                db.session.rollback()
                for messages in exc.errors.values():
                    for m in messages:
                        flash(m, "error")
            else:
                db.session.commit()
                flash(_("已登记 %(name)s：%(status)s。", name=person.name,
                        status=_(STATUS_LABELS[form.status.data])), "success")
    else:
        for errors in form.errors.values():
            for m in errors:
                flash(m, "error")
    return redirect(url_for(".session_detail", session_id=session.id) + "#mark")


@bp.post("/trainer/sessions/<int:session_id>/sheet")
@roles_required("trainer")
def session_sheet(session_id: int):
    session = _session_or_404(session_id)
    form = SheetForm()
    form.venue_id.choices = choices([(v.id, v.name) for v in session.venues])
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash(_("请选择要上传的签到表文件（.xlsx）。"), "error")
        return redirect(url_for(".session_detail", session_id=session.id) + "#sheet")
    rows, errors = marks.read_sheet(upload.read())
    if not errors:
        venue = db.session.get(SessionVenue, form.venue_id.data) if form.venue_id.data else None
        try:
            result = marks.import_sheet(session, rows, current_user, venue)
        except services.Invalid as exc:
            db.session.rollback()
            errors = [m for ms in exc.errors.values() for m in ms]
        else:
            db.session.commit()
            flash(_("签到表已导入：新登记 %(n)s 人，%(m)s 人此前已签到。", n=result.marked, m=result.already),
                  "success")
    if errors:
        flash(_("签到表没有导入（全部未登记），请改正以下问题后重新上传："), "error")
        for m in errors[:50]:
            flash(m, "error")
    return redirect(url_for(".session_detail", session_id=session.id) + "#sheet")


# -- the sign-in screen ------------------------------------------------------------------------

def _venue_or_404(session: TrainingSession, venue_id: int) -> SessionVenue:
    venue = db.session.get(SessionVenue, venue_id)
    if venue is None or venue.session_id != session.id:
        abort(404)
    return venue


_QR_CACHE: dict[str, str] = {}


def _qr(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI; a screen asks for the same
    code several times in its 15 seconds, so the last few are kept."""
    found = _QR_CACHE.get(url)
    if found is None:
        if len(_QR_CACHE) > 64:
            _QR_CACHE.clear()
        found = _QR_CACHE[url] = segno.make(url, error="m").svg_data_uri(scale=6, border=2)
    return found


def screen_state(session: TrainingSession, venue: SessionVenue) -> dict:
    now = utcnow()
    code = services.current_code(venue, now)
    url = url_for(".scan", venue_id=venue.id, c=code, _external=True)
    live = att.live(session)
    window = services.window_of(session)
    return {
        "code": code, "url": url, "qr": _qr(url),
        "seconds_left": round(codes.seconds_left(now), 1), "state": window.state(now),
        "present": live.present, "expected": live.expected, "venue_present": live.by_venue.get(venue.id, 0),
        "outsiders": live.outsiders, "latest": [{"name": n, "venue": v, "at": t} for n, v, t in live.latest],
        "alerts": [_("同一手机已为 %(n)s 人签到：%(names)s", n=n, names="、".join(names))
                   for n, names in live.device_alerts],
    }


@bp.get("/trainer/sessions/<int:session_id>/screen/<int:venue_id>")
@roles_required("trainer")
def screen(session_id: int, venue_id: int):
    session = _session_or_404(session_id)
    venue = _venue_or_404(session, venue_id)
    return render_template("sessions/screen.html", s=session, venue=venue, state=screen_state(session, venue),
                           window=services.window_of(session))


@bp.get("/trainer/sessions/<int:session_id>/screen/<int:venue_id>/state")
@roles_required("trainer")
def screen_json(session_id: int, venue_id: int):
    session = _session_or_404(session_id)
    venue = _venue_or_404(session, venue_id)
    return jsonify(screen_state(session, venue))


# -- exports ---------------------------------------------------------------------------------------

@bp.get("/trainer/sessions/<int:session_id>/attendance.xlsx")
@roles_required("trainer", "head")
def attendance_xlsx(session_id: int):
    session = db.get_or_404(TrainingSession, session_id)
    sheet = att.sheet(session, scope_for(current_user))
    filename = f"{_('签到表')}-{session.title}-{session.starts_at.astimezone(SHANGHAI):%Y%m%d}.xlsx"
    return download(exports.attendance_xlsx(sheet), filename,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/trainer/sessions/<int:session_id>/attendance.pdf")
@roles_required("trainer", "head")
def attendance_pdf(session_id: int):
    session = db.get_or_404(TrainingSession, session_id)
    sheet = att.sheet(session, scope_for(current_user))
    filename = f"{_('签到表')}-{session.title}-{session.starts_at.astimezone(SHANGHAI):%Y%m%d}.pdf"
    return download(exports.attendance_pdf(sheet), filename, "application/pdf")
