"""The banks shipped with the platform (``question_banks/*.txt``) and their articles.

A shipped bank is a text-template file whose ``# 题库：`` / ``# 文章：`` /
``# 工种：`` header lines say its title, the article files it was built from
and the job types it is for. ``load_shipped_banks`` loads them all through
the same parse and import path as an upload (``importing``), idempotently;
``demo load``, ``flask banks load-shipped`` and the benchmarks call it.
``read_bank_header`` is also used by the upload page for a bank's title.
"""
from __future__ import annotations

import re
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from quiz.banks.importing import import_questions
from quiz.banks.models import Bank, Question
from quiz.banks.services import create_bank, job_types_named, load_article
from quiz.extensions import db

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "question_banks"


def read_bank_header(text: str) -> dict:
    """The ``# 题库：`` / ``# 文章：`` / ``# 工种：`` lines at the top of a text bank.

    Returns ``{"title": str|None, "articles": [file names], "job_types": [names]}``.
    """
    header = {"title": None, "articles": [], "job_types": []}
    for line in text.lstrip("\ufeff").splitlines():
        if not line.strip():
            continue
        m = re.match(r"^\s*#\s*(题库|文章|工种)\s*[:：]\s*(.*)$", line)
        if not m:
            if line.lstrip().startswith("#"):
                continue
            break
        value = m.group(2).strip()
        if m.group(1) == "题库":
            header["title"] = value or None
        else:
            key = "articles" if m.group(1) == "文章" else "job_types"
            header[key] += [v.strip() for v in re.split(r"[、,，;；]", value) if v.strip()]
    return header


def load_shipped_banks(directory: Path | str | None = None, actor=None) -> list[str]:
    """Import every bank file of ``question_banks/`` through the same parse and
    import path as an upload, each tied to its article(s) and job types.

    Idempotent: a bank that exists already gets only the questions it does
    not have (duplicates are kept out). A file with errors imports nothing and
    is reported. Returns one line per bank, e.g. ``题库：行为安全观察与沟通 32 题``.
    """
    from quiz.banks import formats

    directory = Path(directory) if directory else SHIPPED_DIR
    lines = []
    for path in sorted(directory.glob("*.txt")):
        data = path.read_bytes()
        header = read_bank_header(data.decode("utf-8-sig", errors="replace"))
        title = header["title"] or path.stem
        result = formats.parse(data, path.name)
        articles = [load_article(directory / "articles" / name, actor=actor) for name in header["articles"]
                    if (directory / "articles" / name).is_file()]
        bank = db.session.scalar(select(Bank).where(Bank.title == title))
        if bank is None:
            bank = create_bank(title, _("随平台发布的题库。"), articles, job_types_named(header["job_types"]),
                               actor=actor)
        else:
            for article in articles:
                if article not in bank.articles:
                    bank.articles.append(article)
        outcome = import_questions(bank, result, actor=actor)
        if not outcome.imported:
            lines.append(_("题库：%(title)s 有 %(n)s 处错误，未导入", title=title, n=len(outcome.errors)))
            continue
        total = db.session.scalar(select(func.count()).select_from(Question).where(Question.bank_id == bank.id))
        lines.append(_("题库：%(title)s %(n)s 题", title=title, n=total))
    return lines
