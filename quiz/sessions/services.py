"""What changes sessions: creating, editing and repeating them, their
window and codes, the follow-up test. Signing in is in ``signin``, marks by
hand and paper sheets in ``marks``. Services flush, never commit; the view
or command commits once (DESIGN rule 7). Trainer actions are audited.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from quiz.auth.scopes import scope_for
from quiz.db import utcnow
from quiz.exams.models import Assignment, AssignmentTarget, Exam
from quiz.exams.assignments.assigning import load_audience
from quiz.exams.errors import Invalid
from quiz.extensions import db
from quiz.org.models import User
from quiz.org.services import audit
from quiz.sessions import codes
from quiz.sessions.models import KINDS, OUTSIDER_POLICIES, Attendance, SessionTarget, SessionVenue, TrainingSession

__all__ = ["Invalid", "SessionData", "save_session", "session_data", "repeat_session", "window_of", "current_code",
           "follow_up"]


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
    messages = {
        "units": ("unit_ids", _("只能安排给您负责培训的单位。")),
        "job_types": ("job_type_ids", _("请从列表中选择工种。")),
        "people": ("employee_nos", _("只能安排给您负责培训的单位中在岗的人员。")),
        "job_types_alone": ("unit_ids", _("按工种安排时请同时选择单位：您只负责部分单位的培训。")),
        "empty": ("unit_ids", _("请至少选择一个单位、工种或人员。")),
    }
    for problem in load_audience(scope, data.unit_ids, data.job_type_ids, data.user_ids)[3]:
        _add(errors, *messages[problem])
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


def follow_up(session: TrainingSession, user_id: int, present: bool) -> None:
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
