"""Draft questions for an article: generating with the platform's terms, accepting, rejecting.

The generator itself is pure (``quiz.banks.drafts``); this module gives it
what only the database knows (the terms the banks already use, the drafts a
trainer rejected for the article) and writes what the trainer decided:
accepted drafts go through ``importing.import_questions`` exactly as an
uploaded file does (the type registry validates them, duplicates of the bank
are flagged and left out, all or nothing), each with its source excerpt;
rejections are remembered in ``draft_rejections``. Flushes, never commits.
"""
from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from quiz.banks import drafts, importing
from quiz.banks.models import Article, Bank, DraftRejection, Question
from quiz.banks.services import _date, dedupe_key
from quiz.banks.types.base import ParseResult, QuestionData
from quiz.extensions import db
from quiz.org.models import JobType, Unit
from quiz.org.services import audit

FORMAT = "drafts"
_QUOTED = re.compile(r"[“\"]([^“”\"]{2,16})[”\"]")


def known_terms() -> list[str]:
    """Terms the platform's banks and articles already use: categories, job types,
    quoted phrases and short fill-in answers. Taught to the segmenter; used as distractors."""
    terms: list[str] = []
    terms += [c for c in db.session.scalars(select(Question.category).where(Question.category != "").distinct())]
    terms += list(db.session.scalars(select(JobType.name)))
    terms += list(db.session.scalars(select(Unit.name)))
    for stem, options, answer, qtype in db.session.execute(
            select(Question.stem, Question.options, Question.answer, Question.type).where(
                Question.archived.is_(False))):
        terms += _QUOTED.findall(stem or "")
        for option in options or []:
            terms += _QUOTED.findall(str(option))
        if qtype == "fill" and isinstance(answer, list):
            terms += [a for alts in answer if isinstance(alts, list) for a in alts[:1]
                      if isinstance(a, str) and 2 <= len(a) <= 10 and not re.search(r"\d", a)]
    for body in db.session.scalars(select(Article.body)):
        terms += _QUOTED.findall(body or "")
    return [t.strip() for t in dict.fromkeys(terms) if t and 2 <= len(t.strip()) <= 16]


def rejected_keys(article: Article) -> set[str]:
    return set(db.session.scalars(select(DraftRejection.draft_key).where(DraftRejection.article_id == article.id)))


def _generate(text: str, max_drafts: int | None, rejected=frozenset()) -> drafts.Result:
    """The rule-based drafts, or the language model's when ``DRAFTS_LLM_URL`` is set
    (falling back to the rules, with a notice, when that server fails)."""
    terms = known_terms()
    config = current_app.config
    if config.get("DRAFTS_LLM_URL"):
        from quiz.banks.drafts import llm

        try:
            return llm.generate_llm(text, url=config["DRAFTS_LLM_URL"], model=config.get("DRAFTS_LLM_MODEL", "default"),
                                    api_key=config.get("DRAFTS_LLM_KEY") or None,
                                    timeout=config.get("DRAFTS_LLM_TIMEOUT", 60), known_terms=terms,
                                    max_drafts=max_drafts, rejected=rejected)
        except llm.Unavailable as exc:
            current_app.logger.warning("drafts: language-model server unavailable: %s", exc)
            result = drafts.generate(text, known_terms=terms, max_drafts=max_drafts, rejected=rejected)
            result.notice = _("语言模型服务暂时不可用，下面是按规则生成的草稿。")
            return result
    return drafts.generate(text, known_terms=terms, max_drafts=max_drafts, rejected=rejected)


def drafts_for_article(article: Article, max_drafts: int | None = None) -> drafts.Result:
    """Drafts for ``article``, without those a trainer rejected for it."""
    return _generate(article.body or "", max_drafts, rejected_keys(article))


def drafts_for_file(data: bytes, filename: str, max_drafts: int | None = None) -> drafts.Result:
    """Drafts for an uploaded file (``UnreadableFile`` when it has no text)."""
    from quiz.banks.drafts.reading import text_of

    return _generate(text_of(data, filename), max_drafts)


