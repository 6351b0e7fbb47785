"""The bank upload flow: form -> preview -> confirm -> result, and the rejected sheet.

On the ``banks`` blueprint of ``views`` (the endpoints stay ``banks.upload``,
``banks.upload_preview`` …). An upload is parsed twice (preview, then
confirm) from the bytes kept in the database (``quiz.uploads``, so that any
app server can confirm it) under a random token kept in the session and
scoped to the trainer who uploaded it; uploads older than a day are swept.
The import itself is ``quiz.banks.importing``; this module only speaks HTTP
and keeps the file between the two requests.
"""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quiz import uploads as store
from quiz.banks import formats, importing, services, shipped
from quiz.banks.forms import ConfirmForm, EmptyForm, UploadForm
from quiz.banks.models import Bank
from quiz.banks.types.base import ParseResult
from quiz.banks.views import XLSX, bp
from quiz.decorators import roles_required
from quiz.extensions import db
from quiz.forms import choices
from quiz.text import UnreadableFile

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
UPLOAD_MAX_AGE = 24 * 3600
KIND, REJECTED = "bank", "bank_rejected"


def _waiting(token: str, kind: str = KIND) -> bytes | None:
    """The bytes this trainer's upload ``token`` left waiting (or its rejected sheet), or None."""
    row = store.find(kind, token, current_user.id, max_age_seconds=UPLOAD_MAX_AGE)
    return row.data if row is not None else None


def _upload(token: str) -> dict:
    """The session's record of upload ``token``; 404 for any other token."""
    uploads = session.get("bank_uploads") or {}
    if not TOKEN_RE.match(token) or token not in uploads:
        abort(404)
    return uploads[token]


def _forget(token: str) -> None:
    uploads = dict(session.get("bank_uploads") or {})
    uploads.pop(token, None)
    session["bank_uploads"] = uploads


def _parse(data: bytes, filename: str, fmt: str) -> ParseResult:
    try:
        return formats.parse(data, filename, fmt)
    except UnreadableFile:
        raise
    except Exception as exc:  # a parser bug is a message for the trainer, not a 500
        current_app.logger.exception("parser failed on %s", filename)
        raise UnreadableFile(_("无法读取这个文件（%(kind)s）：请检查内容，或改用 Excel 模板后重新上传。",
                               kind=type(exc).__name__)) from exc


def _read_waiting(token: str, record: dict, *, forget_unreadable: bool) -> tuple[bytes | None, ParseResult | None]:
    """The waiting upload and what it parses to; ``(…, None)`` with the message flashed when it has
    expired or cannot be read (then, on the preview, it is dropped: nothing to confirm)."""
    data = _waiting(token)
    if data is None:
        _forget(token)
        flash(_("上传的文件已过期，请重新上传。"), "warning")
        return None, None
    try:
        return data, _parse(data, record["filename"], record["format"])
    except UnreadableFile as exc:
        if forget_unreadable:
            store.discard(KIND, token, current_user.id)
            db.session.commit()
            _forget(token)
        flash(str(exc), "error")
        return data, None


def _target_bank(record: dict) -> Bank | None:
    return db.session.get(Bank, record["bank_id"]) if record.get("bank_id") else None


def _source_lines(data: bytes, result: ParseResult) -> list[str] | None:
    if result.format != "text":
        return None
    from quiz.text import decode

    try:
        return decode(data).splitlines()
    except UnreadableFile:
        return None


@bp.route("/banks/upload", methods=["GET", "POST"])
@roles_required("trainer")
def upload():
    form = UploadForm()
    banks = db.session.scalars(select(Bank).where(Bank.archived.is_(False)).order_by(Bank.title)).all()
    form.bank_id.choices = choices([(0, _("（新建题库）"))] + [(b.id, b.title) for b in banks])
    if request.method == "GET" and request.args.get("bank", type=int):
        form.bank_id.data = request.args.get("bank", type=int)
    if form.validate_on_submit():
        bank = db.session.get(Bank, form.bank_id.data) if form.bank_id.data else None
        new_title = (form.new_title.data or "").strip()
        filename = Path(form.file.data.filename or "upload").name
        data = form.file.data.read()
        if bank is None and new_title and db.session.scalar(select(Bank).where(Bank.title == new_title)):
            form.new_title.errors.append(_("已有同名题库：请在上面选择它，或换一个名称。"))
        else:
            try:
                result = _parse(data, filename, form.format.data)
            except UnreadableFile as exc:
                form.file.errors.append(str(exc))
            else:
                if bank is None and not new_title:
                    new_title = shipped.read_bank_header(data[:4096].decode("utf-8-sig", "ignore"))["title"] \
                        if result.format == "text" else None
                    new_title = new_title or Path(filename).stem
                token = store.keep(KIND, current_user.id, data, filename=filename, max_age_seconds=UPLOAD_MAX_AGE)
                waiting = store.tokens(KIND, current_user.id)
                uploads = {k: v for k, v in (session.get("bank_uploads") or {}).items() if k in waiting}
                uploads[token] = {"filename": filename, "format": form.format.data,
                                  "bank_id": bank.id if bank else None, "new_title": None if bank else new_title}
                session["bank_uploads"] = uploads
                db.session.commit()
                return redirect(url_for("banks.upload_preview", token=token))
    return render_template("banks/upload.html", form=form)


