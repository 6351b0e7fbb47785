"""What changes sessions and attendance. Services flush, never commit; the
view or command commits once (DESIGN rule 7). Trainer actions are audited.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from quiz.auth.scopes import scope_for
from quiz.db import begin_write, utcnow
from quiz.exams.models import Assignment, AssignmentTarget, Exam
from quiz.exams.trainer_services import Invalid
from quiz.extensions import db
from quiz.org.models import JobType, Unit, User
from quiz.org.services import audit
from quiz.sessions import codes
from quiz.sessions.audience import in_audience
from quiz.sessions.models import (KINDS, OUTSIDER_POLICIES, STATUSES, Attendance, SessionTarget, SessionVenue,
                                  TrainingSession)

__all__ = ["Invalid", "SessionData", "save_session", "repeat_session", "sign_in", "SignInResult", "mark",
           "sign_out", "import_sheet", "window_of", "current_code"]


def _add(errors: dict[str, list[str]], key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


@dataclass
class SessionData:
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    topic: str = ""
    article_id: int | None = None
    hours: float = 1.0
    lecturer: str = ""
    venues: list[str] = field(default_factory=list)  # the main venue first, then branches
    unit_ids: Sequence[int] = ()
    job_type_ids: Sequence[int] = ()
    user_ids: Sequence[int] = ()
    opens_before: int = 30
    closes_after: int = 30
    late_after: int = 5
    outsiders: str = "flag"
    device_limit: int = 2
    sign_out: bool = False
    follow_up_exam_id: int | None = None
    follow_up_days: int = 7


def _check(data: SessionData, actor: User) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    scope = scope_for(actor, "train")
    if not (data.title or "").strip():
        _add(errors, "title", _("请输入培训名称。"))
    if data.kind not in KINDS:
        _add(errors, "kind", _("请从列表中选择培训类型。"))
    if data.starts_at is None or data.ends_at is None:
        _add(errors, "starts_at", _("请填写开始和结束时间。"))
    elif data.ends_at <= data.starts_at:
        _add(errors, "ends_at", _("结束时间应晚于开始时间。"))
    elif data.ends_at - data.starts_at > timedelta(days=3):
        _add(errors, "ends_at", _("一次培训最长 3 天，更长的培训请分次安排。"))
    if data.hours is None or not 0 <= data.hours <= 100:
        _add(errors, "hours", _("学时应在 0 到 100 之间。"))
    venues = [v.strip() for v in data.venues if v and v.strip()]
    if not venues:
        _add(errors, "venues", _("请至少填写主会场。"))
    if len(set(venues)) != len(venues):
        _add(errors, "venues", _("会场名称不能重复。"))
    if not 0 <= (data.opens_before or 0) <= 24 * 60 or not 0 <= (data.closes_after or 0) <= 24 * 60:
        _add(errors, "opens_before", _("签到时间应在 0 到 1440 分钟之间。"))
    if data.outsiders not in OUTSIDER_POLICIES:
        _add(errors, "outsiders", _("请从列表中选择如何处理名单外人员。"))
    if not 1 <= (data.device_limit or 0) <= 50:
        _add(errors, "device_limit", _("同一手机签到人数上限应在 1 到 50 之间。"))
    units = [db.session.get(Unit, i) for i in dict.fromkeys(data.unit_ids)]
    jobs = [db.session.get(JobType, i) for i in dict.fromkeys(data.job_type_ids)]
    people = [db.session.get(User, i) for i in dict.fromkeys(data.user_ids)]
    if any(u is None or not scope.can_see_unit(u) for u in units):
        _add(errors, "unit_ids", _("只能安排给您负责培训的单位。"))
    if any(j is None for j in jobs):
        _add(errors, "job_type_ids", _("请从列表中选择工种。"))
    if any(p is None or not p.active or not scope.can_see_person(p) for p in people):
        _add(errors, "employee_nos", _("只能安排给您负责培训的单位中在岗的人员。"))
    if jobs and not units and not scope.everything:
        _add(errors, "unit_ids", _("按工种安排时请同时选择单位：您只负责部分单位的培训。"))
    if not units and not jobs and not people:
        _add(errors, "unit_ids", _("请至少选择一个单位、工种或人员。"))
    if data.follow_up_exam_id is not None:
        exam = db.session.get(Exam, data.follow_up_exam_id)
        if exam is None or exam.archived or not (exam.items or exam.rules):
            _add(errors, "follow_up_exam_id", _("请选择一场有题目、未归档的考试作为培训后测试。"))
        if not 1 <= (data.follow_up_days or 0) <= 365:
            _add(errors, "follow_up_days", _("测试截止天数应在 1 到 365 之间。"))
    return errors


def _apply(session: TrainingSession, data: SessionData) -> None:
    session.title = data.title.strip()
    session.kind = data.kind
    session.starts_at, session.ends_at = data.starts_at, data.ends_at
    session.place = (data.place or "").strip()
    session.topic = (data.topic or "").strip()
    session.article_id = data.article_id
    session.hours = float(data.hours)
    session.lecturer = (data.lecturer or "").strip()
    session.opens_before, session.closes_after = int(data.opens_before), int(data.closes_after)
    session.late_after = int(data.late_after or 0)
    session.outsiders = data.outsiders
    session.device_limit = int(data.device_limit)
    session.sign_out = bool(data.sign_out)
    if session.follow_up_exam_id != data.follow_up_exam_id:
        session.follow_up_assignment_id = None  # a new exam gets its own assignment
    session.follow_up_exam_id = data.follow_up_exam_id
    session.follow_up_days = int(data.follow_up_days or 7)
    names = [v.strip() for v in data.venues if v and v.strip()]
    kept = {v.name: v for v in session.venues}
    venues = []
    for i, name in enumerate(names):
        venue = kept.get(name) or SessionVenue(name=name, secret=codes.new_secret())
        venue.position, venue.is_main = i, i == 0
        venues.append(venue)
    session.venues = venues
    session.targets = ([SessionTarget(unit_id=i) for i in dict.fromkeys(data.unit_ids)]
                       + [SessionTarget(job_type_id=i) for i in dict.fromkeys(data.job_type_ids)]
                       + [SessionTarget(user_id=i) for i in dict.fromkeys(data.user_ids)])


def save_session(session: TrainingSession | None, data: SessionData, actor: User) -> TrainingSession:
    """Create or edit a session (raises ``Invalid`` with field errors)."""
    errors = _check(data, actor)
    if session is not None:
        names = {v.strip() for v in data.venues if v and v.strip()}
        for venue in session.venues:
            if venue.name not in names and db.session.scalar(
                    select(Attendance.id).where(Attendance.venue_id == venue.id).limit(1)) is not None:
                _add(errors, "venues", _("会场「%(name)s」已有人签到，不能删除或改名。", name=venue.name))
    if errors:
        raise Invalid(errors)
    new = session is None
    if new:
        session = TrainingSession(created_by_id=actor.id)
        db.session.add(session)
    _apply(session, data)
    db.session.flush()
    _prepare_follow_up(session)
    audit("session.create" if new else "session.edit", session,
          _("%(action)s培训 %(title)s", action=_("新建") if new else _("修改"), title=session.title),
          {"starts_at": session.starts_at.isoformat(), "venues": [v.name for v in session.venues],
           "hours": session.hours}, actor=actor)
    return session


def session_data(session: TrainingSession) -> SessionData:
    return SessionData(
        title=session.title, kind=session.kind, starts_at=session.starts_at, ends_at=session.ends_at,
        place=session.place, topic=session.topic, article_id=session.article_id, hours=session.hours,
        lecturer=session.lecturer, venues=[v.name for v in session.venues],
        unit_ids=[t.unit_id for t in session.targets if t.unit_id],
        job_type_ids=[t.job_type_id for t in session.targets if t.job_type_id],
        user_ids=[t.user_id for t in session.targets if t.user_id], opens_before=session.opens_before,
        closes_after=session.closes_after, late_after=session.late_after, outsiders=session.outsiders,
        device_limit=session.device_limit, sign_out=session.sign_out,
        follow_up_exam_id=session.follow_up_exam_id, follow_up_days=session.follow_up_days)


def repeat_session(session: TrainingSession, actor: User, starts_at: datetime, unit_ids: Sequence[int] = (),
                   job_type_ids: Sequence[int] = (), user_ids: Sequence[int] = ()) -> TrainingSession:
    """The same training again on another day for other people
    ("截至2月底，各二级单位将陆续完成"): same title, hours, venues and test."""
    data = session_data(session)
    length = session.ends_at - session.starts_at
    data.starts_at, data.ends_at = starts_at, starts_at + length
    data.unit_ids, data.job_type_ids, data.user_ids = list(unit_ids), list(job_type_ids), list(user_ids)
    copy = save_session(None, data, actor)
    copy.repeat_of_id = session.repeat_of_id or session.id
    db.session.flush()
    return copy


# -- the window and the code -------------------------------------------------------------------

def window_of(session: TrainingSession) -> codes.Window:
    return codes.window(session.starts_at, session.opens_before, session.closes_after,
                        session.ends_at if session.sign_out else None)


def current_code(venue: SessionVenue, now: datetime | None = None) -> str:
    return codes.code_for(venue.secret, codes.step_of(now or utcnow()))


# -- the follow-up test ------------------------------------------------------------------------

def _prepare_follow_up(session: TrainingSession) -> None:
    """The follow-up test's assignment exists from the start (no race to
    create it at the first sign-in) and is due the set days after the end."""
    if session.follow_up_exam_id is None:
        return
    assignment = session.follow_up_assignment
    due = session.ends_at + timedelta(days=session.follow_up_days)
    if assignment is None:
        assignment = Assignment(exam_id=session.follow_up_exam_id, title=session.title, due_at=due,
                                created_by_id=session.created_by_id)
        db.session.add(assignment)
        db.session.flush()
        session.follow_up_assignment = assignment
        present = db.session.scalars(select(Attendance.user_id).where(
            Attendance.session_id == session.id, Attendance.status.in_(("present", "late")))).all()
        for user_id in present:  # a test chosen after people came
            db.session.add(AssignmentTarget(assignment_id=assignment.id, user_id=user_id))
    else:
        assignment.due_at, assignment.title = due, session.title
    db.session.flush()


def _follow_up(session: TrainingSession, user_id: int, present: bool) -> None:
    """Give (or take back) the session's follow-up test to one person, through
    one assignment per session that names everybody who attended."""
    if session.follow_up_exam_id is None:
        return
    assignment = session.follow_up_assignment
    if assignment is None:
        if not present:
            return
        assignment = Assignment(exam_id=session.follow_up_exam_id, title=session.title,
                                due_at=session.ends_at + timedelta(days=session.follow_up_days),
                                created_by_id=session.created_by_id)
        db.session.add(assignment)
        db.session.flush()
        session.follow_up_assignment = assignment
    named = db.session.scalar(select(AssignmentTarget.id).where(AssignmentTarget.assignment_id == assignment.id,
                                                                AssignmentTarget.user_id == user_id))
    if present and named is None:
        db.session.add(AssignmentTarget(assignment_id=assignment.id, user_id=user_id))
    elif not present and named is not None:
        db.session.execute(delete(AssignmentTarget).where(AssignmentTarget.id == named))


# -- sign-in -----------------------------------------------------------------------------------

REFUSALS = ("wrong_code", "other_session", "expired", "not_open", "closed", "outsider", "cancelled")


@dataclass
class SignInResult:
    outcome: str  # "ok", "already" or one of REFUSALS
    attendance: Attendance | None = None
    other: TrainingSession | None = None  # the session the code belongs to ("other_session")
    device_alert: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome in ("ok", "already")


def _other_venue(code: str, venue: SessionVenue, now: datetime) -> SessionVenue | None:
    """An open session's venue whose current code is ``code`` (a code read off another room's screen)."""
    for other in open_venues(now):
        if other.id != venue.id and codes.check(other.secret, code, now) == "ok":
            return other
    return None


def open_venues(now: datetime | None = None) -> list[SessionVenue]:
    """Venues of sessions whose sign-in window may be open now (a generous SQL
    bound, then the exact window)."""
    now = now or utcnow()
    query = (select(SessionVenue).join(TrainingSession)
             .where(TrainingSession.cancelled.is_(False), TrainingSession.starts_at <= now + timedelta(days=1),
                    TrainingSession.ends_at >= now - timedelta(days=1)))
    return [v for v in db.session.scalars(query) if window_of(v.session).state(now) == "open"]


def find_venue(code: str, now: datetime | None = None) -> SessionVenue | None:
    """The open venue whose code (current or one rotation old) is ``code``: the typed-code page."""
    now = now or utcnow()
    for venue in open_venues(now):
        if codes.check(venue.secret, code, now) == "ok":
            return venue
    return None


def existing(session_id: int, user_id: int) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.session_id == session_id,
                                                      Attendance.user_id == user_id))


def device_count(session_id: int, device: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Attendance)
                             .where(Attendance.session_id == session_id, Attendance.device == device)) or 0


def precheck(venue: SessionVenue, code: str | None, now: datetime, code_checked: bool = False) -> SignInResult | None:
    """The refusal a scan gets before we know who scans (window, code), or None."""
    session = venue.session
    if session.cancelled:
        return SignInResult("cancelled")
    state = window_of(session).state(now)
    if state != "open":
        return SignInResult(state)
    if not code_checked:
        verdict = codes.check(venue.secret, code or "", now)
        if verdict == "expired":
            return SignInResult("expired")
        if verdict == "wrong":
            other = _other_venue(code or "", venue, now)
            if other is not None:
                return SignInResult("other_session", other=other.session)
            return SignInResult("wrong_code")
    return None


def sign_in(venue: SessionVenue, user: User, code: str | None, *, now: datetime | None = None,
            device: str | None = None, method: str = "qr", code_checked: bool = False,
            locked: bool = False) -> SignInResult:
    """Record ``user`` at ``venue`` with the code they scanned or typed.

    The code proves presence in the room; identity is the person's own
    sign-in to the app. ``code_checked`` says the code was checked already
    (at the scan, before the person signed in to the app); ``locked`` that
    the caller took the write lock (``begin_write``) before reading anything.
    Recorded once: a second scan answers "already" with the first time.
    """
    now = now or utcnow()
    session = venue.session
    refusal = precheck(venue, code, now, code_checked=code_checked)
    if refusal is not None:
        return refusal
    outsider = not in_audience(user, session)
    if outsider and session.outsiders == "refuse":
        return SignInResult("outsider")
    if not locked:
        begin_write(db.session)
    found = existing(session.id, user.id)
    if found is not None and found.status in ("present", "late"):
        return SignInResult("already", found)
    status = codes.arrival_status(now, session.starts_at, session.late_after)
    if found is None:
        attendance = Attendance(session_id=session.id, user_id=user.id)
    else:  # marked absent or excused earlier, then came
        attendance = found
    attendance.venue_id, attendance.status, attendance.method = venue.id, status, method
    attendance.signed_in_at, attendance.outsider, attendance.device = now, outsider, device
    attendance.hours = session.hours if not session.sign_out else 0.0
    try:
        with db.session.begin_nested():
            db.session.add(attendance)
            db.session.flush()
    except IntegrityError:  # the same person's other phone won the race
        return SignInResult("already", existing(session.id, user.id))
    _follow_up(session, user.id, True)
    db.session.flush()
    alert = bool(device) and device_count(session.id, device) > session.device_limit
    return SignInResult("ok", attendance, device_alert=alert)


def sign_out(session: TrainingSession, user: User, now: datetime | None = None) -> Attendance | None:
    """Sign ``user`` out: their hours become the share of the session attended."""
    now = now or utcnow()
    attendance = existing(session.id, user.id)
    if attendance is None or attendance.status not in ("present", "late") or attendance.signed_in_at is None:
        return None
    attendance.signed_out_at = now
    attendance.hours = codes.credited_hours(session.hours, session.starts_at, session.ends_at,
                                            attendance.signed_in_at, now)
    db.session.flush()
    return attendance


# -- by hand and from paper ---------------------------------------------------------------------

def mark(session: TrainingSession, person: User, status: str, reason: str, actor: User,
         venue: SessionVenue | None = None, now: datetime | None = None) -> Attendance:
    """A trainer (or venue helper) marks one person present, late, absent or
    excused with a reason; never their own attendance (rule 11). Audited."""
    errors: dict[str, list[str]] = {}
    if person.id == actor.id:
        _add(errors, "employee_no", _("不能给自己登记出勤，请由其他培训员登记。"))
    if status not in STATUSES:
        _add(errors, "status", _("请选择出勤情况。"))
    if not (reason or "").strip():
        _add(errors, "reason", _("请填写原因（例如：忘带手机、迟到补签）。"))
    if not scope_for(actor, "train").can_see_person(person):
        _add(errors, "employee_no", _("只能登记您负责培训的单位中的人员。"))
    if errors:
        raise Invalid(errors)
    now = now or utcnow()
    begin_write(db.session)
    attendance = existing(session.id, person.id)
    before = attendance.status if attendance else None
    if attendance is None:
        attendance = Attendance(session_id=session.id, user_id=person.id)
        db.session.add(attendance)
    attendance.status, attendance.method = status, "manual"
    attendance.reason, attendance.marked_by_id = reason.strip(), actor.id
    attendance.outsider = not in_audience(person, session)
    if venue is not None:
        attendance.venue_id = venue.id
    elif attendance.venue_id is None and session.venues:
        attendance.venue_id = session.venues[0].id
    present = status in ("present", "late")
    if present and attendance.signed_in_at is None:
        attendance.signed_in_at = now
    attendance.hours = session.hours if present else 0.0
    db.session.flush()
    _follow_up(session, person.id, present)
    audit("session.mark", session, _("登记 %(name)s（%(no)s）出勤：%(status)s", name=person.name,
                                     no=person.employee_no, status=status),
          {"user_id": person.id, "employee_no": person.employee_no, "before": before, "status": status,
           "reason": reason.strip()}, actor=actor)
    return attendance


@dataclass
class SheetResult:
    marked: int
    already: int


def import_sheet(session: TrainingSession, rows: list[tuple[int, str]], actor: User,
                 venue: SessionVenue | None = None) -> SheetResult:
    """Mark everybody on a paper sign-in sheet present (rows of (row number,
    工号)), all or nothing: raises ``Invalid`` with row-numbered errors."""
    errors: list[str] = []
    scope = scope_for(actor, "train")
    numbers = [no for _row, no in rows]
    people = {u.employee_no: u for u in db.session.scalars(select(User).where(User.employee_no.in_(numbers)))}
    seen: dict[str, int] = {}
    for row, number in rows:
        person = people.get(number)
        if number in seen:
            errors.append(_("第 %(row)s 行：工号 %(no)s 与第 %(first)s 行重复，请删除一行。",
                            row=row, no=number, first=seen[number]))
            continue
        seen[number] = row
        if person is None:
            errors.append(_("第 %(row)s 行：找不到工号 %(no)s，请核对。", row=row, no=number))
        elif person.id == actor.id:
            errors.append(_("第 %(row)s 行：不能给自己登记出勤（工号 %(no)s）。", row=row, no=number))
        elif not scope.can_see_person(person):
            errors.append(_("第 %(row)s 行：工号 %(no)s 不在您负责培训的单位中。", row=row, no=number))
        elif session.outsiders == "refuse" and not in_audience(person, session):
            errors.append(_("第 %(row)s 行：工号 %(no)s 不在这次培训的名单中（本次培训拒绝名单外人员）。",
                            row=row, no=number))
    if not rows and not errors:
        errors.append(_("表格中没有工号，请在第一列填写工号（第一行可以是表头「工号」）。"))
    if errors:
        raise Invalid({"file": errors})
    begin_write(db.session)
    marked = already = 0
    for _row, number in rows:
        person = people[number]
        found = existing(session.id, person.id)
        if found is not None and found.status in ("present", "late"):
            already += 1
            continue
        attendance = found or Attendance(session_id=session.id, user_id=person.id)
        attendance.status, attendance.method, attendance.hours = "present", "sheet", session.hours
        attendance.venue_id = (venue or session.main_venue).id if (venue or session.main_venue) else None
        attendance.signed_in_at = attendance.signed_in_at or session.starts_at
        attendance.outsider = not in_audience(person, session)
        attendance.reason, attendance.marked_by_id = _("纸质签到表"), actor.id
        db.session.add(attendance)
        db.session.flush()
        _follow_up(session, person.id, True)
        marked += 1
    db.session.flush()
    audit("session.sheet", session, _("导入纸质签到表：%(n)s 人", n=marked),
          {"employee_nos": numbers, "marked": marked, "already": already}, actor=actor)
    return SheetResult(marked, already)


def read_sheet(data: bytes) -> tuple[list[tuple[int, str]], list[str]]:
    """The 工号 of a paper sign-in sheet (.xlsx): the column headed 工号, or
    the first column. Returns (rows, errors); errors name the row."""
    import io

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same message
        return [], [_("无法读取文件：请上传 Excel（.xlsx）格式的签到表。")]
    ws = wb.worksheets[0]
    rows: list[tuple[int, str]] = []
    errors: list[str] = []
    column = 0
    for index, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = ["" if v is None else str(v).strip() for v in values]
        if index == 1 and any(c in ("工号", "员工编号", "employee_no") for c in cells):
            column = next(i for i, c in enumerate(cells) if c in ("工号", "员工编号", "employee_no"))
            continue
        if not any(cells):
            continue
        value = cells[column] if column < len(cells) else ""
        if value.endswith(".0") and value[:-2].isdigit():  # a number cell
            value = value[:-2]
        if not value:
            errors.append(_("第 %(row)s 行：工号为空，请填写或删除这一行。", row=index))
        elif not value.isalnum():
            errors.append(_("第 %(row)s 行：「%(value)s」不是工号。", row=index, value=value[:30]))
        else:
            rows.append((index, value))
    wb.close()
    return rows, errors
