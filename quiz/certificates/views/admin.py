"""Admins: every certificate, searched, revoked or reissued with a reason."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from quiz.certificates import services
from quiz.certificates.forms import ReasonForm
from quiz.certificates.models import Certificate
from quiz.certificates.views.common import bp
from quiz.decorators import roles_required
from quiz.errors import Refused
from quiz.extensions import db

PAGE_SIZE = 50


@bp.get("/certificates/admin")
@roles_required("admin")
def admin_list():
    q = (request.args.get("q") or "").strip()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = select(Certificate)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Certificate.serial.like(like), Certificate.employee_no.like(like),
                                Certificate.holder_name.like(like), Certificate.exam_title.like(like)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    certs = db.session.scalars(query.order_by(Certificate.id.desc()).limit(PAGE_SIZE)
                               .offset((page - 1) * PAGE_SIZE)).all()
    return render_template("certificates/admin_list.html", certs=certs, q=q, page=page, total=total,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), reason_form=ReasonForm(),
                           format_score=services.format_score)


@bp.post("/certificates/admin/<int:cert_id>/revoke")
@roles_required("admin")
def revoke(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("请填写撤销原因。"), "error")
        return redirect(url_for(".admin_list", q=cert.serial))
    try:
        services.revoke(cert, form.reason.data, current_user)
    except Refused as exc:
        flash(_(str(exc)), "error")
        return redirect(url_for(".admin_list", q=cert.serial))
    db.session.commit()
    flash(_("证书 %(serial)s 已撤销。", serial=cert.serial), "success")
    return redirect(url_for(".admin_list", q=cert.serial))


@bp.post("/certificates/admin/<int:cert_id>/reissue")
@roles_required("admin")
def reissue(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("请填写补发原因。"), "error")
        return redirect(url_for(".admin_list", q=cert.serial))
    try:
        new = services.reissue(cert, form.reason.data, current_user)
    except Refused as exc:
        flash(_(str(exc)), "error")
        return redirect(url_for(".admin_list", q=cert.serial))
    db.session.commit()
    flash(_("已补发新证书 %(serial)s，原证书 %(old)s 已作废。", serial=new.serial, old=cert.serial), "success")
    return redirect(url_for(".admin_list", q=cert.employee_no))
