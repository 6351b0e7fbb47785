"""What changes question banks: articles, banks, importing, editing, archiving.

Services take objects and validated data, flush, and never commit: the view
or CLI command commits once (DESIGN rule 7). Parsing files is not done here
(that is ``quiz.banks.formats``, pure); this module turns a ``ParseResult``
into rows, all or nothing.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import exists, func, insert, select, update

from quiz.banks import types as qtypes
from quiz.banks.formats.common import normalize
from quiz.banks.models import Article, Bank, Question, QuestionRevision
from quiz.banks.types.base import Issue, ParseResult, QuestionData, Skipped
from quiz.db import utcnow
from quiz.extensions import db
from quiz.org.models import JobType
from quiz.org.services import audit, ensure_job_type

# The fields a question and each of its revisions share (models._Content).
CONTENT_FIELDS = ("type", "stem", "options", "answer", "explanation", "source_excerpt", "category", "tags",
                  "difficulty", "points", "job_types")

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "question_banks"
ALL_JOBS_WORDS = {"全员", "全部", "所有", "所有工种", "全体"}


class InvalidQuestion(ValueError):
    """The data does not make a valid question; ``messages`` say what to fix."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


# -- keys and conversions ------------------------------------------------------

def _fold(text) -> str:
    return re.sub(r"\s+", "", normalize(str(text or ""))).casefold()


