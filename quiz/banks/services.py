"""What changes question banks: articles, banks, questions, editing, archiving.

Services take objects and validated data, flush, and never commit: the view
or CLI command commits once (DESIGN rule 7). Parsing files is not done here
(that is ``quiz.banks.formats``, pure). Turning a ``ParseResult`` into rows,
all or nothing, is ``quiz.banks.importing``; loading the banks shipped in
``question_banks/`` is ``quiz.banks.shipped``. This module holds what both
build on: a question's content as plain data and its dedupe key, articles,
banks, and one question at a time.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from quiz.banks import types as qtypes
from quiz.banks.models import Article, ArticleImage, Bank, Question, QuestionRevision
from quiz.banks.types.base import QuestionData
from quiz.errors import Refused
from quiz.extensions import db
from quiz.images import shrink_image
from quiz.org.models import JobType
from quiz.org.services import audit, ensure_job_type
from quiz.text import fold

# The fields a question and each of its revisions share (models._Content).
CONTENT_FIELDS = ("type", "stem", "options", "answer", "explanation", "source_excerpt", "category", "tags",
                  "difficulty", "points", "job_types")

ALL_JOBS_WORDS = {"全员", "全部", "所有", "所有工种", "全体"}


# -- keys and conversions ------------------------------------------------------

def dedupe_key(q) -> str:
    """sha256 of the normalised stem and answer: equal for the same question
    written with other spacing, width or option order.

    For choice questions the answer is the set of the right options' texts
    (indices alone would make "B" in one file equal "B" of another question).
    """
    answer = qtypes.get(q.type).dedupe_answer(q)
    payload = json.dumps([fold(q.stem), answer], ensure_ascii=False, sort_keys=True)
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


#: an article's images: shrunk to fit a phone or projector, bounded in number and upload size
IMAGE_MAX_SIZE = (1600, 1600)
IMAGE_MAX_BYTES = 8 * 1024 * 1024
IMAGES_PER_ARTICLE = 40


def add_article_image(article: Article, raw: bytes, name: str = "", actor=None) -> ArticleImage:
    """Store an uploaded picture with ``article``, checked and shrunk (``quiz.images``).

    Raises ValueError with a message for the person when the file is not a
    usable PNG/JPEG or the article already has as many images as allowed.
    """
    if len(article.images) >= IMAGES_PER_ARTICLE:
        raise ValueError(_("一篇学习材料最多 %(n)s 张图片：请先删除不用的图片。", n=IMAGES_PER_ARTICLE))
    data, mime, (width, height) = shrink_image(raw, IMAGE_MAX_SIZE, IMAGE_MAX_BYTES)
    image = ArticleImage(article=article, name=Path(name or "").stem[:200], mime=mime, data=data,
                         width=width, height=height, created_by_id=getattr(actor, "id", None))
    db.session.add(image)
    db.session.flush()
    audit("article.image_add", article, f"{article.title} #{image.id}", actor=actor)
    return image


def delete_article_image(image: ArticleImage, actor=None) -> None:
    article = image.article
    audit("article.image_delete", article, f"{article.title} #{image.id}", actor=actor)
    db.session.delete(image)
    db.session.flush()


def may_read_article(user, article: Article) -> bool:
    """Whether ``user`` may read ``article`` and its images: everyone signed in
    (study texts are company material; trainers and admins edit them)."""
    return bool(getattr(user, "is_authenticated", False))


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


# -- questions ---------------------------------------------------------------

def add_question(bank: Bank, data: QuestionData, actor=None) -> Question:
    """One question and its first revision (the data must be valid)."""
    content = _content(data)
    question = Question(bank=bank, revision=1, dedupe_key=dedupe_key(data), **content)
    revision = QuestionRevision(question=question, number=1, created_by_id=getattr(actor, "id", None),
                                **_content(data))
    db.session.add_all([question, revision])
    question.current_revision = revision
    return question


def create_question(bank: Bank, data: QuestionData, actor=None) -> Question:
    """A question written on the edit page (``Refused`` when it is not valid)."""
    problems = qtypes.validate(data)
    if problems:
        raise Refused("; ".join(problems))
    question = add_question(bank, data, actor)
    db.session.flush()
    audit("question.create", question, question.stem[:60], actor=actor)
    return question


# -- editing -------------------------------------------------------------------

def edit_question(question: Question, data: QuestionData, actor=None) -> bool:
    """Change a question. A new revision is made only when the content changed
    (DESIGN rule 5): attempts keep pointing at the revision they showed.

    Returns True when something changed; ``Refused`` when the data
    is not a valid question.
    """
    problems = qtypes.validate(data)
    if problems:
        raise Refused("; ".join(problems))
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


# Banks sit below exams and may not import them: the domains that use questions
# register the function that says whether one is used (``quiz.exams.usage``).
_usage_checks: list[Callable[[Question], bool]] = []


def register_usage_check(check: Callable[[Question], bool]) -> None:
    """Let a domain above banks say whether a question is used there (once per function)."""
    if check not in _usage_checks:
        _usage_checks.append(check)


def is_used(question: Question) -> bool:
    """A question is used once an attempt showed it (or an exam lists it):
    then it can only be archived, never deleted."""
    return any(check(question) for check in _usage_checks)


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

