"""Trainer pages for draft questions: upload an article file, review drafts beside the article.

The review page shows the article with the sentences that produced drafts
highlighted, and the drafts beside it, each an editable little form (stem,
options, right answer). Accepting goes through ``draft_service.accept``, the
upload's import path; rejecting is remembered for the article. Keyboard
shortcuts and selection live in ``static/js/drafts.js`` (no inline script).
"""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import Length, Optional

from quiz.banks import draft_service, drafts
from quiz.banks import types as qtypes
from quiz.banks.models import Article, Bank
from quiz.banks.types.base import QuestionData
from quiz.decorators import roles_required
from quiz.extensions import db
from quiz.text import UnreadableFile

bp = Blueprint("drafts", __name__)
DEFAULT_MAX = 80
KEY_RE = re.compile(r"^[0-9a-f]{32}$")


class DraftUploadForm(FlaskForm):
    file = FileField(_l("文章文件（.docx、.txt、.md 或带文字的 .pdf）"), validators=[FileRequired(_l("请选择文件。"))])
    title = StringField(_l("文章标题（留空则用文件开头的“标题：”或文件名）"), validators=[Optional(), Length(max=200)])


class DraftActionForm(FlaskForm):
    """Only the CSRF token: the drafts' fields are read from the request by key."""


@bp.route("/banks/drafts/upload", methods=["GET", "POST"])
@roles_required("trainer")
def upload():
    form = DraftUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            article = draft_service.article_from_file(data, form.file.data.filename or "", form.title.data or "",
                                                      actor=current_user)
        except UnreadableFile as exc:
            form.file.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("已把文件保存为学习材料“%(title)s”，下面是从中生成的题目草稿。", title=article.title), "success")
            return redirect(url_for("drafts.review", article_id=article.id))
    return render_template("banks/drafts_upload.html", form=form)


@bp.get("/banks/articles/<int:article_id>/drafts")
@roles_required("trainer")
def review(article_id: int):
    article = db.session.get(Article, article_id) or abort(404)
    return _review_page(article, request.args.get("max", DEFAULT_MAX, type=int), request.args.get("bank", type=int))


def _review_page(article: Article, limit: int | None, bank_id: int | None, edited: dict | None = None,
                 problems: dict | None = None, picked=(), category: str = "", status: int = 200):
    """The review page; after a refused accept, with what the trainer typed and what to fix (``edited``, ``problems``)."""
    limit = None if not limit or limit <= 0 else limit
    result = draft_service.drafts_for_article(article)
    if result.notice:
        flash(result.notice, "warning")
    total = len(result.drafts)
    result.drafts = drafts.limit(result.drafts, limit)
    questions = {d.key: d.question(article.title) for d in result.drafts}
    from quiz.banks.services import dedupe_key

    existing = draft_service.existing_keys(list(questions.values()))
    in_bank = {key: existing[dedupe_key(q)] for key, q in questions.items() if dedupe_key(q) in existing}
    banks = db.session.scalars(select(Bank).where(Bank.archived.is_(False)).order_by(Bank.title)).all()
    linked = [b for b in banks if article in b.articles]
    chosen = bank_id or (linked[0].id if linked else None)
    sources = result.source_sentences()
    by_sentence: dict[int, list[str]] = {}
    for d in result.drafts:
        by_sentence.setdefault(d.sentence.index, []).append(d.key)
    return render_template(
        "banks/drafts_review.html", article=article, result=result, questions=questions, in_bank=in_bank,
        banks=banks, chosen=chosen, sources=sources, by_sentence=by_sentence, form=DraftActionForm(),
        limit=limit or 0, total=total, qtypes=qtypes, blocks=_blocks(result.doc), rejected=result.rejected_skipped,
        edited=edited or {}, problems=problems or {}, picked=set(picked), category=category), status


def _blocks(doc) -> list[dict]:
    """The article as paragraphs of sentences for the left column: [{heading} | {sentences: [...]}]."""
    blocks: list[dict] = []
    heading_seen = set()
    paragraph = None
    for s in doc.sentences:
        if s.heading and s.heading not in heading_seen:
            heading_seen.add(s.heading)
            blocks.append({"heading": s.heading})
            paragraph = None
        if paragraph is None or paragraph["number"] != s.paragraph:
            paragraph = {"number": s.paragraph, "sentences": []}
            blocks.append(paragraph)
        paragraph["sentences"].append(s)
    return blocks


