"""Lock-out abuse: one phone must not be able to lock a person, or a team, out.

Before: five wrong passwords from one address locked the account for
everybody for 15 minutes, and 工号 are sequential. Now failures count per
工号 *and* address: the failing address is slowed, then blocked; the real
person signing in from their own phone is not. The account-wide limit is far
higher and only slows. Admins see the locks and lift one, audited.
"""
from __future__ import annotations

import threading

from sqlalchemy import select

from quiz.extensions import db
from quiz.org.models import AuditLog
from tests.org.factories import PASSWORD, login, make_user

ATTACKER = "10.20.30.66"
VICTIMS_PHONE = "10.20.30.7"
WRONG = "Guess12345"


def _fail_until_blocked(client, app, clock, employee_no: str, address: str = ATTACKER):
    """Wrong passwords, each after the wait the last one asked for, until the address is blocked."""
    statuses = []
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        clock.advance(minutes=1)
        statuses.append(login(client, employee_no, WRONG, address=address).status_code)
    return statuses


def test_one_address_cannot_lock_the_real_person_out(client, app, clock):
    victim = make_user()
    statuses = _fail_until_blocked(client, app, clock, victim.employee_no)
    assert statuses[-1] == 429
    blocked = login(client, victim.employee_no, PASSWORD, address=ATTACKER)
    assert blocked.status_code == 429 and "已锁定" in blocked.get_data(as_text=True)  # even with the right password
    phone = app.test_client()
    assert login(phone, victim.employee_no, PASSWORD, address=VICTIMS_PHONE).status_code == 302


def test_the_failing_address_is_slowed_then_blocked(client, app, clock):
    victim = make_user()
    slow_after = app.config["LOGIN_SLOW_AFTER"]
    assert slow_after < app.config["LOGIN_MAX_FAILURES"]
    for _ in range(slow_after):
        assert login(client, victim.employee_no, WRONG, address=ATTACKER).status_code == 200
    too_soon = login(client, victim.employee_no, WRONG, address=ATTACKER)
    assert too_soon.status_code == 429
    assert "秒后再试" in too_soon.get_data(as_text=True)
    # the refused attempt does not count; after the wait the next one does
    clock.advance(seconds=app.config["LOGIN_SLOW_SECONDS"] + 1)
    assert login(client, victim.employee_no, WRONG, address=ATTACKER).status_code == 200
    assert login(client, victim.employee_no, PASSWORD, address=ATTACKER).status_code == 429  # still waiting: refused
    failures = slow_after + 1
    while failures < app.config["LOGIN_MAX_FAILURES"]:
        clock.advance(minutes=1)
        response = login(client, victim.employee_no, WRONG, address=ATTACKER)
        failures += 1
    assert response.status_code == 429 and "已锁定" in response.get_data(as_text=True)
    clock.advance(minutes=app.config["LOGIN_LOCK_MINUTES"] - 1)
    assert login(client, victim.employee_no, PASSWORD, address=ATTACKER).status_code == 429
    clock.advance(minutes=2)
    assert login(client, victim.employee_no, PASSWORD, address=ATTACKER).status_code == 302  # the block ends


def test_one_address_cannot_lock_out_a_whole_team_before_an_exam(client, app, clock):
    team = [make_user(f"31{n:04d}") for n in range(5)]  # sequential 工号, as in the plants
    for person in team:
        assert _fail_until_blocked(client, app, clock, person.employee_no)[-1] == 429
    for n, person in enumerate(team):
        phone = app.test_client()
        assert login(phone, person.employee_no, PASSWORD, address=f"10.20.31.{n + 1}").status_code == 302, person


def test_account_wide_limit_is_far_higher_and_only_slows(client, app, clock, monkeypatch):
    assert app.config["LOGIN_ACCOUNT_SLOW_AFTER"] >= 5 * app.config["LOGIN_MAX_FAILURES"]
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_SLOW_AFTER", 12)  # a smaller run of the same thing
    victim = make_user()
    for n in range(12):  # twelve addresses, one guess each: none of them blocked on its own
        assert login(client, victim.employee_no, WRONG, address=f"10.40.0.{n + 1}").status_code == 200
    phone = app.test_client()
    slowed = login(phone, victim.employee_no, PASSWORD, address=VICTIMS_PHONE)
    assert slowed.status_code == 429
    text = slowed.get_data(as_text=True)
    assert "秒后再试" in text and "已锁定" not in text
    clock.advance(seconds=app.config["LOGIN_ACCOUNT_DELAY_SECONDS"] + 1)
    assert login(phone, victim.employee_no, PASSWORD, address=VICTIMS_PHONE).status_code == 302


def test_an_unknown_number_is_blocked_like_a_real_one(client, app, clock):
    """Otherwise five guesses would tell which 工号 exist (a real one locks, an unknown one never)."""
    make_user("320001")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        clock.advance(minutes=1)
        login(client, "320001", WRONG, address=ATTACKER)
        login(client, "329999", WRONG, address=ATTACKER)
    real_page = login(client, "320001", WRONG, address=ATTACKER)
    unknown_page = login(client, "329999", WRONG, address=ATTACKER)
    assert real_page.status_code == unknown_page.status_code == 429
    assert real_page.get_data(as_text=True).replace("320001", "X") == \
        unknown_page.get_data(as_text=True).replace("329999", "X")


def test_admin_sees_current_locks_and_lifts_one_audited(client, app, clock):
    victim = make_user("330001", name="赵师傅")
    admin = make_user("900001", name="管理员", roles={"admin": [None]})
    _fail_until_blocked(client, app, clock, victim.employee_no)
    admin_client = app.test_client()
    assert login(admin_client, admin).status_code == 302
    page = admin_client.get("/admin/sign-in-locks")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "330001" in text and "赵师傅" in text and ATTACKER in text
    from quiz.auth.models import SignInFailure

    lock = db.session.scalar(select(SignInFailure).where(SignInFailure.employee_no == "330001"))
    # a worker cannot lift it
    worker_client = app.test_client()
    login(worker_client, make_user())
    assert worker_client.post(f"/admin/sign-in-locks/{lock.id}/lift").status_code == 403
    done = admin_client.post(f"/admin/sign-in-locks/{lock.id}/lift", follow_redirects=True)
    assert "已解除" in done.get_data(as_text=True)
    assert "330001" not in admin_client.get("/admin/sign-in-locks").get_data(as_text=True).split("id=\"locks\"")[1]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "auth.lift_lock"))
    assert entry is not None and entry.actor_id == admin.id and "330001" in entry.summary
    assert login(client, victim.employee_no, PASSWORD, address=ATTACKER).status_code == 302


def test_concurrent_failures_are_all_counted(app, monkeypatch):
    """Eight wrong passwords at once from one address: none lost (PostgreSQL: the first-row insert race)."""
    monkeypatch.setitem(app.config, "LOGIN_SLOW_AFTER", 100)
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 100)
    number = make_user().employee_no
    statuses: list[int] = []

    def attempt():
        statuses.append(login(app.test_client(), number, WRONG, address=ATTACKER).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert statuses == [200] * 8
    from quiz.auth.models import SignInFailure

    db.session.rollback()
    row = db.session.scalar(select(SignInFailure).where(SignInFailure.employee_no == number))
    assert row.failures == 8