def dedupe_key(q) -> str:
    """sha256 of the normalised stem and answer: equal for the same question
    written with other spacing, width or option order.

    For choice questions the answer is the set of the right options' texts
    (indices alone would make "B" in one file equal "B" of another question).
    """
    answer = q.answer
    if q.type in ("single", "multiple"):
        options = list(q.options or [])
        answer = sorted(_fold(options[i]) for i in (answer or []) if isinstance(i, int) and 0 <= i < len(options))
    elif q.type == "fill":
        answer = [sorted(_fold(a) for a in alts) for alts in (answer or [])]
    elif q.type == "short":
        answer = _fold((answer or {}).get("reference", ""))
    payload = json.dumps([_fold(q.stem), answer], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def question_data(question: Question | QuestionRevision) -> QuestionData:
    """A stored question (or one revision of it) as the plain data formats and types use."""
    return QuestionData(**{name: _copy(getattr(question, name)) for name in CONTENT_FIELDS})


def _copy(value):
    return json.loads(json.dumps(value)) if isinstance(value, (list, dict)) else value


def _content(data: QuestionData) -> dict:
    return {name: _copy(getattr(data, name)) for name in CONTENT_FIELDS}


# -- articles ------------------------------------------------------------------

def create_article(title: str, source: str = "", published_on: date | None = None, body: str = "",
                   actor=None) -> Article:
    """Add a study text."""
    article = Article(title=title.strip(), source=(source or "").strip(), published_on=published_on,
                      body=body or "")
    db.session.add(article)
    db.session.flush()
    audit("article.create", article, article.title, actor=actor)
    return article


def update_article(article: Article, title: str, source: str, published_on: date | None, body: str,
                   actor=None) -> None:
    article.title = title.strip()
    article.source = (source or "").strip()
    article.published_on = published_on
    article.body = body or ""
    db.session.flush()
    audit("article.update", article, article.title, actor=actor)


def read_article_file(path: Path | str) -> dict:
    """An article file of ``question_banks/articles/``: header lines ``标题：``,
    ``出处：``, ``日期：`` (any order, full- or half-width colon), then the body.

    Returns ``{"title", "source", "published_on", "body"}``; the title falls
    back to the file name.
    """
    path = Path(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    meta = {"title": path.stem, "source": "", "published_on": None}
    keys = {"标题": "title", "出处": "source", "来源": "source", "日期": "published_on"}
    i = 0
    while i < len(lines):
        m = re.match(r"^\s*(标题|出处|来源|日期)\s*[:：]\s*(.*)$", lines[i])
        if not m:
            break
        meta[keys[m.group(1)]] = m.group(2).strip()
        i += 1
    if isinstance(meta["published_on"], str):
        meta["published_on"] = _date(meta["published_on"])
    meta["body"] = "\n".join(lines[i:]).strip("\n") + "\n"
    return meta


def _date(text: str) -> date | None:
    m = re.match(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", text or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def load_article(path: Path | str, actor=None) -> Article:
    """The article of ``path``, created the first time (found by title after that)."""
    meta = read_article_file(path)
    article = db.session.scalar(select(Article).where(Article.title == meta["title"]))
    if article is None:
        article = create_article(meta["title"], meta["source"], meta["published_on"], meta["body"], actor=actor)
    return article


def paragraphs(body: str) -> list[str]:
    """An article body as paragraphs: split on blank lines, Markdown heading
    marks and emphasis stars dropped (the page shows plain, escaped text)."""
    out = []
    for block in re.split(r"\n\s*\n", (body or "").strip()):
        text = "\n".join(re.sub(r"^\s{0,3}#{1,6}\s*", "", line) for line in block.splitlines()).strip()
        text = text.replace("**", "")
        if text:
            out.append(text)
    return out


# -- banks ---------------------------------------------------------------------

def job_types_named(names) -> list[JobType]:
    """The job types called ``names`` (created when missing); 全员 means no restriction."""
    jobs = []
    for name in names:
        name = (name or "").strip()
        if not name or name in ALL_JOBS_WORDS:
            continue
        job = ensure_job_type(name)
        if job not in jobs:
            jobs.append(job)
    return jobs


def create_bank(title: str, description: str = "", articles=(), job_types=(), actor=None) -> Bank:
    """Add an empty bank, tied to the articles it is built from and its job types."""
    bank = Bank(title=title.strip(), description=description or "", articles=list(articles),
                job_types=list(job_types), created_by_id=getattr(actor, "id", None))
    db.session.add(bank)
    db.session.flush()
    audit("bank.create", bank, bank.title, actor=actor)
    return bank


def update_bank(bank: Bank, title: str, description: str, articles, job_types, actor=None) -> None:
    bank.title = title.strip()
    bank.description = description or ""
    bank.articles = list(articles)
    bank.job_types = list(job_types)
    db.session.flush()
    audit("bank.update", bank, bank.title, actor=actor)


def bank_by_title_or_id(value: str) -> Bank | None:
    """``flask banks export BANK``: a bank's id or exact title."""
    value = (value or "").strip()
    if value.isdigit():
        bank = db.session.get(Bank, int(value))
        if bank is not None:
            return bank
    return db.session.scalar(select(Bank).where(Bank.title == value))


def question_counts() -> dict[int, dict]:
    """bank id -> {"total", "archived", type name -> n} for the bank list, one query."""
    counts: dict[int, dict] = {}
    rows = db.session.execute(
        select(Question.bank_id, Question.type, Question.archived, func.count()).group_by(
            Question.bank_id, Question.type, Question.archived))
    for bank_id, type_name, archived, n in rows:
        entry = counts.setdefault(bank_id, {"total": 0, "archived": 0})
        if archived:
            entry["archived"] += n
            continue
        entry["total"] += n
        entry[type_name] = entry.get(type_name, 0) + n
    return counts


def questions_as_data(bank: Bank, include_archived: bool = False) -> list[QuestionData]:
    """The bank's current questions, for export (archived ones left out by default)."""
    query = select(Question).where(Question.bank_id == bank.id).order_by(Question.id)
    if not include_archived:
        query = query.where(Question.archived.is_(False))
    return [question_data(q) for q in db.session.scalars(query)]


# -- import --------------------------------------------------------------------

@dataclass
class Rejected:
    """A question of the file that will not be imported, and why."""

    where: str
    message: str
    data: QuestionData | None = None  # None when the parser could not build it
    duplicate: bool = False


@dataclass
class ImportPlan:
    """What an import would do, computed without writing: shown on the
    preview page and by ``--dry-run``."""

    result: ParseResult
    accepted: list[QuestionData] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)  # errors, then invalid questions
    duplicates: list[Rejected] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)  # the parser's, then one per duplicate
    keys: dict[int, str] = field(default_factory=dict)  # id(accepted question) -> dedupe_key

    @property
    def errors(self) -> list[Issue]:
        return [Issue(r.where, r.message) for r in self.rejected]

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def skipped(self) -> list[Skipped]:
        return self.result.skipped

    def by_type(self) -> dict[str, int]:
        return self.result.by_type()

    def duplicate_wheres(self) -> set[str]:
        return {d.where for d in self.duplicates}


@dataclass
class ImportOutcome:
    """What ``import_questions`` did. ``imported`` is False when the file had
    errors and nothing was written (all or nothing)."""

    plan: ImportPlan
    imported: bool = False
    question_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.question_ids)

    @property
    def questions(self) -> list[Question]:
        """The imported questions, loaded on demand (an import may hold thousands)."""
        if not self.question_ids:
            return []
        rows = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(self.question_ids)))}
        return [rows[i] for i in self.question_ids]

    @property
    def ok(self) -> bool:
        return self.plan.ok

    @property
    def errors(self) -> list[Issue]:
        return self.plan.errors

    @property
    def warnings(self) -> list[Issue]:
        return self.plan.warnings

    @property
    def duplicates(self) -> list[Rejected]:
        return self.plan.duplicates


