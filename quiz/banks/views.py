"""Trainer pages for banks, questions and articles; the phone page of an article.

Handlers parse the request, call ``quiz.banks.services`` and commit once.
The upload flow (form, preview, confirm, rejected sheet) is in
``upload_views``, on the same blueprint.
"""
from __future__ import annotations

import io
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Text, cast, func, or_, select

from quiz.banks import formats, services
from quiz.banks import types as qtypes
from quiz.banks.forms import ArticleForm, ArticleImageForm, BankForm, EmptyForm, QuestionForm, split_list
from quiz.banks.models import Article, ArticleImage, Bank, Question
from quiz.banks.types.base import QuestionData
from quiz.decorators import roles_required
from quiz.extensions import db
from quiz.forms import choices
from quiz.org.models import JobType


bp = Blueprint("banks", __name__)
PAGE_SIZE = 30
EXPORTS = {"xlsx": ("sheet", ".xlsx"), "text": ("text", ".txt"), "gift": ("gift", ".gift"),
           "moodlexml": ("moodlexml", ".xml")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_context_processor
def _helpers():
    return {"qtypes": qtypes, "phone_view": phone_view, "paragraphs": services.paragraphs,
            "image_markdown": image_markdown, "format_label": formats.format_label}


def phone_view(q: QuestionData) -> tuple[str, dict]:
    """The phone partial of ``q`` and its context, exactly as an attempt shows it (no answer)."""
    qtype = qtypes.get(q.type)
    return qtype.template, {"q": qtype.public_view(q), "field": "preview", "response": None,
                            "disabled": True, "reveal": None}


def _bank_or_404(bank_id: int) -> Bank:
    return db.session.get(Bank, bank_id) or abort(404)


def _json_text(column):
    return cast(column, Text)


def _json_item(value: str) -> str:
    """How ``value`` appears inside a stored JSON list (json.dumps escapes non-ASCII)."""
    return json.dumps(value)


def _job_types(bank: Bank | None = None) -> str:
    return "、".join(j.name for j in bank.job_types) if bank else ""


# -- banks -------------------------------------------------------------------

@bp.get("/banks")
@roles_required("trainer")
def bank_list():
    banks = db.session.scalars(select(Bank).where(Bank.archived.is_(False)).order_by(Bank.title)).all()
    return render_template("banks/list.html", banks=banks, counts=services.question_counts())


@bp.route("/banks/new", methods=["GET", "POST"], defaults={"bank_id": None})
@bp.route("/banks/<int:bank_id>/edit", methods=["GET", "POST"])
@roles_required("trainer")
def bank_edit(bank_id: int | None):
    bank = _bank_or_404(bank_id) if bank_id else None
    form = BankForm(obj=bank) if request.method == "GET" and bank else BankForm()
    form.article_ids.choices = choices((a.id, a.title)
                                       for a in db.session.scalars(select(Article).order_by(Article.title)))
    if request.method == "GET" and bank:
        form.article_ids.data = [a.id for a in bank.articles]
        form.job_types.data = _job_types(bank)
    if form.validate_on_submit():
        title = form.title.data.strip()
        clash = db.session.scalar(select(Bank).where(Bank.title == title))
        if clash is not None and clash is not bank:
            form.title.errors.append(_("已有同名题库，请换一个名称。"))
        else:
            articles = [db.session.get(Article, i) for i in form.article_ids.data or []]
            jobs = services.job_types_named(split_list(form.job_types.data))
            if bank is None:
                bank = services.create_bank(title, form.description.data or "", articles, jobs, actor=current_user)
            else:
                services.update_bank(bank, title, form.description.data or "", articles, jobs, actor=current_user)
            db.session.commit()
            flash(_("题库已保存。"), "success")
            return redirect(url_for("banks.bank_view", bank_id=bank.id))
    return render_template("banks/bank_edit.html", form=form, bank=bank)


@bp.get("/banks/<int:bank_id>")
@roles_required("trainer")
def bank_view(bank_id: int):
    bank = _bank_or_404(bank_id)
    args = request.args
    q = (args.get("q") or "").strip()
    type_name = args.get("type") or ""
    category = args.get("category") or ""
    difficulty = args.get("difficulty", type=int)
    job = (args.get("job") or "").strip()
    archived = args.get("archived") == "1"
    page = max(args.get("page", 1, type=int), 1)

    query = select(Question).where(Question.bank_id == bank.id, Question.archived.is_(archived))
    if q:
        query = query.where(or_(Question.stem.contains(q, autoescape=True),
                                Question.explanation.contains(q, autoescape=True),
                                _json_text(Question.tags).contains(_json_item(q)[1:-1], autoescape=True),
                                Question.id == (int(q) if q.isdigit() else -1)))
    if type_name in qtypes.REGISTRY:
        query = query.where(Question.type == type_name)
    if category:
        query = query.where(Question.category == category)
    if difficulty:
        query = query.where(Question.difficulty == difficulty)
    if job:
        query = query.where(_json_text(Question.job_types).contains(_json_item(job), autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    questions = db.session.scalars(query.order_by(Question.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    categories = db.session.scalars(select(Question.category).where(
        Question.bank_id == bank.id, Question.category != "").distinct().order_by(Question.category)).all()
    jobs = db.session.scalars(select(JobType.name).order_by(JobType.name)).all()
    filters = {"q": q, "type": type_name, "category": category, "difficulty": difficulty or "", "job": job,
               "archived": "1" if archived else ""}
    return render_template(
        "banks/bank.html", bank=bank, questions=questions, total=total, page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), filters=filters, categories=categories, jobs=jobs,
        counts=services.question_counts().get(bank.id, {}), data_of=services.question_data,
        action_form=EmptyForm())


@bp.get("/banks/<int:bank_id>/export/<fmt>")
@roles_required("trainer")
def bank_export(bank_id: int, fmt: str):
    bank = _bank_or_404(bank_id)
    if fmt not in EXPORTS:
        abort(404)
    name, ext = EXPORTS[fmt]
    data = formats.export(services.questions_as_data(bank), name)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"{bank.title}{ext}",
                     mimetype=XLSX if ext == ".xlsx" else "application/octet-stream")


@bp.get("/banks/template.xlsx")
@roles_required("trainer")
def template():
    from quiz.banks.formats import sheet

    return send_file(io.BytesIO(sheet.template()), as_attachment=True, download_name=_("题库导入模板.xlsx"),
                     mimetype=XLSX)


# -- questions -----------------------------------------------------------------

@bp.route("/banks/<int:bank_id>/questions/new", methods=["GET", "POST"], defaults={"question_id": None})
@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"], defaults={"bank_id": None})
@roles_required("trainer")
def question_edit(bank_id: int | None, question_id: int | None):
    question = db.session.get(Question, question_id) or abort(404) if question_id else None
    bank = question.bank if question else _bank_or_404(bank_id)
    form = QuestionForm()
    preview: QuestionData | None = None
    problems: list[str] = []
    if request.method == "GET":
        if question is not None:
            form.fill_from(services.question_data(question))
            preview = services.question_data(question)
        else:
            form.type.data = request.args.get("type", qtypes.all_types()[0].name)
    elif form.validate_on_submit():
        preview, problems = form.to_data()
        if not problems and "save" in request.form:
            if question is None:
                question = services.create_question(bank, preview, actor=current_user)
                changed = True
            else:
                changed = services.edit_question(question, preview, actor=current_user)
            db.session.commit()
            flash(_("题目已保存（第 %(n)s 版）。", n=question.revision) if changed else _("内容没有变化，未生成新版本。"),
                  "success")
            return redirect(url_for("banks.bank_view", bank_id=bank.id))
    else:
        problems = [e for errors in form.errors.values() for e in errors]
    return render_template("banks/question_edit.html", form=form, bank=bank, question=question, preview=preview,
                           problems=problems, action_form=EmptyForm())


@bp.post("/questions/<int:question_id>/archive")
@roles_required("trainer")
def question_archive(question_id: int):
    question = db.session.get(Question, question_id) or abort(404)
    bank_id = question.bank_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    what = services.archive_question(question, actor=current_user)
    db.session.commit()
    flash(_("题目已被使用过，已归档（不再出现在新的考试中）。") if what == "archived" else _("题目已删除。"), "success")
    return redirect(url_for("banks.bank_view", bank_id=bank_id))


@bp.post("/questions/<int:question_id>/restore")
@roles_required("trainer")
def question_restore(question_id: int):
    question = db.session.get(Question, question_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.restore_question(question, actor=current_user)
    db.session.commit()
    flash(_("题目已恢复。"), "success")
    return redirect(url_for("banks.bank_view", bank_id=question.bank_id, archived=1))


# -- articles ------------------------------------------------------------------

@bp.get("/banks/articles")
@roles_required("trainer")
def article_list():
    articles = db.session.scalars(select(Article).order_by(Article.title)).all()
    return render_template("banks/articles.html", articles=articles)


@bp.route("/banks/articles/new", methods=["GET", "POST"], defaults={"article_id": None})
@bp.route("/banks/articles/<int:article_id>/edit", methods=["GET", "POST"])
@roles_required("trainer")
def article_edit(article_id: int | None):
    article = db.session.get(Article, article_id) or abort(404) if article_id else None
    form = ArticleForm(obj=article) if request.method == "GET" and article else ArticleForm()
    if request.method == "POST" and request.form.get("preview"):
        # 预览: the text as the phone will show it, nothing saved, the form keeps what was typed
        form.validate_on_submit()
        return render_template("banks/article_edit.html", form=form, article=article, preview=form.body.data or "",
                               image_form=ArticleImageForm(formdata=None), delete_form=EmptyForm(formdata=None))
    if form.validate_on_submit():
        values = (form.title.data, form.source.data or "", form.published_on.data, form.body.data)
        if article is None:
            article = services.create_article(*values, actor=current_user)
        else:
            services.update_article(article, *values, actor=current_user)
        db.session.commit()
        flash(_("学习材料已保存。"), "success")
        return redirect(url_for("banks.article_view", article_id=article.id))
    return render_template("banks/article_edit.html", form=form, article=article,
                           image_form=ArticleImageForm(formdata=None), delete_form=EmptyForm(formdata=None))


@bp.post("/banks/articles/<int:article_id>/images")
@roles_required("trainer")
def article_image_upload(article_id: int):
    """Add a picture to an article; the edit page then shows the line to paste into the text."""
    article = db.session.get(Article, article_id) or abort(404)
    form = ArticleImageForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("banks.article_edit", article_id=article.id))
    storage = form.image.data
    try:
        image = services.add_article_image(article, storage.read(services.IMAGE_MAX_BYTES + 1),
                                           storage.filename or "", actor=current_user)
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("banks.article_edit", article_id=article.id))
    db.session.commit()
    flash(_("图片已上传。把“%(line)s”复制到正文中想显示图片的位置。", line=image_markdown(image)), "success")
    return redirect(url_for("banks.article_edit", article_id=article.id))


@bp.post("/banks/articles/images/<int:image_id>/delete")
@roles_required("trainer")
def article_image_delete(image_id: int):
    image = db.session.get(ArticleImage, image_id) or abort(404)
    article_id = image.article_id
    if EmptyForm().validate_on_submit():
        services.delete_article_image(image, actor=current_user)
        db.session.commit()
        flash(_("图片已删除。正文中引用它的地方将不再显示图片。"), "success")
    return redirect(url_for("banks.article_edit", article_id=article_id))


@bp.get("/articles/images/<int:image_id>")
@login_required
def article_image(image_id: int):
    """An article's picture, from the database, to those who may read the article."""
    image = db.session.get(ArticleImage, image_id) or abort(404)
    if not services.may_read_article(current_user, image.article):
        abort(404)
    response = Response(image.data, mimetype=image.mime)
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def image_markdown(image: ArticleImage) -> str:
    return f"![{image.name or _('图片')}]({url_for('banks.article_image', image_id=image.id)})"


@bp.get("/articles/<int:article_id>")
@login_required
def article_view(article_id: int):
    """The study text on a worker's phone: Markdown rendered and sanitised (``quiz.markup``)."""
    article = db.session.get(Article, article_id) or abort(404)
    if not services.may_read_article(current_user, article):
        abort(404)
    banks = db.session.scalars(select(Bank).where(Bank.articles.contains(article))).all() \
        if current_user.has_role("trainer", "admin") else []
    return render_template("banks/article.html", article=article, banks=banks)

