"""Units and people for every test, and signing in: plain callables with overridable defaults (indico style)."""
from __future__ import annotations

import itertools

from quiz.auth.passwords import hash_generated
from quiz.extensions import db
from quiz.org import services
from quiz.org.models import RoleGrant, Unit, User

PASSWORD = "Passw0rd!"
_numbers = itertools.count(1)
# hashing with scrypt per test user would cost ~50 ms each; tests use the cheap method
_PASSWORD_HASH = None


def password_hash() -> str:
    """The hash of PASSWORD, computed once."""
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_generated(PASSWORD)
    return _PASSWORD_HASH


def make_unit(name: str = "测试单位", parent: Unit | None = None, kind: str = "unit") -> Unit:
    unit = services.create_unit(name, parent, kind=kind)
    db.session.flush()
    return unit


def make_user(employee_no: str | None = None, name: str = "张三", unit: Unit | None = None,
              roles: dict[str, list] | None = None, must_change_password: bool = False,
              job_type: str | None = None, active: bool = True, commit: bool = True) -> User:
    """A person. ``roles`` like ``{"head": [unit.id], "trainer": [None]}``."""
    user = User(
        employee_no=employee_no or f"T{next(_numbers):05d}", name=name, unit=unit,
        password_hash=password_hash(), must_change_password=must_change_password, active=active,
        job_type=services.ensure_job_type(job_type) if job_type else None,
    )
    db.session.add(user)
    for role, unit_ids in (roles or {}).items():
        for unit_id in unit_ids:
            user.grants.append(RoleGrant(role=role, unit_id=unit_id))
    db.session.flush()
    if commit:
        db.session.commit()
    return user


def login(client, user: User | str, password: str = PASSWORD, follow_redirects: bool = False):
    employee_no = user if isinstance(user, str) else user.employee_no
    return client.post("/login", data={"employee_no": employee_no, "password": password},
                       follow_redirects=follow_redirects)
