"""Sign-ins while others write: none fails with "database is locked" (SQLite)."""
from __future__ import annotations

import threading

from quiz.auth.passwords import hash_password
from quiz.extensions import db
from quiz.org.models import AuditLog, User
from tests.org.factories import make_user

PEOPLE = 8


def test_sign_ins_during_writes_all_succeed(app):
    users = [make_user(f"C{i:04d}", commit=False) for i in range(PEOPLE)]
    slow_hash = hash_password("Concurrent1")  # scrypt: the password check takes tens of ms, as in production
    for user in users:
        user.password_hash = slow_hash
    db.session.commit()
    numbers = [u.employee_no for u in users]
    statuses: list[int] = []
    stop = threading.Event()

    def writer():
        with app.app_context():
            while not stop.is_set():
                db.session.add(AuditLog(action="test.tick", summary="x"))
                db.session.commit()

    def sign_in(number):
        client = app.test_client()
        response = client.post("/login", data={"employee_no": number, "password": "Concurrent1"})
        statuses.append(response.status_code)

    background = threading.Thread(target=writer)
    background.start()
    try:
        threads = [threading.Thread(target=sign_in, args=(n,)) for n in numbers * 2]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        stop.set()
        background.join(timeout=10)
    assert statuses == [302] * (2 * PEOPLE), statuses
    db.session.rollback()  # end this session's older snapshot
    assert all(u.last_login_at is not None for u in db.session.query(User).filter(User.employee_no.in_(numbers)))
