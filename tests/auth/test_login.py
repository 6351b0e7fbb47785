from sqlalchemy import select

from quiz.extensions import db
from quiz.org.models import User
from tests.org.factories import PASSWORD, login, make_unit, make_user


def test_sign_in_and_out(client, app):
    user = make_user(name="李四")
    response = login(client, user)
    assert response.status_code == 302
    home = client.get("/")
    assert "您好，李四" in home.get_data(as_text=True)
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_wrong_password_says_so_in_chinese(client, app):
    user = make_user()
    response = login(client, user, password="wrong-one-1")
    assert response.status_code == 200
    assert "工号或密码不正确" in response.get_data(as_text=True)


def test_address_locks_after_repeated_failures_and_lock_expires(client, app, monkeypatch):
    """The phone that keeps failing is locked out of that account (other phones: tests/security)."""
    monkeypatch.setitem(app.config, "LOGIN_SLOW_SECONDS", 0)  # the waits in between: test_lockout_abuse
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert login(client, user, password="nope-nope-1").status_code == 200
    locked = login(client, user, password="nope-nope-1")
    assert locked.status_code == 429
    assert "已锁定" in locked.get_data(as_text=True)
    # the right password is refused while locked
    assert login(client, user).status_code == 429
    # once the lock has expired the right password works again
    from datetime import timedelta

    from quiz.db import utcnow

    from quiz.auth.models import SignInFailure

    row = db.session.scalar(select(SignInFailure).where(SignInFailure.employee_no == user.employee_no))
    row.blocked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(client, user).status_code == 302


def test_per_address_throttle(client, app):
    app.config["LOGIN_RATE_PER_ADDRESS"] = "3 per minute"
    try:
        for i in range(3):
            login(client, f"nobody{i}", password="x")
        response = login(client, "nobody9", password="x")
        assert response.status_code == 429
        assert "操作太频繁" in response.get_data(as_text=True)
    finally:
        app.config["LOGIN_RATE_PER_ADDRESS"] = "30 per minute"


def test_first_sign_in_forces_password_change(client, app):
    user = make_user(must_change_password=True)
    response = login(client, user)
    assert response.headers["Location"].endswith("/password")
    assert client.get("/").headers["Location"].endswith("/password")
    weak = client.post("/password", data={"current": PASSWORD, "new": "12345678", "confirm": "12345678"})
    assert "字母和数字" in weak.get_data(as_text=True)
    done = client.post("/password", data={"current": PASSWORD, "new": "NewPass123", "confirm": "NewPass123"})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert login(client, user, password="NewPass123").status_code == 302


def test_inactive_person_cannot_sign_in(client, app):
    user = make_user(active=False)
    assert "已停用" in login(client, user).get_data(as_text=True)


def test_idle_session_expires(client, app):
    user = make_user()
    login(client, user)
    with client.session_transaction() as session:
        session["seen"] = session["seen"] - app.config["IDLE_MINUTES"] * 60 - 5
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_open_redirect_refused(client, app):
    user = make_user()
    response = client.post("/login", data={"employee_no": user.employee_no, "password": PASSWORD,
                                           "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_session_cookie_flags(client, app):
    user = make_user()
    response = login(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_hash_is_a_modern_kdf(app):
    from quiz.auth.passwords import hash_password

    assert hash_password("Abcdef123").startswith("scrypt:")
    unit = make_unit()
    assert unit.path == f"/{unit.id}/"
