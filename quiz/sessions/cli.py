"""``flask sessions …`` and ``flask records …``: thin wrappers over the services."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from quiz.extensions import db
from quiz.org.models import User
from quiz.sessions import attendance, records
from quiz.sessions.models import TrainingSession


@click.group("sessions", help="培训签到")
def sessions_group() -> None:
    pass


def _find_session(value: str) -> TrainingSession:
    if value.isdigit():
        found = db.session.get(TrainingSession, int(value))
        if found is not None:
            return found
    matches = list(db.session.scalars(select(TrainingSession).where(TrainingSession.title == value)
                                      .order_by(TrainingSession.starts_at.desc())))
    if not matches:
        raise click.ClickException(f"找不到培训 {value}：请给出培训的编号或完整名称。")
    return matches[0]


@sessions_group.command("attendance")
@click.argument("session")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@with_appcontext
def attendance_command(session: str, as_json: bool) -> None:
    """Attendance of SESSION (its number, or its title: the latest with that title)."""
    found = _find_session(session)
    summary = attendance.summary(found)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    click.echo(f"{summary['session']}（{found.starts_at:%Y-%m-%d}）应到 {summary['expected']}，"
               f"出勤 {summary['present']}，迟到 {summary['late']}，缺勤 {summary['absent']}，请假 {summary['excused']}")
    for name, counts in summary["by_venue"].items():
        click.echo(f"  {name}：出勤 {counts['present']}，迟到 {counts['late']}")


@click.group("records", help="培训档案")
def records_group() -> None:
    pass


@records_group.command("person")
@click.argument("employee_no")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@with_appcontext
def person_command(employee_no: str, as_json: bool) -> None:
    """The training record of the person with 工号 EMPLOYEE_NO, with hours per year."""
    person = db.session.scalar(select(User).where(User.employee_no == employee_no.strip()))
    if person is None:
        raise click.ClickException(f"找不到工号 {employee_no}。")
    data = records.record_json(records.person_record(person))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"{data['name']}（{data['employee_no']}）{data['unit']}")
    for year, figures in data["hours_by_year"].items():
        click.echo(f"  {year} 年：{figures['total']:g} 学时" + (f"（应修 {figures['required']:g}）"
                                                            if figures["required"] is not None else ""))
    for e in data["entries"]:
        click.echo(f"  {e['date'][:10]}  {e['kind']}  {e['title']}  {e['hours']:g}  {e['result']}")


COMMANDS = [sessions_group, records_group]
