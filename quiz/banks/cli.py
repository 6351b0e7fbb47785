"""``flask banks …``: import, export and list question banks.

Thin wrappers over ``quiz.banks.formats`` (parsing) and
``quiz.banks.services``, ``importing`` and ``shipped`` (writing); the command commits once. ``import`` never
prints a traceback: a file that cannot be read at all exits 2 with a message.
"""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click
from flask import has_request_context
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from quiz.banks import formats, importing, services, shipped
from quiz.banks import types as qtypes
from quiz.banks.models import Bank
from quiz.banks.types.base import TYPE_NAMES, ParseResult
from quiz.extensions import db
from quiz.text import UnreadableFile

IMPORT_FORMATS = ("auto", "text", "sheet", "docx", "gift", "aiken", "moodlexml")
EXPORT_FORMATS = {"xlsx": "sheet", "text": "text", "gift": "gift", "moodlexml": "moodlexml"}


def chinese(command):
    """Messages in Chinese: there is no browser to choose a language from."""

    @functools.wraps(command)
    def wrapped(*args, **kwargs):
        if has_request_context():
            return command(*args, **kwargs)
        with force_locale("zh"):
            return command(*args, **kwargs)

    return wrapped


@click.group("banks", help="题库：导入、导出、列表")
def banks() -> None:
    pass


def _read(path: Path, format: str) -> ParseResult:
    """Parse a file; ``UnreadableFile`` for anything that stops the parser."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件：{exc.strerror or exc}") from exc
    try:
        return formats.parse(data, path.name, format)
    except UnreadableFile:
        raise
    except Exception as exc:  # a parser bug must not become a traceback for the trainer
        raise UnreadableFile(
            f"无法读取文件（{type(exc).__name__}）：请检查文件内容，或另存为 Excel 模板后重新上传。") from exc


def _summary(result: ParseResult, plan: importing.ImportPlan | None, imported: int | None) -> dict:
    errors = plan.errors if plan is not None else result.errors
    warnings = plan.warnings if plan is not None else result.warnings
    out = {
        "ok": not errors,
        "format": result.format,
        "questions": len(result.questions),
        "by_type": result.by_type(),
        "skipped": [s.as_dict() for s in result.skipped],
        "errors": [e.as_dict() for e in errors],
        "warnings": [w.as_dict() for w in warnings],
    }
    if imported is not None:
        out["imported"] = imported
    if plan is not None:
        out["duplicates"] = len(plan.duplicates)
    return out


@banks.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--bank", "bank_title", default=None, help="导入到哪个题库（标题；不存在则新建）。默认取文件头“# 题库：”或文件名")
@click.option("--format", "format_", type=click.Choice(IMPORT_FORMATS), default="auto", show_default=True)
@click.option("--dry-run", is_flag=True, help="只检查，不写入")
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象")
@click.option("--valid-only", is_flag=True, help="文件有错误时，仍导入其中正确的题目")
@with_appcontext
@chinese
def import_command(file: Path, bank_title: str | None, format_: str, dry_run: bool, as_json: bool,
                   valid_only: bool) -> None:
    """Import a question file. Exit 0 when ok, 1 when it has errors, 2 when unreadable."""
    try:
        result = _read(file, format_)
    except UnreadableFile as exc:
        if as_json:
            click.echo(json.dumps({"ok": False, "format": format_, "questions": 0, "by_type": dict.fromkeys(TYPE_NAMES, 0),
                                   "skipped": [], "errors": [{"where": file.name, "message": str(exc)}],
                                   "warnings": []}, ensure_ascii=False))
        else:
            click.echo(f"错误：{exc}", err=True)
        sys.exit(2)

    title = bank_title or _title_from(file, result) or file.stem
    bank = db.session.scalar(select(Bank).where(Bank.title == title))
    imported: int | None = None
    if dry_run:
        plan = importing.plan_import(bank, result)
    else:
        if bank is None:
            bank = services.create_bank(title, actor=None)
        outcome = importing.import_questions(bank, result, valid_only=valid_only, actor=None)
        plan = outcome.plan
        imported = outcome.count if outcome.imported else 0
        if outcome.imported:
            db.session.commit()
        else:
            db.session.rollback()

    summary = _summary(result, plan, imported)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        _print_human(summary, title, dry_run)
    sys.exit(0 if summary["ok"] else 1)


def _title_from(file: Path, result: ParseResult) -> str | None:
    if result.format != "text":
        return None
    try:
        return shipped.read_bank_header(file.read_bytes()[:4096].decode("utf-8-sig", errors="ignore"))["title"]
    except OSError:
        return None


def _short_title(type_name: str) -> str:
    """单选 for 单选题: how the command's summary names a type."""
    return qtypes.get(type_name).title.removesuffix("题") if type_name in qtypes.REGISTRY else type_name