def _posted(key: str) -> QuestionData:
    """The draft ``key`` as the trainer left it on the page (edited stem, options, answer)."""
    f = request.form
    p = f"d-{key}-"
    qtype = f.get(p + "type", "")
    if qtype not in ("single", "multiple", "truefalse", "fill"):
        abort(400)
    options = [o.strip() for o in f.getlist(p + "opt")] if qtype in ("single", "multiple") else []
    if qtype in ("single", "multiple"):
        answer = sorted({int(i) for i in f.getlist(p + "right") if i.isdigit() and int(i) < len(options)})
    elif qtype == "truefalse":
        answer = f.get(p + "tf") == "true"
    else:
        from quiz.banks.types.fill import split_answer_text

        answer = split_answer_text(f.get(p + "fill", ""), 1)
    difficulty = f.get(p + "difficulty", type=int)
    return QuestionData(type=qtype, stem=(f.get(p + "stem") or "").strip(), options=options, answer=answer,
                        explanation=(f.get(p + "explanation") or "").strip(),
                        source_excerpt=(f.get(p + "source") or "").strip(),
                        category=(f.get("category") or "").strip()[:100] or (f.get(p + "point") or "").strip()[:100],
                        difficulty=difficulty if difficulty and 1 <= difficulty <= 5 else None,
                        where=_("草稿：%(stem)s", stem=(f.get(p + "stem") or "")[:30]))


@bp.post("/banks/articles/<int:article_id>/drafts")
@roles_required("trainer")
def act(article_id: int):
    article = db.session.get(Article, article_id) or abort(404)
    if not DraftActionForm().validate_on_submit():
        abort(400)
    f = request.form
    back = url_for("drafts.review", article_id=article.id, max=f.get("max", DEFAULT_MAX, type=int),
                   bank=f.get("bank_id", type=int))
    if f.get("reject"):
        key = f.get("reject", "")
        if not KEY_RE.match(key):
            abort(400)
        draft_service.reject(article, key, f.get(f"d-{key}-stem", ""), actor=current_user)
        db.session.commit()
        flash(_("已拒绝这条草稿，以后不会再为这篇文章提出。"), "success")
        return redirect(back)
    if f.get("forget"):
        n = draft_service.forget_rejections(article, actor=current_user)
        db.session.commit()
        flash(_("已恢复 %(n)s 条被拒绝的草稿。", n=n), "success")
        return redirect(back)
    keys = [f.get("accept")] if f.get("accept") else f.getlist("pick")
    keys = [k for k in keys if k and KEY_RE.match(k)]
    if not keys:
        flash(_("没有选中任何草稿：请勾选要加入题库的草稿，或点某条草稿的“接受”。"), "warning")
        return redirect(back)
    bank = db.session.get(Bank, f.get("bank_id", type=int) or 0)
    if bank is None or bank.archived:
        flash(_("请先选择要加入的题库。"), "error")
        return redirect(back)
    questions = [_posted(k) for k in keys]
    problems = {k: qtypes.validate(q) for k, q in zip(keys, questions)}
    problems = {k: p for k, p in problems.items() if p}
    if problems:  # nothing goes in; the page comes back with what was typed and what to fix
        flash(_("有草稿不是有效的题目，未加入任何题目：请按每条草稿下的提示修改后再接受。"), "error")
        return _review_page(article, f.get("max", DEFAULT_MAX, type=int), bank.id, dict(zip(keys, questions)),
                            problems, f.getlist("pick"), f.get("category", ""), 400)
    outcome = draft_service.accept(article, bank, questions, actor=current_user)
    if not outcome.imported:
        db.session.rollback()
        problems = "；".join(f"{e.where}：{e.message}" for e in outcome.errors[:5])
        flash(_("有草稿不是有效的题目，未加入任何题目：%(problems)s", problems=problems), "error")
        return redirect(back)
    db.session.commit()
    if outcome.count:
        flash(_("已加入题库“%(bank)s”%(n)s 题。", bank=bank.title, n=outcome.count), "success")
    if outcome.duplicates:
        flash(_("%(n)s 条草稿与题库中已有的题目重复（题干和答案相同），未加入。", n=len(outcome.duplicates)), "warning")
    return redirect(back)
