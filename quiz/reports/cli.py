"""``flask reports …``: thin wrappers over the services."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from quiz.db import begin_write
from quiz.extensions import db
from quiz.reports import progress


@click.group("reports", help="报表")
def reports() -> None:
    pass


@reports.command("rebuild-progress")
@with_appcontext
def rebuild_progress() -> None:
    """Recompute every exam_progress row from the attempts (after an upgrade, a bulk load or a hand fix)."""
    begin_write(db.session())
    count = progress.rebuild()
    db.session.commit()
    click.echo(f"已重建 {count} 条考试进度（rebuilt {count} exam progress rows）。")


COMMANDS = [reports]
