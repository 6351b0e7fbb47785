"""The reports' organisation: a small hand-built company with known results, for exact figures
(``build_org``; the ``org`` fixture of tests/reports), and ``grow`` to add more of the same.

公司
├── 电解厂                 head_e (directly here)
│   └── 电解一工区
│       ├── 一班           e1 电解工, e2 电解工, e3 天车工
│       └── 二班           e4 电解工, e5 天车工
└── 氧化铝厂               head_a (directly here)
    └── 矿制工区
        └── 磨矿一班       a1 磨工, a2 磨工, a3 磨工
trainer and admin sit at 公司.

A1 "全员安全考试" → 公司 (everybody, 12 people), due yesterday:
  e1 passed 80 · e2 failed 50 · e3 in progress · e4 nothing · e5 failed 40 then passed 90
  a1 passed 100 · a2 failed 40 · a3 nothing · heads, trainer, admin nothing
A2 "电解工专项" → job type 电解工 + named a3, due in ten days:
  e1 passed 70; others nothing (e1, e2, e4, a3 assigned)
A3 "磨工岗位" → 矿制工区 narrowed to 磨工, no due date: a1 failed 30 (practice attempt passed: not counted)
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from quiz.db import utcnow
from quiz.extensions import db
from quiz.org import services
from tests.exams.factories import make_assignment, make_attempt, make_exam
from tests.org.factories import make_unit, make_user


def build_org():
    now = utcnow()
    o = SimpleNamespace(now=now)
    o.company = make_unit("公司", kind="company")
    o.smelter = make_unit("电解厂", o.company)
    o.smelter_sec = make_unit("电解一工区", o.smelter, kind="section")
    o.team1 = make_unit("一班", o.smelter_sec, kind="team")
    o.team2 = make_unit("二班", o.smelter_sec, kind="team")
    o.alumina = make_unit("氧化铝厂", o.company)
    o.ore = make_unit("矿制工区", o.alumina, kind="section")
    o.grind = make_unit("磨矿一班", o.ore, kind="team")
    mk = lambda no, name, unit, job=None, roles=None: make_user(no, name, unit, roles=roles, job_type=job,  # noqa: E731
                                                               commit=False)
    o.head_e = mk("H001", "李电解", o.smelter, roles={"head": [o.smelter.id]})
    o.head_a = mk("H002", "王氧化", o.alumina, roles={"head": [o.alumina.id]})
    o.trainer = mk("T001", "郭培训", o.company, roles={"trainer": [None]})
    o.admin = mk("A001", "管理员", o.company, roles={"admin": [None]})
    o.e1 = mk("E001", "张一", o.team1, "电解工")
    o.e2 = mk("E002", "张二", o.team1, "电解工")
    o.e3 = mk("E003", "张三", o.team1, "天车工")
    o.e4 = mk("E004", "张四", o.team2, "电解工")
    o.e5 = mk("E005", "张五", o.team2, "天车工")
    o.a1 = mk("O001", "王一", o.grind, "磨工")
    o.a2 = mk("O002", "王二", o.grind, "磨工")
    o.a3 = mk("O003", "王三", o.grind, "磨工")
    for person, phone in ((o.e1, "13900000001"), (o.a1, "13900000011")):
        person.phone = phone
    electrolysis = services.ensure_job_type("电解工")
    grinder = services.ensure_job_type("磨工")
    o.exam1 = make_exam(title="全员安全考试", pass_mark=60.0, commit=False)
    o.exam2 = make_exam(title="电解工考试", pass_mark=60.0, commit=False)
    o.exam3 = make_exam(title="磨工考试", pass_mark=60.0, commit=False)
    o.A1 = make_assignment(o.exam1, units=[o.company], due_at=now - timedelta(days=1), title="全员安全考试",
                           created_at=now - timedelta(days=5))
    o.A2 = make_assignment(o.exam2, job_types=[electrolysis], users=[o.a3], due_at=now + timedelta(days=10),
                           title="电解工专项", created_at=now - timedelta(days=2))
    o.A3 = make_assignment(o.exam3, units=[o.ore], job_types=[grinder], title="磨工岗位",
                           created_at=now - timedelta(days=3))
    day = lambda n: now - timedelta(days=n)  # noqa: E731
    make_attempt(o.e1, o.exam1, o.A1, score=80, started_at=day(4))
    make_attempt(o.e2, o.exam1, o.A1, score=50, started_at=day(4))
    make_attempt(o.e3, o.exam1, o.A1, status="in_progress", started_at=day(0))
    make_attempt(o.e5, o.exam1, o.A1, score=40, started_at=day(3))
    make_attempt(o.e5, o.exam1, o.A1, score=90, started_at=day(2), number=2)
    make_attempt(o.a1, o.exam1, None, score=100, started_at=day(3))  # no assignment named: still counts
    make_attempt(o.a2, o.exam1, o.A1, score=40, started_at=day(2))
    make_attempt(o.e1, o.exam2, o.A2, score=70, started_at=day(1))
    make_attempt(o.a1, o.exam3, o.A3, score=30, started_at=day(1))
    make_attempt(o.a1, o.exam3, None, score=95, started_at=day(1), counted=False)
    db.session.commit()
    return o


def grow(org, sections: int = 3, teams: int = 3, people: int = 8) -> None:
    """Add sections, teams and people (with attempts) under both secondary units."""
    n = 0
    for parent in (org.smelter, org.alumina):
        for s in range(sections):
            section = make_unit(f"新工区{s}", parent, kind="section")
            for t in range(teams):
                team = make_unit(f"新{t}班", section, kind="team")
                for p in range(people):
                    n += 1
                    person = make_user(f"N{n:04d}", f"新人{n}", team, job_type="电解工", commit=False)
                    if n % 3:
                        make_attempt(person, org.exam1, org.A1, score=float(30 + n % 70))
                    if n % 4 == 0:
                        make_attempt(person, org.exam2, org.A2, status="in_progress")
    db.session.commit()
