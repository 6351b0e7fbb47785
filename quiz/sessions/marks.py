"""Attendance recorded by a trainer: one person marked by hand with a
reason, or a paper sign-in sheet imported all or nothing. Never one's own
(DESIGN rule 11); audited. Flushes, never commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from quiz.auth.scopes import scope_for
from quiz.db import begin_write, utcnow
from quiz.exams.errors import Invalid
from quiz.extensions import db
from quiz.org.models import User
from quiz.org.services import audit
from quiz.sessions.audience import in_audience
from quiz.sessions.models import STATUSES, Attendance, SessionVenue, TrainingSession
from quiz.sessions.services import follow_up
from quiz.sessions.signin import existing


def _add(errors: dict[str, list[str]], key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


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
    follow_up(session, person.id, present)
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
        follow_up(session, person.id, True)
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
