"""Demo organisation: the two companies of 《劲旅》 issue 2153 and their units,
about sixty people covering every role; and a large generated organisation
for benchmarks.

Other domains add their demo content (shipped banks, a demo exam) from their
``register(app)`` with ``add_loader(app, fn)``; ``demo load`` runs them in the
order the factory registers the domains (lowest layer first).
"""
from __future__ import annotations

import random
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import func, insert, select

from quiz.auth import passwords
from quiz.extensions import db
from quiz.org import services
from quiz.org.models import JobType, RoleGrant, Unit, User

DEMO_PASSWORD = "demo1234"

# company -> secondary unit -> section -> teams
ORGANISATION: dict[str, dict[str, dict[str, list[str]]]] = {
    "中铝山西新材料有限公司": {
        "电解厂": {"电解一工区": ["一班", "二班"], "电解二工区": ["一班"]},
        "氧化铝厂": {"矿制工区": ["磨矿一班", "磨矿二班", "化灰班"], "焙烧工区": ["一班"], "烧成工区": ["一班"]},
        "热电厂": {"电力工区": ["运行一班", "检修班"]},
        "铝加工事业部": {"熔铸工区": ["一班"]},
        "能源管理中心": {"计量工区": ["计量班"]},
    },
    "中铝山西铝业有限公司": {
        "矿业公司": {"采矿工区": ["采矿一班"]},
        "物流分公司": {"运输工区": ["运输一班"]},
        "资源综合利用分公司": {"综合利用工区": ["一班"]},
    },
}
JOB_TYPES = ["磨工", "巡检工", "化灰机工", "电解工", "天车工", "电工", "焙烧工", "司机", "采矿工", "仪表工", "熔铸工", "管理人员"]
# which job types work in which section
SECTION_JOBS = {
    "矿制工区": ["磨工", "巡检工", "化灰机工"],
    "电解一工区": ["电解工", "天车工"], "电解二工区": ["电解工", "天车工", "电工"],
    "焙烧工区": ["焙烧工", "巡检工"], "烧成工区": ["焙烧工", "巡检工"],
    "电力工区": ["电工", "仪表工"], "熔铸工区": ["熔铸工", "天车工"], "计量工区": ["仪表工"],
    "采矿工区": ["采矿工", "司机"], "运输工区": ["司机"], "综合利用工区": ["巡检工", "电工"],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红亮鹏辉玲斌宇浩凯晨欣鑫波宁龙峰帅雪琳梅海林旭"



def add_loader(app: Flask, loader: Callable[[], list[str]]) -> None:
    """Have ``demo load`` run ``loader`` (after the organisation and the loaders added before it)."""
    app.extensions.setdefault("quiz.demo_loaders", []).append(loader)


def loaders() -> list[Callable[[], list[str]]]:
    """The current app's demo loaders, in the order they were added."""
    return list(current_app.extensions.get("quiz.demo_loaders", ()))


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _build_units() -> dict[tuple[str, ...], Unit]:
    cache: dict = {}
    code = 1
    for company, units in ORGANISATION.items():
        for unit_name, sections in units.items():
            for section, teams in sections.items():
                for team in teams:
                    services.ensure_unit_path([company, unit_name, section, team], cache=cache)
    for key, unit in cache.items():
        if unit.code is None:
            unit.code = f"U{code:04d}"
            code += 1
    return cache


def is_loaded() -> bool:
    return db.session.scalar(select(func.count()).select_from(User).where(User.employee_no == "000001")) > 0


def load_organisation() -> list[str]:
    """Create the demo organisation and people. Returns lines describing the demo accounts."""
    rng = random.Random(2153)
    units = _build_units()
    jobs = {name: services.ensure_job_type(name) for name in JOB_TYPES}
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    accounts: list[str] = []

    def person(no: str, name: str, unit: Unit, job: str | None, roles: dict | None = None, label: str = "") -> User:
        user = User(employee_no=no, name=name, unit=unit, job_type=jobs.get(job) if job else None,
                    phone=f"139{rng.randrange(10**8):08d}", password_hash=password_hash, must_change_password=False)
        db.session.add(user)
        for role, unit_ids in (roles or {}).items():
            for unit_id in unit_ids:
                user.grants.append(RoleGrant(role=role, unit_id=unit_id))
        if label:
            accounts.append(f"{label:<22} 工号 {no}  密码 {DEMO_PASSWORD}  ({name})")
        return user

    company = units[("中铝山西新材料有限公司",)]
    alumina = units[("中铝山西新材料有限公司", "氧化铝厂")]
    smelter = units[("中铝山西新材料有限公司", "电解厂")]
    ore = units[("中铝山西新材料有限公司", "氧化铝厂", "矿制工区")]
    db.session.flush()
    person("000001", "系统管理员", company, "管理人员", {"admin": [None]}, "管理员 admin")
    person("000002", "郭培训", company, "管理人员", {"trainer": [None]}, "培训员 trainer")
    person("000003", "赵矿制", ore, "管理人员", {"trainer": [ore.id], "head": [ore.id]}, "矿制工区 培训员+负责人")
    person("000004", "王氧化", alumina, "管理人员", {"head": [alumina.id]}, "氧化铝厂 负责人 head")
    person("000005", "李电解", smelter, "管理人员", {"head": [smelter.id]}, "电解厂 负责人 head")
    number = 100
    for key, unit in sorted(units.items()):
        if len(key) != 4:
            continue
        section_jobs = SECTION_JOBS.get(key[2], ["巡检工"])
        for i in range(3 if key[2] != "矿制工区" else 5):
            number += 1
            label = "员工 worker" if number == 101 else ""
            person(f"00{number:04d}", _name(rng), unit, section_jobs[i % len(section_jobs)], label=label)
    db.session.flush()
    return accounts


def load() -> list[str]:
    """Load the demo the first time; do nothing when it is there already."""
    if is_loaded():
        return []
    lines = load_organisation()
    for loader in loaders():
        lines.extend(loader())
    return lines


def generate(employees: int, progress: Callable[[int], None] | None = None, seed: int = 20000) -> int:
    """A large organisation for benchmarks: ``employees`` people under the demo
    companies, about 25 to a team. Returns how many people were created."""
    rng = random.Random(seed)
    cache: dict = {}
    jobs = [services.ensure_job_type(name) for name in JOB_TYPES]
    teams: list[Unit] = []
    per_team = 25
    team_count = max(employees // per_team, 1)
    companies = list(ORGANISATION.items())
    i = 0
    while len(teams) < team_count:
        company, units = companies[i % len(companies)]
        unit_name = list(units)[(i // len(companies)) % len(units)]
        section = f"第{(i // 7) % 12 + 1}工区"
        team = f"{i % 7 + 1}班-{i // 84 + 1}"
        teams.append(services.ensure_unit_path([company, unit_name, section, team], cache=cache))
        i += 1
    db.session.flush()
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    start = (db.session.scalar(select(func.count()).select_from(User)) or 0) + 500000
    batch: list[dict] = []
    for n in range(employees):
        batch.append({
            "employee_no": f"{start + n:07d}", "name": _name(rng), "unit_id": teams[n // per_team % len(teams)].id,
            "job_type_id": rng.choice(jobs).id, "phone": f"138{rng.randrange(10**8):08d}", "active": True,
            "password_hash": password_hash, "must_change_password": False,
        })
        if len(batch) == 2000:
            db.session.execute(insert(User), batch)
            batch.clear()
            if progress:
                progress(2000)
    if batch:
        db.session.execute(insert(User), batch)
        if progress:
            progress(len(batch))
    return employees
