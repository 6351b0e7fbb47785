"""``flask users …`` and ``flask demo …``: thin wrappers over the services."""
from __future__ import annotations

import click
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
        roles = "、".join(sorted(user.roles))
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
