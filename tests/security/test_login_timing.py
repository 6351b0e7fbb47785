"""Sign-in timing must not tell which 工号 exist, or which are locked or still on an initial password.

Before: an unknown 工号 cost one scrypt (~127 ms), an imported account on its
cheap initial hash ~17 ms, and a locked account returned before any hashing.
Now every refusal spends the same expensive hashing as a real check. The test
counts scrypt calls on each path (timing them would be flaky) with the
production setting.
"""
from __future__ import annotations

import hashlib

import pytest

from quiz.auth.passwords import hash_generated, hash_password
from quiz.extensions import db
from tests.org.factories import login, make_user

OWN = "Chosen123"          # a password the person chose: scrypt
INITIAL = "ABCDEFGH2345"   # a generated initial password: the cheap hash
WRONG = "Guess12345"


@pytest.fixture
def scrypt_calls(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_EQUAL_WORK_METHOD", "scrypt")  # production's setting
    own_hash = hash_password(OWN)
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    state = {"own_hash": own_hash}
    login(app.test_client(), "warm-up", WRONG, address="10.8.8.8")  # the dummy hash is made once per process
    monkeypatch.setattr(hashlib, "scrypt", counting)
    state["calls"] = calls
    return state


def _person(no: str, password_hash: str, **kwargs):
    user = make_user(no, **kwargs)
    user.password_hash = password_hash
    db.session.commit()
    return user


def _count(state, client, number, password, address="10.9.0.1"):
    state["calls"].clear()
    status = login(client, number, password, address=address).status_code
    return len(state["calls"]), status


def test_every_refusal_costs_one_expensive_hash_like_a_real_check(app, client, clock, scrypt_calls):
    own = _person("400001", scrypt_calls["own_hash"])
    imported = _person("400002", hash_generated(INITIAL), must_change_password=True)
    _person("400003", scrypt_calls["own_hash"], active=False)
    blocked = _person("400004", scrypt_calls["own_hash"])
    slowed = _person("400005", scrypt_calls["own_hash"])
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        clock.advance(minutes=1)
        login(app.test_client(), blocked.employee_no, WRONG, address="10.9.9.9")
    for _ in range(app.config.get("LOGIN_SLOW_AFTER", 3)):
        login(app.test_client(), slowed.employee_no, WRONG, address="10.9.9.9")

    paths = {
        "right password (chosen)": (own.employee_no, OWN, "10.9.0.1", 302),
        "right password (initial)": (imported.employee_no, INITIAL, "10.9.0.2", 302),
        "wrong password (chosen)": (own.employee_no, WRONG, "10.9.0.3", 200),
        "wrong password (initial)": (imported.employee_no, WRONG, "10.9.0.4", 200),
        "unknown 工号": ("499999", WRONG, "10.9.0.5", 200),
        "inactive, right password": ("400003", OWN, "10.9.0.6", 200),
        "inactive, wrong password": ("400003", WRONG, "10.9.0.7", 200),
        "address blocked": (blocked.employee_no, OWN, "10.9.9.9", 429),
        "address slowed": (slowed.employee_no, OWN, "10.9.9.9", 429),
    }
    found, statuses = {}, {}
    for name, (number, password, address, _status) in paths.items():
        found[name], statuses[name] = _count(scrypt_calls, app.test_client(), number, password, address)
    assert found == {name: 1 for name in paths}, found
    assert statuses == {name: path[3] for name, path in paths.items()}
