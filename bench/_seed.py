"""Benchmark set-up and reconciliation, in-process against the bench database.

``seed`` builds a fresh database the way a plant would have it on exam day:
N generated workers (given the cheap hash of generated initial passwords, as
the roster import does, so that signing them in through the real ``/login``
costs milliseconds instead of scrypt's ~50 ms each), the shipped banks, and
one timed 20-question exam assigned to everybody. ``reconcile`` compares
every answer the server acknowledged with what the database holds.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
QUESTIONS = 20
SECRET = "bench-secret-not-for-production"


def server_env(db_path: Path) -> dict[str, str]:
    """The environment the bench's gunicorn runs with (and ``seed`` builds the app with)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FLASK_APP")}
    env.update({
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SECRET_KEY": SECRET,
        # every simulated phone comes from 127.0.0.1: the per-address sign-in
        # limit (30 a minute) is for the internet, not for a load test
        "LOGIN_RATE_PER_ADDRESS": "1000000 per minute",
        # as the cheap hashes above: in production every sign-in spends one scrypt whatever
        # the account (sign-in timing must not tell which 工号 exist); the bench leaves it out
        "LOGIN_EQUAL_WORK_METHOD": "pbkdf2:sha256:100",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def make_app(env: dict[str, str]):
    old = dict(os.environ)
    os.environ.update(env)
    try:
        from quiz import create_app

        return create_app()
    finally:
        os.environ.clear()
        os.environ.update(old)


@dataclass
class Seeded:
    exam_id: int
    people: list[str]  # employee numbers of the workers, in creation order
    password: str
    seconds: float
    attempts: dict[str, int] = field(default_factory=dict)  # employee_no -> attempt id (start_attempts=True)


def seed_people(workers: int):
    """Inside an app context on an empty database: the tables, a company-wide trainer
    ``T000001`` and ``workers`` generated people (``demo.generate``), everyone but the trainer
    with the cheap hash of generated initial passwords (see quiz.auth.passwords). Returns the trainer."""
    from sqlalchemy import update

    from quiz.auth.passwords import hash_generated
    from quiz.extensions import db
    from quiz.org import demo
    from quiz.org.models import RoleGrant, User

    db.create_all()
    trainer = User(employee_no="T000001", name="压测培训员", password_hash=hash_generated(SECRET),
                   must_change_password=False)
    trainer.grants.append(RoleGrant(role="trainer", unit_id=None))
    db.session.add(trainer)
    db.session.flush()
    demo.generate(workers)
    db.session.execute(update(User).where(User.id != trainer.id)
                       .values(password_hash=hash_generated(demo.DEMO_PASSWORD)))
    return trainer


def seed(env: dict[str, str], workers: int, *, time_limit_minutes: int = 60, start_attempts: bool = False,
         bank_title: str | None = None) -> Seeded:
    """Fresh schema (``create_all``), ``workers`` people, the shipped banks,
    one exam of ``QUESTIONS`` questions drawn from the largest bank with a
    time limit, assigned to both demo companies (everybody generated).
    With ``start_attempts`` every worker also gets an attempt in progress."""
    import time

    from sqlalchemy import func, select

    from quiz.banks.models import Bank, Question
    from quiz.banks.shipped import load_shipped_banks
    from quiz.exams.attempt import start as attempt_start
    from quiz.exams.assignments import assigning
    from quiz.exams.trainer import exam_setup
    from quiz.extensions import db
    from quiz.org import demo
    from quiz.org.models import Unit, User

    started = time.perf_counter()
    app = make_app(env)
    with app.test_request_context():
        trainer = seed_people(workers)
        load_shipped_banks(actor=trainer)
        db.session.flush()
        counts = dict(db.session.execute(
            select(Question.bank_id, func.count()).where(Question.archived.is_(False))
            .group_by(Question.bank_id)).all())
        if bank_title:
            bank = db.session.scalar(select(Bank).where(Bank.title == bank_title))
        else:
            bank = db.session.get(Bank, max(counts, key=counts.get))
        if counts.get(bank.id, 0) < QUESTIONS:
            raise SystemExit(f"bank {bank.title} has fewer than {QUESTIONS} questions")
        exam = exam_setup.save_exam(None, exam_setup.ExamData(
            title="压测：安全规程考试", time_limit_minutes=time_limit_minutes, total=100.0, pass_mark=60.0,
            attempts_allowed=1, shuffle_questions=True, shuffle_options=True, review="wrong",
            rules=[exam_setup.RuleData(bank.id, QUESTIONS, 100.0 / QUESTIONS)]), trainer)
        roots = list(db.session.scalars(select(Unit.id).where(Unit.parent_id.is_(None))))
        assignment = assigning.assign(exam, trainer, unit_ids=roots, title="压测")
        people = list(db.session.scalars(select(User.employee_no).where(User.id != trainer.id).order_by(User.id)))
        db.session.commit()
        attempts = {}
        if start_attempts:
            for user in db.session.scalars(select(User).where(User.id != trainer.id).order_by(User.id)):
                attempt = attempt_start.start_attempt(user, exam, assignment=assignment)
                db.session.commit()
                attempts[user.employee_no] = attempt.id
        exam_id = exam.id
        db.session.remove()
        db.engine.dispose()
    return Seeded(exam_id, people, demo.DEMO_PASSWORD, time.perf_counter() - started, attempts)


@dataclass
class Sent:
    """One save the phone sent: what, and whether the server acknowledged it."""

    attempt_id: int
    position: int
    seq: int
    values: list[str]
    acked: bool = False


def reconcile(env: dict[str, str], sent: list[Sent], submitted: set[int]) -> dict:
    """Every acknowledged answer must be in the database: for each (attempt,
    position) the stored sequence number is at least the highest
    acknowledged one, and the stored response is exactly what the save with
    the stored sequence number sent (acknowledged or not: a save can commit
    and its reply be lost when a worker is killed). Also checks that every
    attempt whose submit was acknowledged is finalised, and SQLite's
    ``PRAGMA integrity_check`` (on SQLite only)."""
    from sqlalchemy import select, text

    from quiz.banks import types
    from quiz.exams.models import Attempt, AttemptItem
    from quiz.extensions import db

    by_key: dict[tuple[int, int], dict[int, Sent]] = {}
    for s in sent:
        by_key.setdefault((s.attempt_id, s.position), {})[s.seq] = s
    app = make_app(env)
    lost, mismatched, unknown, checked, not_final = [], [], [], 0, []
    with app.test_request_context():
        integrity = db.session.execute(text("PRAGMA integrity_check")).scalar() \
            if db.engine.dialect.name == "sqlite" else "n/a (" + db.engine.dialect.name + ")"
        attempt_ids = sorted({a for a, _p in by_key} | submitted)
        items: dict[tuple[int, int], AttemptItem] = {}
        statuses: dict[int, str] = {}
        for chunk in range(0, len(attempt_ids), 500):
            ids = attempt_ids[chunk:chunk + 500]
            for item in db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id.in_(ids))):
                items[(item.attempt_id, item.position)] = item
            statuses.update(db.session.execute(select(Attempt.id, Attempt.status).where(Attempt.id.in_(ids))).all())
        for key, saves in by_key.items():
            acked = [s.seq for s in saves.values() if s.acked]
            item = items.get(key)
            if item is None:
                if acked:
                    lost.append({"attempt": key[0], "position": key[1], "why": "no such item"})
                continue
            if acked:
                checked += 1
                if item.client_seq < max(acked):
                    lost.append({"attempt": key[0], "position": key[1], "acked_seq": max(acked),
                                 "db_seq": item.client_seq})
                    continue
            if item.client_seq == 0:
                continue
            source = saves.get(item.client_seq)
            if source is None:
                unknown.append({"attempt": key[0], "position": key[1], "db_seq": item.client_seq})
                continue
            expected = types.get(item.revision.type).response_from_form(list(source.values))
            if item.response != expected:
                mismatched.append({"attempt": key[0], "position": key[1], "seq": item.client_seq,
                                   "db": item.response, "sent": source.values})
        not_final = [a for a in submitted if statuses.get(a) != "submitted"]
        db.session.remove()
        db.engine.dispose()
    return {
        "acked_answers_checked": checked,
        "lost": len(lost) + len(mismatched),
        "lost_examples": (lost + mismatched)[:5],
        "unknown_seq": len(unknown),
        "acked_submits_not_final": len(not_final),
        "integrity_check": integrity,
    }
