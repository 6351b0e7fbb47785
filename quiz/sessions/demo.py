"""Demo sessions for ``flask --app app demo load``: the 行为安全观察与沟通
special training held for 电解厂 and 氧化铝厂 (some absent) and scheduled
tomorrow for 热电厂; a lecture with a main and two branch venues; the
矿制工区 classes and a make-up lesson; 20 required hours a year. Runs after
the demo exams (the special training's follow-up test is one of them)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from flask import has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from quiz.db import utcnow
from quiz.exams.models import Exam
from quiz.extensions import db
from quiz.org.models import RoleGrant, Unit, User
from quiz.sessions import records, services
from quiz.sessions.audience import audience
from quiz.sessions.models import Attendance, TrainingSession

SHANGHAI_OFFSET = timezone(timedelta(hours=8))


def _trainer() -> User | None:
    return db.session.scalar(select(User).join(RoleGrant).where(RoleGrant.role == "trainer",
                                                                RoleGrant.unit_id.is_(None))
                             .order_by(User.employee_no).limit(1))


def _unit(name: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.name == name).order_by(Unit.depth).limit(1))


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    """``days`` from today at a local (Shanghai) time, in UTC."""
    today = utcnow().astimezone(SHANGHAI_OFFSET).date()
    local = datetime(today.year, today.month, today.day, hour, minute, tzinfo=SHANGHAI_OFFSET) + timedelta(days=days)
    return local.astimezone(timezone.utc)


def _attend(session: TrainingSession, rng: random.Random, absent_share: float = 0.15) -> tuple[int, int]:
    """Record a plausible attendance: most on time, a few late, some absent, one excused."""
    people = audience(session)
    present = absent = 0
    for i, person in enumerate(people):
        roll = rng.random()
        if person.employee_no in ("000001", "000002"):
            continue
        if roll < absent_share:
            absent += 1
            if i % 4 == 0:
                db.session.add(Attendance(session_id=session.id, user_id=person.id, status="excused",
                                          method="manual", reason=_("公休"), hours=0.0))
            continue
        late = roll > 0.93
        minutes = rng.randrange(8, 20) if late else -rng.randrange(1, 25)
        venue = session.venues[i % len(session.venues)]
        db.session.add(Attendance(session_id=session.id, user_id=person.id, venue_id=venue.id,
                                  status="late" if late else "present", method="qr",
                                  signed_in_at=session.starts_at + timedelta(minutes=minutes), hours=session.hours))
        present += 1
        services.follow_up(session, person.id, True)
    db.session.flush()
    return present, absent


def load_sessions() -> list[str]:
    trainer = _trainer()
    if trainer is None or db.session.scalar(select(TrainingSession.id).limit(1)) is not None:
        return []
    rng = random.Random(13)
    smelter, alumina, power = _unit("电解厂"), _unit("氧化铝厂"), _unit("热电厂")
    ore = _unit("矿制工区")
    companies = list(db.session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)))
    if not all((smelter, alumina, power, ore)):
        return []
    follow_up = db.session.scalar(select(Exam).where(Exam.title.like("%行为安全观察%"), Exam.mode == "exam",
                                                     Exam.archived.is_(False)).limit(1))
    lines = []
    title = "行为安全观察与沟通专项培训"
    base = services.SessionData(
        title=title, kind="special", starts_at=_at(-6, 9), ends_at=_at(-6, 11, 30), place=_("电解厂培训室"),
        topic=_("理论讲授、现场答疑与实操指导：行为安全观察的步骤、沟通技巧与不安全行为的纠正。"), hours=2.5,
        lecturer=_("安全环保部 刘工"), venues=[_("电解厂培训室")], unit_ids=[smelter.id],
        follow_up_exam_id=follow_up.id if follow_up else None, follow_up_days=7)
    first = services.save_session(None, base, trainer)
    p, a = _attend(first, rng)
    lines.append(_("培训：%(title)s（电解厂）出勤 %(p)s 人，缺勤 %(a)s 人", title=title, p=p, a=a))
    second = services.repeat_session(first, trainer, _at(-3, 14), unit_ids=[alumina.id])
    second.place = _("氧化铝厂会议室")
    second.venues[0].name = _("氧化铝厂会议室")
    p, a = _attend(second, rng)
    lines.append(_("培训：%(title)s（氧化铝厂）出勤 %(p)s 人，缺勤 %(a)s 人", title=title, p=p, a=a))
    third = services.repeat_session(first, trainer, _at(1, 9), unit_ids=[power.id])
    third.place = third.venues[0].name = _("热电厂培训室")
    lines.append(_("培训：%(title)s（热电厂）安排在明天 9:00", title=title))

    lecture = services.save_session(None, services.SessionData(
        title="学习宣传贯彻党的二十大精神宣讲", kind="lecture", starts_at=_at(-10, 14, 30), ends_at=_at(-10, 16, 30),
        place=_("公司礼堂"), hours=2.0, lecturer=_("公司宣讲团"),
        venues=[_("公司礼堂（主会场）"), _("电解厂分会场"), _("氧化铝厂分会场")],
        unit_ids=[c.id for c in companies], outsiders="guest"), trainer)
    p, a = _attend(lecture, rng, 0.1)
    lines.append(_("宣讲：主会场加两个分会场，出勤 %(p)s 人，缺勤 %(a)s 人", p=p, a=a))

    for days, topic in ((-20, "磨机安全操作规程"), (-8, "化灰机岗位风险辨识")):
        cls = services.save_session(None, services.SessionData(
            title=f"矿制工区培训班：{topic}", kind="class", starts_at=_at(days, 8, 30), ends_at=_at(days, 10, 30),
            place=_("矿制工区班前会议室"), hours=2.0, lecturer="赵矿制", venues=[_("矿制工区班前会议室")],
            unit_ids=[ore.id]), trainer)
        _attend(cls, rng, 0.2)
    makeup = services.save_session(None, services.SessionData(
        title="矿制工区补课：磨机安全操作规程", kind="makeup", starts_at=_at(-5, 16), ends_at=_at(-5, 17),
        place=_("矿制工区班前会议室"), hours=1.0, lecturer="赵矿制", venues=[_("矿制工区班前会议室")],
        unit_ids=[ore.id]), trainer)
    _attend(makeup, rng, 0.6)
    lines.append(_("培训班：矿制工区两次培训班和一次补课"))
    for company in companies:
        records.set_required(company, None, 20.0, trainer)
    lines.append(_("年度应修学时：每人 20 学时"))
    db.session.flush()
    return lines


def load() -> list[str]:
    if has_request_context():
        return load_sessions()
    with force_locale("zh"):
        return load_sessions()

