"""The learning paths shipped with the platform: ``question_banks/paths/*.toml``
(format: PATHS_SCHEMA.md), created on top of the shipped banks and articles.

``read_path_file`` is pure (file text → dict, or errors saying where);
``load_shipped_paths`` creates the paths that do not exist yet, each topic's
test through ``services.add_topic`` (so a file whose banks cannot fill a
test is refused with the reason, and nothing of that path is created).
"""
from __future__ import annotations

import tomllib
from pathlib import Path as FilePath

from flask_babel import gettext as _
from sqlalchemy import select

from quiz.banks.models import Article, Bank
from quiz.errors import Refused
from quiz.extensions import db
from quiz.org.models import JobType, Unit
from quiz.paths import services
from quiz.paths.models import Path

SHIPPED_DIR = FilePath(__file__).resolve().parents[2] / "question_banks"


def read_path_file(text: str, name: str = "") -> tuple[dict | None, list[str]]:
    """Parse and check the shape of one path file. Returns (data, errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{name}: {exc}"]
    errors = []
    if not str(data.get("title", "")).strip():
        errors.append(f"{name}: title")
    if data.get("gate", "crew") not in ("crew", "personal"):
        errors.append(f"{name}: gate")
    if data.get("audience", "job_type") not in ("job_type", "managers"):
        errors.append(f"{name}: audience")
    if data.get("crew_level", "team") not in ("team", "section"):
        errors.append(f"{name}: crew_level")
    topics = data.get("topics") or []
    if not topics:
        errors.append(f"{name}: topics")
    for i, topic in enumerate(topics, start=1):
        if not str(topic.get("title", "")).strip():
            errors.append(f"{name}: topics[{i}].title")
        if not topic.get("draw"):
            errors.append(f"{name}: topics[{i}].draw")
        for j, draw in enumerate(topic.get("draw") or [], start=1):
            if not draw.get("bank") or not isinstance(draw.get("count"), int) or draw["count"] < 1:
                errors.append(f"{name}: topics[{i}].draw[{j}]")
    return (data if not errors else None), errors


def _unit(names: str) -> Unit | None:
    """A unit by its names below the company ("氧化铝厂/矿制工区"), in any company."""
    parts = [p for p in names.split("/") if p.strip()]
    if not parts:
        return None
    candidates = list(db.session.scalars(select(Unit).where(Unit.name == parts[-1].strip())))
    for unit in candidates:
        chain = []
        node = unit
        while node is not None:
            chain.append(node.name)
            node = node.parent
        chain.reverse()
        if chain[-len(parts):] == [p.strip() for p in parts]:
            return unit
    return None


def _article(file_name: str | None, directory: FilePath) -> Article | None:
    if not file_name:
        return None
    from quiz.banks.services import load_article

    path = directory / "articles" / file_name
    if not path.is_file():
        return None
    return load_article(path)


def create_from(data: dict, slug: str, directory: FilePath, actor=None) -> Path:
    """Create one path from a parsed file; ``Refused`` when its
    units, banks or draw rules do not fit what is loaded."""
    units = []
    for name in data.get("units") or []:
        unit = _unit(name)
        if unit is None:
            raise Refused(_("找不到单位：%(u)s", u=name))
        units.append(unit)
    jobs = []
    for name in data.get("job_types") or []:
        job = db.session.scalar(select(JobType).where(JobType.name == name))
        if job is None:
            raise Refused(_("找不到工种：%(j)s", j=name))
        jobs.append(job)
    practical = data.get("practical") or {}
    path = services.create_path(services.PathData(
        title=data["title"].strip(), unit_ids=[u.id for u in units], job_type_ids=[j.id for j in jobs],
        description=data.get("description", ""), audience=data.get("audience", "job_type"),
        gate=data.get("gate", "crew"), crew_level=data.get("crew_level", "team"),
        remediation_required=bool(data.get("remediation_required", True)),
        retest_wait_minutes=int(data.get("retest_wait_minutes", 0)),
        practical_title=practical.get("title", ""), practical_description=practical.get("description", ""),
        slug=slug), actor)
    for topic in data["topics"]:
        draws = []
        for draw in topic["draw"]:
            bank = db.session.scalar(select(Bank).where(Bank.title == draw["bank"]))
            if bank is None:
                raise Refused(_("找不到题库：%(b)s", b=draw["bank"]))
            draws.append(services.DrawData(bank.id, draw.get("category", ""), int(draw["count"])))
        article = _article(topic.get("article"), directory)
        allowed = int(topic.get("attempts_allowed", 0))
        services.add_topic(path, services.TopicData(
            title=topic["title"], draws=draws, article_id=article.id if article else None,
            section=topic.get("section", "") if article else "", pass_percent=float(topic.get("pass_percent", 80)),
            time_limit_minutes=topic.get("time_limit_minutes", 15), attempts_allowed=allowed or None), actor)
    return path


def load_shipped_paths(directory: FilePath | str | None = None, actor=None) -> list[str]:
    """Create every shipped path not created yet; one line per file. A file
    that does not fit creates nothing and says why."""
    directory = FilePath(directory) if directory else SHIPPED_DIR
    lines = []
    for file in sorted((directory / "paths").glob("*.toml")):
        slug = file.stem
        if db.session.scalar(select(Path.id).where(Path.slug == slug)) is not None:
            continue
        data, errors = read_path_file(file.read_text(encoding="utf-8"), file.name)
        if data is None:
            lines.append(_("培训路径：%(f)s 格式有误（%(e)s），未导入", f=file.name, e="；".join(errors)))
            continue
        savepoint = db.session.begin_nested()
        try:
            path = create_from(data, slug, directory, actor)
        except Refused as exc:
            savepoint.rollback()
            lines.append(_("培训路径：%(f)s 未导入：%(e)s", f=file.name, e=str(exc)))
            continue
        savepoint.commit()
        lines.append(_("培训路径：%(t)s，%(n)s 个课题", t=path.title, n=len(path.topics)))
    return lines
