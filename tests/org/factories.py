"""Units and people for every test, and signing in: plain callables with overridable defaults (indico style)."""
from __future__ import annotations

import io
import itertools

import openpyxl
from sqlalchemy import select

from quiz.auth.passwords import hash_generated
from quiz.extensions import db
from quiz.org import services
from quiz.org.models import RoleGrant, Unit, User
from quiz.org.roster.parse import parse_roster
from quiz.org.roster.importing import apply_roster

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


def login(client, user: User | str, password: str = PASSWORD, follow_redirects: bool = False,
          address: str | None = None):
    """POST the sign-in form; ``address``: as a phone at that IP address would."""
    employee_no = user if isinstance(user, str) else user.employee_no
    extra = {"environ_base": {"REMOTE_ADDR": address}} if address else {}
    return client.post("/login", data={"employee_no": employee_no, "password": password},
                       follow_redirects=follow_redirects, **extra)


# -- rosters ---------------------------------------------------------------------------------------------------------

ROSTER_HEADER = ["工号", "姓名", "单位路径", "工种", "手机号", "角色"]
ORE = "中铝山西新材料有限公司/氧化铝厂/矿制工区/一班"
ROSTER_ROWS = [
    ["000101", "张三", ORE, "磨工", "13900000001", "员工"],
    ["000102", "李四", ORE, "巡检工", "", "部门负责人"],
    ["000103", "王五", "中铝山西新材料有限公司/电解厂/电解一工区", "电解工", "", "培训员"],
]


def roster_xlsx(rows: list[list], header: list[str] = ROSTER_HEADER, title: str = "员工花名册") -> bytes:
    """A roster workbook as HR sends it: a title row, the header, the rows."""
    book = openpyxl.Workbook()
    book.active.append([title])
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_roster(rows, commit=True, **options):
    """The rows imported as the admin's roster upload imports them (creating units by default)."""
    options.setdefault("create_units", True)  # these rosters bring their organisation with them
    report = apply_roster(parse_roster(roster_xlsx(rows), "花名册.xlsx"), filename="花名册.xlsx", **options)
    if commit:
        db.session.commit()
    return report


def person(no: str) -> User | None:
    """The person with this 工号."""
    return db.session.scalar(select(User).where(User.employee_no == no))