def article_from_file(data: bytes, filename: str, title: str = "", actor=None) -> Article:
    """An uploaded file as a new article, so that its drafts cite sentences workers can read.

    A file with the shipped header (``标题：`` …) keeps its title, source and date.
    """
    from quiz.banks.drafts.reading import text_of
    from quiz.banks.services import create_article

    text = text_of(data, filename)
    meta = {"title": "", "source": "", "published_on": None}
    lines = text.lstrip("\ufeff").splitlines()
    i = 0
    while i < len(lines):  # the header of question_banks/articles/ files, when there is one
        m = re.match(r"^\s*(标题|出处|来源|日期)\s*[:：]\s*(.*)$", lines[i])
        if not m:
            break
        meta[{"标题": "title", "出处": "source", "来源": "source", "日期": "published_on"}[m.group(1)]] = m.group(2).strip()
        i += 1
    body = "\n".join(lines[i:]).strip("\n") + "\n"
    published = _date(meta["published_on"]) if meta["published_on"] else None
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", filename or "").strip()
    title = ((title or "").strip() or meta["title"] or stem or _("未命名文章"))[:200]
    return create_article(title, (meta["source"] or filename or "")[:200], published, body, actor=actor)


def existing_keys(questions: list[QuestionData]) -> dict[str, str]:
    """dedupe key -> title of a bank that already holds that question (for the duplicate flag)."""
    keys = {dedupe_key(q) for q in questions}
    if not keys:
        return {}
    rows = db.session.execute(select(Question.dedupe_key, Bank.title).join(Bank, Bank.id == Question.bank_id)
                              .where(Question.dedupe_key.in_(keys), Question.archived.is_(False)))
    return {k: title for k, title in rows}


def accept(article: Article, bank: Bank, questions: list[QuestionData], actor=None) -> importing.ImportOutcome:
    """Put accepted drafts into ``bank`` through the upload's import path: validated by
    the type registry, duplicates of the bank left out and reported, all or nothing.

    The bank is tied to the article when it was not (the article is what the
    questions cite).
    """
    result = ParseResult(format=FORMAT, questions=list(questions))
    outcome = importing.import_questions(bank, result, actor=actor)
    if outcome.imported and outcome.count:
        if article not in bank.articles:
            bank.articles.append(article)
        db.session.flush()
        audit("drafts.accept", bank, _("从文章“%(title)s”的草稿加入 %(n)s 题", title=article.title, n=outcome.count),
              {"article_id": article.id, "imported": outcome.count, "duplicates": len(outcome.duplicates)},
              actor=actor)
    return outcome


def reject(article: Article, key: str, stem: str = "", actor=None) -> bool:
    """Remember that a draft was rejected for ``article``; False when it already was."""
    key = (key or "").strip()[:64]
    if not key:
        return False
    exists = db.session.scalar(select(DraftRejection.id).where(DraftRejection.article_id == article.id,
                                                               DraftRejection.draft_key == key))
    if exists:
        return False
    db.session.add(DraftRejection(article_id=article.id, draft_key=key, stem=(stem or "")[:500],
                                  rejected_by_id=getattr(actor, "id", None)))
    db.session.flush()
    return True


def forget_rejections(article: Article, actor=None) -> int:
    """Propose every draft again for ``article``: the number of rejections forgotten."""
    rows = db.session.scalars(select(DraftRejection).where(DraftRejection.article_id == article.id)).all()
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    if rows:
        audit("drafts.forget_rejections", article, article.title, {"count": len(rows)}, actor=actor)
    return len(rows)


def article_by_title_or_id(value: str) -> Article | None:
    """``flask banks draft ARTICLE``: an article's id or exact title."""
    value = (value or "").strip()
    if value.isdigit():
        article = db.session.get(Article, int(value))
        if article is not None:
            return article
    return db.session.scalar(select(Article).where(Article.title == value))
