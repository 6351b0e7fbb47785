"""``flask exams …``: thin wrappers over the services."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from quiz.exams.attempt.finish import finalise_overdue
from quiz.extensions import db


@click.group("exams", help="考试")
def exams() -> None:
    pass


@exams.command("finalize-overdue")
@with_appcontext
def finalize_overdue() -> None:
    """Finalise every attempt whose time (plus grace) is up, with what was saved (for cron)."""
    count = finalise_overdue()
    db.session.commit()
    click.echo(f"已自动交卷 {count} 份（finalised {count} overdue attempts）。")


COMMANDS = [exams]
