"""``flask users …`` and ``flask demo …``: thin wrappers over the services."""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from quiz.auth.passwords import problems
from quiz.auth.services import set_initial_password
from quiz.extensions import db
from quiz.org import demo, services
from quiz.org.models import RoleGrant, User


@click.group("users", help="人员与账号")
def users() -> None:
    pass


@users.command("create-admin")
@click.option("--employee-no", prompt="工号")
@click.option("--name", prompt="姓名")
@click.password_option("--password", prompt="密码")
@with_appcontext
def create_admin(employee_no: str, name: str, password: str) -> None:
    """Create an administrator (or make an existing person one)."""
    found = problems(password, employee_no)
    if found:
        raise click.UsageError(" ".join(found))
    user = db.session.scalar(select(User).where(User.employee_no == employee_no))
    if user is None:
        user = User(employee_no=employee_no, name=name)
        db.session.add(user)
    from quiz.auth.services import change_password

    change_password(user, password)
    if not any(g.role == "admin" for g in user.grants):
        user.grants.append(RoleGrant(role="admin"))
    db.session.flush()
    services.audit("person.create_admin", user, f"{name}（{employee_no}）", actor=None)
    db.session.commit()
    click.echo(f"管理员 {employee_no} 已就绪。")


@users.command("reset-password")
@click.argument("employee_no")
@click.option("--password", default=None, help="新的初始密码；不填则自动生成")
@with_appcontext
def reset_password(employee_no: str, password: str | None) -> None:
    """Give a person a new initial password, to be changed at next sign-in."""
    user = db.session.scalar(select(User).where(User.employee_no == employee_no))
    if user is None:
        raise click.ClickException(f"没有工号为 {employee_no} 的人员。")
    plain = set_initial_password(user, password)
    services.audit("person.reset_password", user, f"{user.name}（{employee_no}）命令行重置密码", actor=None)
    db.session.commit()
    click.echo(f"{user.name}（{employee_no}）的初始密码：{plain}（首次登录须修改）")


@users.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查并报告会发生什么，不写入")
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象")
@click.option("--valid-only", is_flag=True, help="文件有错误时，只导入没有问题的行")
@click.option("--deactivate-missing", is_flag=True, help="停用花名册中没有的人员（不删除）")
@click.option("--create-units", is_flag=True, help="创建花名册中新出现的单位（不加时，这些行是错误）")
@click.option("--initial-password", default=None, help="新人员的统一初始密码；不填则每人自动生成")
@click.option("--passwords-out", type=click.Path(dir_okay=False), default=None,
              help="新人员初始密码表（.xlsx）的保存位置")
@with_appcontext
def import_roster(file: str, dry_run: bool, as_json: bool, valid_only: bool, deactivate_missing: bool,
                  create_units: bool, initial_password: str | None, passwords_out: str | None) -> None:
    """Import the HR roster (.xlsx / .csv). Exit 0 when the file is fine,
    1 when it has errors, 2 when it cannot be read at all."""
    from quiz.org.roster.parse import UnreadableRoster, parse_roster
    from quiz.org.roster.importing import apply_roster
    from quiz.org.roster.passwords import initial_passwords_xlsx

    def fail(message: str, code: int) -> None:
        if as_json:
            click.echo(json.dumps({"ok": False, "created": 0, "updated": 0, "unchanged": 0, "deactivated": 0,
                                   "errors": [{"row": None, "message": message}], "warnings": []},
                                  ensure_ascii=False))
        else:
            click.echo(message, err=True)
        raise SystemExit(code)

    if initial_password:
        found = problems(initial_password)
        if found:
            fail(" ".join(found), 2)
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        fail(f"无法打开文件 {file}：{exc.strerror or exc}", 2)
    try:
        parsed = parse_roster(data, file)
    except UnreadableRoster as exc:
        fail(str(exc), 2)
    except Exception as exc:  # a reader library choking on a damaged file: still no traceback
        current_app.logger.warning("roster %s unreadable: %r", file, exc)
        fail("无法读取这个文件：请在 Excel 中打开后另存为 .xlsx 再导入。", 2)
    report = apply_roster(parsed, initial_password=initial_password, valid_only=valid_only,
                          deactivate_missing=deactivate_missing, dry_run=dry_run, actor=None,
                          default_company=current_app.config.get("ORG_NAME"), filename=Path(file).name,
                          create_units=create_units)
    written = None
    if report.applied:
        if report.passwords and (passwords_out or not initial_password):
            target = Path(passwords_out) if passwords_out else Path(current_app.instance_path) / (
                f"initial-passwords-{datetime.now():%Y%m%d-%H%M%S}.xlsx")
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(initial_passwords_xlsx(report.passwords))
            written = str(target)
        db.session.commit()
    else:
        db.session.rollback()
    if as_json:
        out = report.as_dict()
        if not report.applied and not dry_run:  # the file has errors: nothing was imported
            out.update(created=0, updated=0, unchanged=0, deactivated=0)
        out["passwords_file"] = written
        click.echo(json.dumps(out, ensure_ascii=False))
    else:
        _print_report(report, dry_run, written)
    raise SystemExit(0 if report.ok else 1)


