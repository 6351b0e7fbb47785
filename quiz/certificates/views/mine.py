"""A person's own certificates: the list, the PDF, the picture for WeChat, the links on the exam pages
and the home panel (heads, trainers and admins open others' through the same URLs, within their scope)."""
from __future__ import annotations

from flask import Response, abort, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from quiz.auth.scopes import scope_for
from quiz.certificates import image, pdf, services
from quiz.browser import is_wechat
from quiz.certificates.models import Certificate
from quiz.certificates.views.common import bp, pdf_response
from quiz.extensions import db


@bp.app_template_global()
def certificate_for_attempt(attempt_id: int) -> Certificate | None:
    """The valid certificate an attempt earned, for the result page's link (None if none)."""
    return db.session.scalar(select(Certificate).where(Certificate.attempt_id == attempt_id,
                                                       Certificate.revoked_at.is_(None)))

@bp.app_template_global()
def certificate_for_exam(user_id: int, exam_id: int) -> Certificate | None:
    """The person's newest valid certificate for an exam, for the passed task's 下载证书 (None if none)."""
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user_id, Certificate.exam_id == exam_id,
                                                       Certificate.revoked_at.is_(None))
                             .order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(1))


@bp.app_template_global()
def certificate_href(cert: Certificate, download: bool = True) -> str:
    """Where a worker's "certificate" button leads: the picture inside WeChat (which cannot keep
    a PDF), the PDF elsewhere."""
    if is_wechat():
        return url_for("certificates.image_page", cert_id=cert.id)
    return url_for("certificates.open_pdf", cert_id=cert.id, download=1 if download else None)


def panel_context(user) -> dict:
    count = db.session.scalar(select(func.count()).select_from(Certificate)
                              .where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None)))
    return {"certificate_count": count or 0}



@bp.get("/certificates/")
@login_required
def mine():
    certs = db.session.scalars(select(Certificate).where(Certificate.user_id == current_user.id)
                               .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).all()
    return render_template("certificates/mine.html", certs=certs, format_score=services.format_score)


def _may_open(cert: Certificate) -> bool:
    if current_user.is_admin:
        return True
    if cert.user_id == current_user.id:
        return not cert.revoked
    if not current_user.has_role("head", "trainer"):
        return False
    return scope_for(current_user).can_see_person(cert.user)


@bp.get("/certificates/<int:cert_id>.pdf")
@login_required
def open_pdf(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    if not _may_open(cert):
        abort(404)
    data = pdf.render_one(cert, services.current_template())
    name = pdf.file_name(cert.employee_no, cert.holder_name)
    return pdf_response(data, name, download=request.args.get("download") == "1")


def _may_see_image(cert: Certificate) -> bool:
    """The picture is for its holder, their heads and admins (not for trainers as such)."""
    if current_user.is_admin:
        return True
    if cert.user_id == current_user.id:
        return not cert.revoked
    return current_user.has_role("head") and scope_for(current_user).can_see_person(cert.user)


@bp.get("/certificates/<int:cert_id>/image")
@login_required
def image_page(cert_id: int):
    """The certificate as a picture to long-press and save (what WeChat's browser can keep)."""
    cert = db.get_or_404(Certificate, cert_id)
    if not _may_see_image(cert):
        abort(404)
    return render_template("certificates/image.html", cert=cert)


@bp.get("/certificates/<int:cert_id>.png")
@login_required
def image_png(cert_id: int):
    cert = db.get_or_404(Certificate, cert_id)
    if not _may_see_image(cert) or cert.revoked:
        abort(404)
    png = image.image_of(cert, services.current_template())
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
