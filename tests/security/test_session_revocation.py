"""Sessions that outlive sign-out: a cookie copied from someone's phone is replayed.

After each event that should end a person's sessions (signing out, changing
their password, an admin resetting it, deactivation) a cookie copied before
the event no longer opens any page. The absolute lifetime bounds a session
that keeps itself alive by refreshing its idle timer.
"""
from __future__ import annotations

import time

import pytest

from quiz.extensions import db
from quiz.org.models import User
from tests.org.factories import PASSWORD, login, make_unit, make_user

NEW_PASSWORD = "Changed123"


def _copy_cookie(source, app):
    """A second browser holding the same session cookie (stolen, or a shared phone's copy)."""
    thief = app.test_client()
    cookie = source.get_cookie("session")
    assert cookie is not None
    thief.set_cookie("session", cookie.value)
    return thief


def _signed_in(client) -> bool:
    """The password page opens for anyone signed in (also while a new password is due)."""
    response = client.get("/password")
    assert response.status_code == 200 or "/login" in response.headers["Location"], response.status_code
    return response.status_code == 200


@pytest.fixture
def admin(app):
    return make_user("900001", name="管理员", roles={"admin": [None]})


def test_copied_cookie_is_dead_after_sign_out(client, app):
    user = make_user()
    login(client, user)
    thief = _copy_cookie(client, app)
    assert _signed_in(thief)  # the copy works while the session lives: this is the replay
    client.post("/logout")
    assert not _signed_in(thief)
    assert thief.get("/tasks").headers["Location"].startswith("/login")


def test_sign_out_ends_the_persons_other_sessions(client, app):
    user = make_user()
    phone = app.test_client()
    login(phone, user)
    login(client, user)
    client.post("/logout")
    assert not _signed_in(phone)
    assert login(phone, user).status_code == 302 and _signed_in(phone)  # signing in again works


def test_password_change_ends_other_sessions_but_keeps_this_one(client, app):
    user = make_user()
    other_phone = app.test_client()
    login(other_phone, user)
    login(client, user)
    thief = _copy_cookie(client, app)
    response = client.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other_phone)
    assert not _signed_in(thief)  # the copy taken before the change


def test_forced_first_password_change_also_ends_other_sessions(client, app):
    user = make_user(must_change_password=True)
    other = app.test_client()
    login(other, user)
    login(client, user)
    client.post("/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert _signed_in(client)
    assert not _signed_in(other)


def test_admin_password_reset_ends_the_persons_sessions(client, app, admin):
    user = make_user()
    login(client, user)
    thief = _copy_cookie(client, app)
    admin_client = app.test_client()
    login(admin_client, admin)
    response = admin_client.post(f"/org/people/{user.id}/reset-password", data={"password": "Initial123"})
    assert response.status_code == 200
    assert not _signed_in(client)
    assert not _signed_in(thief)


def test_cli_password_reset_ends_the_persons_sessions(client, app, runner):
    user = make_user()
    login(client, user)
    result = runner.invoke(args=["users", "reset-password", user.employee_no, "--password", "Initial123"])
    assert result.exit_code == 0, result.output
    assert not _signed_in(client)


def test_deactivation_ends_sessions_for_good(client, app, admin):
    unit = make_unit()
    user = make_user(unit=unit)
    login(client, user)
    thief = _copy_cookie(client, app)
    admin_client = app.test_client()
    login(admin_client, admin)
    form = {"employee_no": user.employee_no, "name": user.name, "unit_id": unit.id, "job_type": "", "phone": ""}
    assert admin_client.post(f"/org/people/{user.id}/edit", data=form).status_code == 302  # active unticked
    assert not _signed_in(thief)
    # reactivated later: the old cookie stays dead
    assert admin_client.post(f"/org/people/{user.id}/edit", data={**form, "active": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active
    assert not _signed_in(thief)
    assert not _signed_in(client)


def test_roster_deactivation_ends_sessions_for_good(client, app):
    """An import with "deactivate missing" ends the sessions of those it deactivates, even once back."""
    from tests.org.factories import ROSTER_ROWS, import_roster, password_hash, person

    import_roster(ROSTER_ROWS)
    leaver = person("000103")
    leaver.password_hash, leaver.must_change_password = password_hash(), False
    db.session.commit()
    login(client, leaver)
    assert _signed_in(client)
    import_roster(ROSTER_ROWS[:1], deactivate_missing=True)
    import_roster(ROSTER_ROWS)  # back in the roster, active again
    assert person("000103").active
    assert not _signed_in(client)


def test_session_has_an_absolute_lifetime_even_when_kept_busy(client, app, monkeypatch):
    """A copied cookie used every half hour never goes idle; it still ends after SESSION_MAX_HOURS."""
    assert app.config["SESSION_MAX_HOURS"] == 12
    user = make_user()
    login(client, user)
    thief = _copy_cookie(client, app)
    start = time.time()
    hours = 0.0
    while hours < 12:
        hours += 0.5
        monkeypatch.setattr(time, "time", lambda h=hours: start + h * 3600 - 60)
        assert _signed_in(thief), f"signed out early, after {hours} h"
    monkeypatch.setattr(time, "time", lambda: start + 12 * 3600 + 60)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = thief.get(response.headers["Location"]).get_data(as_text=True)
    assert "请重新登录" in page


def test_session_ending_costs_no_extra_query(client, app):
    """The check rides on loading the person: opening a page costs the same queries as before."""
    from sqlalchemy import event

    user = make_user()
    login(client, user)
    client.get("/")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.remove()  # the test keeps one app context: start the request with nothing loaded, as in production
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/certificates/")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    users_reads = [s for s in statements if "FROM users" in s and "WHERE users.id" in s]
    assert len(users_reads) == 1, statements
