"""Public verification of a certificate by its QR code or by serial and code (no sign-in, rate-limited)."""
from __future__ import annotations

from flask import render_template
from sqlalchemy import exists, select

from quiz.certificates import pdf, services
from quiz.certificates.forms import VerifyForm
from quiz.certificates.models import Certificate
from quiz.certificates.views.common import bp
from quiz.extensions import db, limiter

VERIFY_RATE = "20 per minute"


def _verification(cert: Certificate | None) -> tuple[str, int]:
    if cert is None:
        return render_template("certificates/verify.html", status="unknown", form=VerifyForm()), 404
    replaced = db.session.scalar(select(exists().where(Certificate.reissued_from_id == cert.id)))
    shown = {
        "name": services.mask_name(cert.holder_name),
        "unit": cert.unit_name,
        "exam_title": cert.exam_title,
        "band": services.score_band(cert.score, cert.max_score),
        "issued_at": cert.issued_at,
        "serial": cert.serial,
        "revoked_at": cert.revoked_at,
        "replaced": replaced,
    }
    status = "revoked" if cert.revoked else "valid"
    return render_template("certificates/verify.html", status=status, shown=shown, form=VerifyForm()), 200


@bp.get("/verify/<code>")
@limiter.limit(VERIFY_RATE)
def verify(code: str):
    return _verification(services.find_by_code(code))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(VERIFY_RATE, methods=["POST"])
def verify_form():
    form = VerifyForm()
    if form.validate_on_submit():
        return _verification(services.find_by_serial_and_code(form.serial.data, form.code.data))
    return render_template("certificates/verify.html", status=None, form=form)


@bp.app_context_processor
def _certificate_helpers():
    return {"cert_verify_url": lambda cert: pdf.verify_url(cert.code)}
