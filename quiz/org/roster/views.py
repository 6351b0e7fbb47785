"""Roster import for admins: upload → preview → confirm → result, and the
one-time download of the initial passwords of the people just created.

Between preview and confirm the uploaded file waits in the database
(``quiz.uploads``: one table every app server reads, so any server may
confirm it), scoped to the admin who uploaded it and named by a random
token that only this browser's session holds; it is deleted on confirm.
The passwords sheet waits the same way and is deleted when downloaded.
Uploads left behind (a preview never confirmed) are swept after an hour.
"""
from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quiz import uploads as store
from quiz.auth.passwords import hash_password, problems
from quiz.decorators import roles_required
from quiz.extensions import db
from quiz.org.forms import RosterImportForm
from quiz.org.roster.parse import UnreadableRoster, parse_roster
from quiz.org.roster.importing import apply_roster
from quiz.org.roster.passwords import initial_passwords_xlsx

bp = Blueprint("org_roster", __name__)

MAX_AGE_SECONDS = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
UPLOAD_KEY = "roster_upload"
PASSWORDS_KEY = "roster_passwords"
KIND, PASSWORDS_KIND = "roster", "roster_passwords"


def _discard(token: str | None, kind: str = KIND) -> None:
    if token and _TOKEN.match(token):
        store.discard(kind, token, current_user.id)


def _waiting(kind: str = KIND) -> store.PendingUpload | None:
    token = session.get(UPLOAD_KEY if kind == KIND else PASSWORDS_KEY)
    if not token or not _TOKEN.match(token):
        return None
    return store.find(kind, token, current_user.id, max_age_seconds=MAX_AGE_SECONDS)


def _load_upload() -> tuple[str, bytes, dict] | None:
    row = _waiting()
    if row is None or row.meta.get("user_id") != current_user.id:
        return None
    return row.token, row.data, dict(row.meta)


def _run(data: bytes, meta: dict, *, dry_run: bool):
    parsed = parse_roster(data, meta["filename"])
    return apply_roster(parsed, initial_password_hash=meta.get("initial_password_hash") or None,
                        valid_only=meta.get("valid_only", False), deactivate_missing=meta.get("deactivate_missing", False),
                        dry_run=dry_run, actor=current_user._get_current_object(),
                        default_company=current_app.config.get("ORG_NAME"), filename=meta["filename"],
                        create_units=meta.get("create_units", False))


@bp.route("/org/roster", methods=["GET", "POST"])
@roles_required("admin")
def upload():
    form = RosterImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        filename = Path(form.file.data.filename or "roster").name
        weak = problems(form.initial_password.data) if form.initial_password.data else []
        try:
            parse_roster(data, filename)
        except UnreadableRoster as exc:
            form.file.errors.append(str(exc))
        except Exception:  # a reader library choking on a damaged file: explain, do not fail
            current_app.logger.warning("roster upload %s unreadable", filename, exc_info=True)
            form.file.errors.append(_("无法读取这个文件：请在 Excel 中打开后另存为 .xlsx 再上传。"))
        if weak:
            form.initial_password.errors.extend(weak)
        if not form.file.errors and not weak:
            _discard(session.pop(UPLOAD_KEY, None))
            meta = {"filename": filename, "user_id": current_user.id, "valid_only": bool(form.valid_only.data),
                    "deactivate_missing": bool(form.deactivate_missing.data),
                    "create_units": bool(form.create_units.data),
                    # the admin's password waits as a hash only: the upload sits on disk until confirmed
                    "initial_password": bool(form.initial_password.data),
                    "initial_password_hash": hash_password(form.initial_password.data)
                    if form.initial_password.data else None}
            token = store.keep(KIND, current_user.id, data, filename=filename, meta=meta,
                               max_age_seconds=MAX_AGE_SECONDS)
            db.session.commit()
            session[UPLOAD_KEY] = token
            return redirect(url_for("org_roster.preview"))
    return render_template("org/roster_upload.html", form=form)


@bp.get("/org/roster/preview")
@roles_required("admin")
def preview():
    loaded = _load_upload()
    if loaded is None:
        flash(_("上传的文件已失效，请重新上传。"), "error")
        return redirect(url_for("org_roster.upload"))
    _token, data, meta = loaded
    report = _run(data, meta, dry_run=True)
    db.session.rollback()  # nothing was written; end the read transaction
    return render_template("org/roster_preview.html", report=report, meta=meta,
                           valid_rows=report.created + report.updated + report.unchanged,
                           bad_rows=len({e.row for e in report.errors}))


@bp.post("/org/roster/units")
@roles_required("admin")
def choose_units():
    """The preview's explicit choice: create the new units the roster names, or not."""
    loaded = _load_upload()
    if loaded is None:
        flash(_("上传的文件已失效，请重新上传。"), "error")
        return redirect(url_for("org_roster.upload"))
    _token, _data, meta = loaded
    meta["create_units"] = request.form.get("create_units") == "1"
    _waiting().meta = meta
    db.session.commit()
    return redirect(url_for("org_roster.preview"))


@bp.post("/org/roster/confirm")
@roles_required("admin")
def confirm():
    loaded = _load_upload()
    if loaded is None:
        flash(_("上传的文件已失效，请重新上传。"), "error")
        return redirect(url_for("org_roster.upload"))
    token, data, meta = loaded
    if request.form.get("valid_only") == "1":
        meta["valid_only"] = True
    report = _run(data, meta, dry_run=False)
    if not report.applied:
        db.session.rollback()
        flash(_("文件有错误，未导入任何人员。"), "error")
        return redirect(url_for("org_roster.preview"))
    passwords_ready = False
    if report.passwords and not meta.get("initial_password"):
        _discard(session.pop(PASSWORDS_KEY, None), PASSWORDS_KIND)
        sheet_token = store.keep(PASSWORDS_KIND, current_user.id, initial_passwords_xlsx(report.passwords),
                                 max_age_seconds=MAX_AGE_SECONDS)
        passwords_ready = True
    _discard(token)
    db.session.commit()
    session.pop(UPLOAD_KEY, None)
    if passwords_ready:
        session[PASSWORDS_KEY] = sheet_token
    return render_template("org/roster_result.html", report=report, meta=meta, passwords_ready=passwords_ready)


@bp.post("/org/roster/cancel")
@roles_required("admin")
def cancel():
    _discard(session.pop(UPLOAD_KEY, None))
    db.session.commit()
    flash(_("已取消，未导入任何人员。"), "success")
    return redirect(url_for("org_roster.upload"))


@bp.get("/org/roster/passwords.xlsx")
@roles_required("admin")
def passwords():
    """The initial passwords of the people just created: once, then gone."""
    row = _waiting(PASSWORDS_KIND)
    session.pop(PASSWORDS_KEY, None)
    if row is None:
        flash(_("初始密码表只能下载一次，已经下载过或已过期。如需新密码，请在人员页面重置密码。"), "error")
        return redirect(url_for("org_roster.upload"))
    data = row.data
    db.session.delete(row)
    db.session.commit()
    response = send_file(io.BytesIO(data), as_attachment=True,
                         download_name=f"{_('初始密码')}-{datetime.now():%Y%m%d-%H%M}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Cache-Control"] = "no-store"
    return response