@bp.get("/banks/upload/<token>")
@roles_required("trainer")
def upload_preview(token: str):
    record = _upload(token)
    data, result = _read_waiting(token, record, forget_unreadable=True)
    if result is None:
        return redirect(url_for("banks.upload"))
    bank = _target_bank(record)
    plan = importing.plan_import(bank, result)
    return render_template("banks/upload_preview.html", token=token, record=record, bank=bank, plan=plan,
                           result=result, form=ConfirmForm(), cancel_form=EmptyForm(),
                           duplicate_wheres=plan.duplicate_wheres())


@bp.post("/banks/upload/<token>/confirm")
@roles_required("trainer")
def upload_confirm(token: str):
    record = _upload(token)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    data, result = _read_waiting(token, record, forget_unreadable=False)
    if result is None:
        return redirect(url_for("banks.upload"))
    bank = _target_bank(record)
    if bank is None:
        plan = importing.plan_import(None, result)
        if not plan.ok and not form.valid_only.data:
            flash(_("文件有错误，未导入任何题目。可以勾选“只导入正确的题目”，或修改后重新上传。"), "error")
            return redirect(url_for("banks.upload_preview", token=token))
        title = record["new_title"]
        if db.session.scalar(select(Bank).where(Bank.title == title)):
            title = f"{title}（{time.strftime('%Y%m%d%H%M')}）"
        bank = services.create_bank(title, actor=current_user)
    outcome = importing.import_questions(bank, result, valid_only=form.valid_only.data, actor=current_user)
    if not outcome.imported:
        db.session.rollback()
        flash(_("文件有错误，未导入任何题目。可以勾选“只导入正确的题目”，或修改后重新上传。"), "error")
        return redirect(url_for("banks.upload_preview", token=token))
    rejected = bool(outcome.plan.rejected or outcome.plan.duplicates)
    if rejected:
        store.keep(REJECTED, current_user.id, importing.rejected_sheet(outcome.plan, _source_lines(data, result)),
                   filename=record["filename"], max_age_seconds=UPLOAD_MAX_AGE, token=token)
    store.discard(KIND, token, current_user.id)
    db.session.commit()
    uploads = dict(session.get("bank_uploads") or {})
    uploads[token] = dict(record, done=True, bank_id=bank.id)
    session["bank_uploads"] = uploads
    return render_template("banks/upload_result.html", bank=bank, outcome=outcome, token=token,
                           rejected=rejected, record=record)


@bp.get("/banks/upload/<token>/rejected.xlsx")
@roles_required("trainer")
def upload_rejected(token: str):
    """The rejected questions with their reasons, to fix and upload again."""
    record = _upload(token)
    done = _waiting(token, REJECTED)
    raw = _waiting(token) if done is None else None
    if done is not None:
        data = done
    elif raw is not None:
        try:
            result = _parse(raw, record["filename"], record["format"])
        except UnreadableFile:
            abort(404)
        data = importing.rejected_sheet(importing.plan_import(_target_bank(record), result), _source_lines(raw, result))
    else:
        abort(404)
    stem = Path(record["filename"]).stem
    return send_file(io.BytesIO(data), as_attachment=True, download_name=_("%(name)s-未导入的题目.xlsx", name=stem),
                     mimetype=XLSX)


@bp.post("/banks/upload/<token>/cancel")
@roles_required("trainer")
def upload_cancel(token: str):
    _upload(token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    for kind in (KIND, REJECTED):
        store.discard(kind, token, current_user.id)
    db.session.commit()
    _forget(token)
    flash(_("已取消，未导入任何题目。"), "success")
    return redirect(url_for("banks.upload"))