def _print_report(report, dry_run: bool, written: str | None) -> None:
    for issue in report.errors:
        click.echo(f"错误  {issue.message}")
    for issue in report.warnings:
        click.echo(f"提示  {issue.message}")
    for unit in report.new_units:
        similar = f"（相近的已有单位：{'、'.join(unit.similar)}）" if unit.similar else ""
        state = "将新建" if report.create_units else "不存在"
        click.echo(f"单位  {state}：{' / '.join(unit.path)}，涉及 {len(unit.rows)} 行{similar}")
    counts = (f"新增 {report.created} 人，更新 {report.updated} 人，未变 {report.unchanged} 人，"
              f"停用 {report.deactivated} 人")
    if dry_run:
        click.echo(f"试运行，未写入：将{counts}。")
    elif report.applied:
        skipped = f"；有问题的 {len({e.row for e in report.errors})} 行未导入" if report.errors else ""
        click.echo(f"已导入：{counts}{skipped}。")
    else:
        click.echo(f"文件有 {len(report.errors)} 处错误，未导入任何人员。改正后重新导入，或加 --valid-only 只导入没有问题的行。")
    if written:
        click.echo(f"新人员的初始密码已保存到 {written}（仅所有者可读；分发后请删除）。")


@click.group("demo", help="演示数据")
def demo_group() -> None:
    pass


@demo_group.command("load")
@with_appcontext
def demo_load() -> None:
    """Load the demo organisation, people and content, once."""
    lines = demo.load()
    db.session.commit()
    if not lines:
        click.echo("演示数据已存在，未重复导入。")
    else:
        click.echo("演示数据已导入。")
    click.echo("演示账号（密码均为 %s）：" % demo.DEMO_PASSWORD)
    for user in db.session.scalars(select(User).where(User.employee_no.in_(
            ["000001", "000002", "000003", "000004", "000005", "000101"])).order_by(User.employee_no)):
        names = {"admin": "管理员", "trainer": "培训员", "head": "部门负责人", "worker": "员工"}
        roles = "、".join(names[r] for r in ("admin", "trainer", "head", "worker") if r in user.roles)
        click.echo(f"  工号 {user.employee_no}  {user.name:<6}  角色 {roles}")
    for line in lines:
        if not line.startswith(("管理员", "培训员", "矿制工区", "氧化铝厂", "电解厂", "员工")):
            click.echo(line)


@demo_group.command("generate")
@click.option("--employees", default=20000, show_default=True, type=int)
@with_appcontext
def demo_generate(employees: int) -> None:
    """Build a large organisation for benchmarks."""
    with click.progressbar(length=employees, label="生成人员") as bar:
        demo.generate(employees, progress=bar.update)
    db.session.commit()
    click.echo(f"已生成 {employees} 名人员。")


COMMANDS = [users, demo_group]
