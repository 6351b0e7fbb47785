"""Demo learning paths for ``flask --app app demo load``: the shipped paths,
and the 矿制工区 crews at different stages of the 磨工 path, made through the
real exam engine (attempts started, answered and submitted days ago), so
that a newcomer sees a live board at once:

- 磨矿一班: everybody past topic 2;
- 磨矿二班: blocked on topic 2 by two people, one of them in remediation;
- 化灰班: just starting (one person has passed topic 1).
"""
from __future__ import annotations

from datetime import timedelta

from flask import has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from quiz.auth import passwords
from quiz.db import utcnow
from quiz.exams.attempt.answers import load_items, save_answer
from quiz.exams.attempt.finish import submit
from quiz.exams.attempt.start import start_attempt
from quiz.exams.trainer.grading_queue import grade_item
from quiz.extensions import db
from quiz.org import services as org_services
from quiz.org.demo import DEMO_PASSWORD
from quiz.org.models import Unit, User
from quiz.paths import services, shipped
from quiz.paths.models import Path

ORE = ("氧化铝厂", "矿制工区")
EXTRA_PEOPLE = {"磨矿二班": [("000901", "韩磨工"), ("000902", "冯磨工")], "化灰班": [("000903", "秦磨工")]}


def _right(revision):
    """A response that answers ``revision`` right (what the phone would post)."""
    if revision.type == "fill":
        return [alts[0] if isinstance(alts, list) and alts else alts for alts in (revision.answer or [])]
    if revision.type == "short":
        return "按规程操作"
    return revision.answer


def take(user: User, topic, *, passed: bool, when) -> None:
    """One finalised attempt at a topic's test, right or mostly wrong."""
    attempt = start_attempt(user, topic.exam, now=when)
    load_items(attempt)
    for item in attempt.items:
        right = passed or item.position == 0
        response = _right(item.revision) if right else None
        if response is not None:
            save_answer(attempt, item.position, response, item.position + 1, now=when)
    submit(attempt, now=when + timedelta(minutes=6))
    grader = db.session.scalar(select(User).where(User.employee_no == "000003"))
    for item in list(attempt.items):
        if item.score is None and grader is not None:  # a short answer: the section's trainer grades it
            grade_item(item, item.points if passed else 0.0, "", grader, now=when + timedelta(hours=1))


def _finish_remediation(user: User, topic) -> None:
    rem = services.open_remediation(user.id, topic)
    if rem is not None:
        for point in rem.points:
            point.right = point.needed
        rem.done_at = utcnow() - timedelta(days=9)
        db.session.flush()


def _crew(team: str) -> list[User]:
    unit = db.session.scalar(select(Unit).where(Unit.name == team, Unit.parent.has(Unit.name == ORE[1])))
    if unit is None:
        return []
    return list(db.session.scalars(select(User).where(User.unit_id == unit.id, User.active.is_(True),
                                                      User.job_type.has(name="磨工")).order_by(User.employee_no)))


def _add_people() -> None:
    for team, people in EXTRA_PEOPLE.items():
        unit = db.session.scalar(select(Unit).where(Unit.name == team, Unit.parent.has(Unit.name == ORE[1])))
        if unit is None:
            continue
        for no, name in people:
            if db.session.scalar(select(User.id).where(User.employee_no == no)) is None:
                db.session.add(User(employee_no=no, name=name, unit=unit, job_type=org_services.ensure_job_type("磨工"),
                                    password_hash=passwords.hash_password(DEMO_PASSWORD), must_change_password=False))
    db.session.flush()


def load_paths() -> list[str]:
    lines = shipped.load_shipped_paths()
    path = db.session.scalar(select(Path).where(Path.slug == "mogong"))
    if path is None or len(path.topics) < 2:
        return lines
    _add_people()
    t1, t2 = path.topics[0], path.topics[1]
    now = utcnow()
    one, two, lime = _crew("磨矿一班"), _crew("磨矿二班"), _crew("化灰班")
    for i, user in enumerate(one):
        if i == 0:
            take(user, t1, passed=False, when=now - timedelta(days=12))
            _finish_remediation(user, t1)
        take(user, t1, passed=True, when=now - timedelta(days=10, hours=-i))
    for user in one:
        take(user, t2, passed=True, when=now - timedelta(days=3))
    for user in two:
        take(user, t1, passed=True, when=now - timedelta(days=8))
    for user in two[:-2]:
        take(user, t2, passed=True, when=now - timedelta(days=2))
    if len(two) >= 2:
        take(two[-2], t2, passed=False, when=now - timedelta(days=1))  # in remediation; two[-1] not yet tested
    if lime:
        take(lime[0], t1, passed=True, when=now - timedelta(hours=5))
    db.session.flush()
    if two:
        lines.append(_("学习路径演示：%(who)s（工号 %(no)s，密码 %(pw)s）在磨矿二班补课中；培训员 000003 看班组看板",
                       who=two[-2].name, no=two[-2].employee_no, pw=DEMO_PASSWORD))
    return lines


def load() -> list[str]:
    if has_request_context():
        return load_paths()
    with force_locale("zh"):
        return load_paths()