def _print_human(summary: dict, title: str, dry_run: bool) -> None:
    counts = "，".join(f"{_short_title(k)} {v}" for k, v in summary["by_type"].items() if v)
    click.echo(f"格式：{summary['format']}，识别出 {summary['questions']} 题（{counts or '无'}）")
    for s in summary["skipped"]:
        click.echo(f"  跳过（不支持的题型 {s['type']}）：{s['where']}")
    for w in summary["warnings"]:
        click.echo(f"  提示 {w['where']}：{w['message']}")
    for e in summary["errors"]:
        click.echo(f"  错误 {e['where']}：{e['message']}")
    if dry_run:
        click.echo("仅检查（--dry-run），未写入。")
    elif summary.get("imported"):
        click.echo(f"已导入题库“{title}”：{summary['imported']} 题。")
    elif not summary["ok"]:
        click.echo("文件有错误，未导入任何题目（可用 --valid-only 只导入正确的题目）。")
    else:
        click.echo("没有新题目需要导入。")


@banks.command("export")
@click.argument("bank_ref", metavar="BANK")
@click.option("--format", "format_", type=click.Choice(list(EXPORT_FORMATS)), default="xlsx", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--include-archived", is_flag=True, help="连同已归档的题目")
@with_appcontext
@chinese
def export_command(bank_ref: str, format_: str, output: Path, include_archived: bool) -> None:
    """Write a bank (title or id) to a file."""
    bank = services.bank_by_title_or_id(bank_ref)
    if bank is None:
        raise click.ClickException(f"没有找到题库“{bank_ref}”（可写标题或编号，见 flask banks list）。")
    questions = services.questions_as_data(bank, include_archived=include_archived)
    try:
        data = formats.export(questions, EXPORT_FORMATS[format_])
    except UnreadableFile as exc:
        raise click.ClickException(str(exc)) from exc
    output.write_bytes(data)
    click.echo(f"已导出“{bank.title}”{len(questions)} 题到 {output}")


@banks.command("list")
@with_appcontext
@chinese
def list_command() -> None:
    """Every bank with its id and question counts."""
    counts = services.question_counts()
    for bank in db.session.scalars(select(Bank).order_by(Bank.id)):
        c = counts.get(bank.id, {})
        articles = "、".join(a.title for a in bank.articles)
        jobs = "、".join(j.name for j in bank.job_types) or "全员"
        archived = f"（另有 {c['archived']} 题已归档）" if c.get("archived") else ""
        click.echo(f"{bank.id:>4}  {bank.title}  {c.get('total', 0)} 题{archived}  工种：{jobs}"
                   + (f"  文章：{articles}" if articles else ""))


@banks.command("load-shipped")
@with_appcontext
@chinese
def load_shipped_command() -> None:
    """Import (or top up) the banks shipped in question_banks/."""
    lines = shipped.load_shipped_banks()
    db.session.commit()
    for line in lines:
        click.echo(line)


@banks.command("draft")
@click.argument("source", metavar="FILE_OR_ARTICLE")
@click.option("--max", "max_drafts", type=click.IntRange(min=1), default=None, help="最多输出多少条草稿（按得分取前 N 条）")
@click.option("--json", "as_json", is_flag=True, help="每条草稿输出一行 JSON")
@with_appcontext
@chinese
def draft_command(source: str, max_drafts: int | None, as_json: bool) -> None:
    """Draft questions from a file (.docx/.txt/.md/.pdf) or an article of the platform (id or title).

    Nothing is written: drafts are reviewed and accepted on the article's draft page.
    """
    from quiz.banks import draft_service

    path = Path(source)
    title = path.stem
    try:
        if path.is_file():
            result = draft_service.drafts_for_file(path.read_bytes(), path.name, max_drafts)
        else:
            article = draft_service.article_by_title_or_id(source)
            if article is None:
                raise click.ClickException(f"没有找到文件或文章“{source}”（文章可写标题或编号）。")
            title = article.title
            result = draft_service.drafts_for_article(article, max_drafts)
    except UnreadableFile as exc:
        raise click.ClickException(str(exc)) from exc
    for d in result.drafts:
        if as_json:
            click.echo(json.dumps(d.as_json(title), ensure_ascii=False))
            continue
        options = "  ".join(f"{chr(65 + i)}. {o}" for i, o in enumerate(d.options))
        q = d.question(title)
        click.echo(f"[{_short_title(d.type)}] {d.stem}" + (f"\n    {options}" if options else ""))
        click.echo(f"    答案：{qtypes.get(d.type).answer_display(q)}    得分 {d.score:.1f}    {d.source_excerpt()}")
    if not as_json:
        click.echo(f"共 {len(result.drafts)} 条草稿（{len(result.doc.sentences)} 句）。")


COMMANDS = [banks]