def plan_import(bank: Bank | None, result: ParseResult) -> ImportPlan:
    """Sort a parse result into what would be imported, what is rejected (the
    parser's errors and any question the type registry finds invalid) and what
    duplicates a question earlier in the file or already in ``bank``.

    Duplicates are kept out and reported as warnings, not errors: importing the
    same file twice adds nothing and is not a mistake worth blocking.
    """
    plan = ImportPlan(result=result, warnings=list(result.warnings))
    plan.rejected = [Rejected(e.where, e.message) for e in result.errors]
    existing: set[str] = set()
    if bank is not None and bank.id is not None:
        existing = set(db.session.scalars(select(Question.dedupe_key).where(Question.bank_id == bank.id)))
    seen: dict[str, QuestionData] = {}
    for q in result.questions:
        problems = qtypes.validate(q)
        if problems:
            plan.rejected.extend(Rejected(q.where, message, q) for message in problems)
            continue
        key = dedupe_key(q)
        if key in existing:
            dup = Rejected(q.where, _("与题库中已有的题目重复（题干和答案相同），未导入。"), q, duplicate=True)
        elif key in seen:
            first = seen[key].where
            dup = Rejected(q.where, _("与本文件%(first)s的题目重复（题干和答案相同），只导入第一道。", first=first),
                           q, duplicate=True)
        else:
            seen[key] = q
            plan.accepted.append(q)
            plan.keys[id(q)] = key
            continue
        plan.duplicates.append(dup)
        plan.warnings.append(Issue(dup.where, dup.message))
    return plan


def add_question(bank: Bank, data: QuestionData, actor=None) -> Question:
    """One question and its first revision (the data must be valid)."""
    content = _content(data)
    question = Question(bank=bank, revision=1, dedupe_key=dedupe_key(data), **content)
    revision = QuestionRevision(question=question, number=1, created_by_id=getattr(actor, "id", None),
                                **_content(data))
    db.session.add_all([question, revision])
    question.current_revision = revision
    return question


def _bulk_add(bank: Bank, accepted: list[QuestionData], actor=None, keys: dict[int, str] | None = None) -> list[int]:
    """Insert questions and their first revisions in three statements whatever
    their number (the unit of work would issue three per question, because a
    question and its current revision point at each other)."""
    if not accepted:
        return []
    if bank.id is None:
        db.session.flush()
    now = utcnow()
    actor_id = getattr(actor, "id", None)
    keys = keys or {}
    contents = [{name: getattr(q, name) for name in CONTENT_FIELDS} for q in accepted]  # fresh from the parser
    question_ids = list(db.session.scalars(
        insert(Question).returning(Question.id, sort_by_parameter_order=True),
        [{**c, "bank_id": bank.id, "revision": 1, "dedupe_key": keys.get(id(q)) or dedupe_key(q), "archived": False,
          "created_at": now, "updated_at": now} for q, c in zip(accepted, contents)],
    ))
    revision_ids = list(db.session.scalars(
        insert(QuestionRevision).returning(QuestionRevision.id, sort_by_parameter_order=True),
        [{**c, "question_id": qid, "number": 1, "created_by_id": actor_id, "created_at": now}
         for qid, c in zip(question_ids, contents)],
    ))
    db.session.execute(update(Question), [{"id": qid, "current_revision_id": rid}
                                          for qid, rid in zip(question_ids, revision_ids)])
    return question_ids


def create_question(bank: Bank, data: QuestionData, actor=None) -> Question:
    """A question written on the edit page (``InvalidQuestion`` when it is not valid)."""
    problems = qtypes.validate(data)
    if problems:
        raise InvalidQuestion(problems)
    question = add_question(bank, data, actor)
    db.session.flush()
    audit("question.create", question, question.stem[:60], actor=actor)
    return question


def import_questions(bank: Bank, result: ParseResult, *, valid_only: bool = False, actor=None) -> ImportOutcome:
    """Import a parsed file into ``bank``, all or nothing.

    A result with errors (or with a question the registry rejects) imports
    nothing, unless ``valid_only``: then the valid questions go in and the
    rejected ones stay in the outcome's plan for the trainer to fix. Duplicates
    of questions in the file or in the bank are left out (warnings). Every new
    question gets its first revision.
    """
    plan = plan_import(bank, result)
    outcome = ImportOutcome(plan=plan)
    if not plan.ok and not valid_only:
        return outcome
    outcome.question_ids = _bulk_add(bank, plan.accepted, actor, plan.keys)
    outcome.imported = True
    if outcome.question_ids:
        audit("bank.import", bank, _("导入 %(n)s 题", n=outcome.count),
              {"format": result.format, "imported": outcome.count, "rejected": len(plan.rejected),
               "duplicates": len(plan.duplicates)}, actor=actor)
    return outcome


