"""``flask certificates …``: thin wrappers over the services."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from quiz.certificates import pdf, services
from quiz.certificates.fonts import compact_faces
from quiz.certificates.models import Certificate
from quiz.errors import Refused
from quiz.extensions import db


@click.group("certificates", help="培训合格证书")
def certificates() -> None:
    pass


@certificates.command("issue-missing")
@with_appcontext
def issue_missing() -> None:
    """Issue certificates for passing attempts that have none (e.g. graded before certificates existed)."""
    issued = services.issue_missing()
    db.session.commit()
    for cert in issued:
        click.echo(f"{cert.serial}  {cert.employee_no}  {cert.holder_name}  {cert.exam_title}")
    click.echo(f"已补发 {len(issued)} 张证书。")


@certificates.command("render")
@click.argument("serial")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出的 PDF 文件")
@with_appcontext
def render(serial: str, output: Path) -> None:
    """Write the PDF of certificate SERIAL (e.g. 2026-000123) to a file."""
    cert = db.session.scalar(select(Certificate).where(Certificate.serial == serial.strip()))
    if cert is None:
        raise click.ClickException(f"没有编号为 {serial} 的证书。")
    data = pdf.render_one(cert, services.current_template())
    output.write_bytes(data)
    click.echo(f"{output}（{len(data) // 1024} KB）")


@certificates.command("revoke")
@click.argument("serial")
@click.option("--reason", required=True, help="撤销原因（记入操作日志）")
@with_appcontext
def revoke(serial: str, reason: str) -> None:
    """Revoke certificate SERIAL."""
    cert = db.session.scalar(select(Certificate).where(Certificate.serial == serial.strip()))
    if cert is None:
        raise click.ClickException(f"没有编号为 {serial} 的证书。")
    try:
        services.revoke(cert, reason, actor=None)
    except Refused as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"证书 {cert.serial} 已撤销。")


@certificates.command("fonts")
def fonts() -> None:
    """Show which compact CJK faces certificates embed on this machine."""
    faces = compact_faces()
    if not faces:
        click.echo("没有可用的精简字体：证书将直接使用系统 CJK 字体（PDF 较大）。请安装 fonts-noto-cjk 与 libharfbuzz-subset0。")
    for face in faces:
        click.echo(f"{face.family:<10} {face.weight}  {len(face.data) // 1024:>5} KB  ← {face.source}")


COMMANDS = [certificates]
