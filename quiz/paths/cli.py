"""``flask paths …``: the paths and where each crew and person stands."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from quiz.extensions import db
from quiz.paths import state
from quiz.paths.models import Path


@click.group("paths", help="培训路径 Learning paths.")
def paths_cli() -> None:
    pass


def find_path(key: str) -> Path | None:
    """A path by id or by title."""
    if key.isdigit():
        path = db.session.get(Path, int(key))
        if path is not None:
            return path
    return db.session.scalar(select(Path).where(Path.title == key.strip()))


def status_dict(path: Path) -> dict:
    """The issue's JSON shape: path, gate, topics, crews (open topic and who
    blocks it, by 工号), people (topic, state, attempts)."""
    ps = state.load(path)
    crews = []
    for crew in sorted(ps.crews.values(), key=lambda c: c.label):
        blocking = [ps.people[uid].employee_no for uid in (crew.gate.blocking if crew.gate else ())]
        crews.append({"unit": crew.label, "open_topic": crew.open_topic, "blocking": sorted(blocking)})
    people = []
    for person in ps.people.values():
        topic = ps.person_topic(person)
        cell = person.cells.get(topic)
        people.append({"employee_no": person.employee_no,
                       "crew": ps.crews[person.crew_id].label if person.crew_id in ps.crews else None,
                       "topic": topic, "state": ps.cell_state(person, topic),
                       "attempts": cell.attempts if cell else 0})
    people.sort(key=lambda p: p["employee_no"])
    return {"path": path.title, "gate": path.gate,
            "topics": [{"no": t.position, "title": t.title} for t in ps.topics], "crews": crews, "people": people}


@paths_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="one JSON object")
@with_appcontext
def list_paths(as_json: bool) -> None:
    """The paths with their topics."""
    paths = list(db.session.scalars(select(Path).order_by(Path.id)))
    data = [{"id": p.id, "title": p.title, "gate": p.gate, "archived": p.archived,
             "topics": [{"no": t.position, "title": t.title} for t in p.topics]} for p in paths]
    if as_json:
        click.echo(json.dumps({"paths": data}, ensure_ascii=False))
        return
    for p in data:
        click.echo(f"{p['id']:>4}  {p['title']}  ({p['gate']})")
        for t in p["topics"]:
            click.echo(f"        {t['no']}. {t['title']}")


@paths_cli.command("status")
@click.argument("path_key", metavar="PATH")
@click.option("--json", "as_json", is_flag=True, help="one JSON object")
@with_appcontext
def status(path_key: str, as_json: bool) -> None:
    """Where each crew and person of PATH (id or title) stands."""
    path = find_path(path_key)
    if path is None:
        click.echo(f"没有这条培训路径：{path_key}（用 `flask paths list` 查看 id 和名称） "
                   f"No such path: {path_key}", err=True)
        raise SystemExit(2)
    data = status_dict(path)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"{data['path']}  ({data['gate']})")
    for crew in data["crews"]:
        click.echo(f"  {crew['unit']}: 课题 {crew['open_topic']}  待通过: {', '.join(crew['blocking']) or '-'}")


COMMANDS = (paths_cli,)