def rejected_sheet(plan: ImportPlan, source_lines: list[str] | None = None) -> bytes:
    """The rejected questions (errors and duplicates) in the columns of the
    platform's Excel template plus 位置 and 错误原因, to fix and upload again
    (the importer ignores the two extra columns).

    Questions the parser could not build have only their location and reason;
    for text files ``source_lines`` (the decoded file) lets the original lines
    be copied into 题目 so the trainer sees what was rejected.
    """
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from quiz.banks.formats.sheet_export import BASE_OPTIONS, SHEET_TITLE, columns, row_values

    rows: list[tuple[QuestionData | None, Rejected, list[str]]] = []
    by_data: dict[int, list[str]] = {}
    for r in plan.rejected + plan.duplicates:
        if r.data is not None and id(r.data) in by_data:
            by_data[id(r.data)].append(r.message)
            continue
        reasons = [r.message]
        if r.data is not None:
            by_data[id(r.data)] = reasons
        rows.append((r.data, r, reasons))
    option_count = max([BASE_OPTIONS] + [len(d.options) for d, _r, _m in rows if d is not None])
    names = columns(option_count) + [_("位置"), _("错误原因")]
    book = Workbook()
    ws = book.active
    ws.title = SHEET_TITLE
    for col, name in enumerate(names, start=1):
        ws.cell(row=1, column=col, value=name).font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, (data, r, reasons) in enumerate(rows, start=2):
        if data is not None:
            values = row_values(data, option_count)
        else:
            values = [""] * (len(names) - 2)
            values[1] = _source_block(source_lines or [], r.where)
        values += [r.where, "；".join(reasons)]
        for col, value in enumerate(values, start=1):
            if value in (None, ""):
                continue
            cell = ws.cell(row=n, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula
                cell.alignment = wrap
    ws.column_dimensions["B"].width = 48
    ws.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _source_block(lines: list[str], where: str) -> str:
    """The lines of a text file from ``where`` ("第 12 行") to the next blank line."""
    m = re.search(r"(\d+)\s*行", where or "")
    if not m:
        return ""
    start = int(m.group(1)) - 1
    block = []
    for line in lines[start:start + 30]:
        if not line.strip() and block:
            break
        block.append(line.rstrip())
    return "\n".join(block).strip()


# -- editing -------------------------------------------------------------------

def edit_question(question: Question, data: QuestionData, actor=None) -> bool:
    """Change a question. A new revision is made only when the content changed
    (DESIGN rule 5): attempts keep pointing at the revision they showed.

    Returns True when something changed; ``InvalidQuestion`` when the data
    is not a valid question.
    """
    problems = qtypes.validate(data)
    if problems:
        raise InvalidQuestion(problems)
    new = _content(data)
    if all(_same(getattr(question, name), new[name]) for name in CONTENT_FIELDS):
        return False
    for name, value in new.items():
        setattr(question, name, value)
    question.revision = (question.revision or 1) + 1
    question.dedupe_key = dedupe_key(data)
    revision = QuestionRevision(question=question, number=question.revision,
                                created_by_id=getattr(actor, "id", None), **_content(data))
    db.session.add(revision)
    question.current_revision = revision
    db.session.flush()
    audit("question.edit", question, _("修改题目，第 %(n)s 版", n=question.revision), actor=actor)
    return True


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a == b
    return json.dumps(a, ensure_ascii=False, sort_keys=True) == json.dumps(b, ensure_ascii=False, sort_keys=True)


def is_used(question: Question) -> bool:
    """A question is used once an attempt showed it (or an exam lists it):
    then it can only be archived, never deleted."""
    try:
        from quiz.exams.models import AttemptItem, ExamItem
    except ImportError:  # pragma: no cover - the exams domain is always there in practice
        return False
    return bool(db.session.scalar(select(
        exists().where(AttemptItem.question_id == question.id)
        | exists().where(ExamItem.question_id == question.id))))


def archive_question(question: Question, actor=None) -> str:
    """Take a question out of the bank: archived when used, deleted otherwise.

    Returns ``"archived"`` or ``"deleted"``.
    """
    if is_used(question):
        question.archived = True
        db.session.flush()
        audit("question.archive", question, question.stem[:60], actor=actor)
        return "archived"
    summary = question.stem[:60]
    question_id = question.id
    question.current_revision = None
    db.session.flush()
    for revision in list(question.revisions):
        db.session.delete(revision)
    db.session.flush()
    if question in question.bank.questions:
        question.bank.questions.remove(question)
    db.session.delete(question)
    db.session.flush()
    audit("question.delete", None, summary, {"question_id": question_id}, actor=actor)
    return "deleted"


def restore_question(question: Question, actor=None) -> None:
    question.archived = False
    db.session.flush()
    audit("question.restore", question, question.stem[:60], actor=actor)


# -- shipped banks ---------------------------------------------------------------

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
