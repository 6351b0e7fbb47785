"""Certificate pages: mine, public verification, admin template and reissue/revoke, bulk downloads."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import exists, func, or_, select

from quiz.auth.scopes import scope_for
from quiz.browser import is_wechat
from quiz.certificates import image, pdf, services
from quiz.certificates.forms import ReasonForm, TemplateForm, VerifyForm, read_image
from quiz.certificates.models import Certificate, CertificateTemplate
from quiz.decorators import roles_required
from quiz.errors import Refused
from quiz.exams.models import Exam
from quiz.extensions import db, limiter
from quiz.org.models import Unit, User

bp = Blueprint("certificates", __name__)


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


PAGE_SIZE = 50
VERIFY_RATE = "20 per minute"
LOGO_SIZE = (480, 240)
SIGNATURE_SIZE = (600, 240)


def panel_context(user) -> dict:
    count = db.session.scalar(select(func.count()).select_from(Certificate)
                              .where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None)))
    return {"certificate_count": count or 0}



def _pdf_response(data: bytes, filename: str, download: bool) -> Response:
    kind = "attachment" if download else "inline"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = _disposition(kind, filename)
    return response


def ascii_file_name(filename: str) -> str:
    """The name for browsers that ignore ``filename*`` (RFC 5987): Chinese in
    pinyin, one capital per syllable (``000101-王五.pdf`` → ``000101-WangWu.pdf``),
    anything else outside ASCII letters, digits and ``.-_()`` as ``_``."""
    from pypinyin import lazy_pinyin

    parts = lazy_pinyin(filename, errors=lambda chunk: ["\0" + chunk])
    text = "".join(p[1:] if p.startswith("\0") else p.capitalize() for p in parts)
    safe = "".join(c if c.isascii() and (c.isalnum() or c in ".-_()") else "_" for c in text)
    return re.sub(r"_{2,}", "_", safe)


def _disposition(kind: str, filename: str) -> str:
    return f"{kind}; filename=\"{ascii_file_name(filename)}\"; filename*=UTF-8''{quote(filename)}"


# ---- worker ------------------------------------------------------------------------------------


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
    return _pdf_response(data, name, download=request.args.get("download") == "1")


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


# ---- public verification ---------------------------------------------------------------------


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


# ---- admin: list, revoke, reissue --------------------------------------------------------------


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


# ---- admin: template -----------------------------------------------------------------------------


def _change_from(form: TemplateForm) -> services.TemplateChange:
    """The form as a change; raises ValueError (shown on the image field) for a bad upload."""
    logo = signature = None
    try:
        logo = read_image(form.logo.data, LOGO_SIZE)
    except ValueError as exc:
        form.logo.errors = [*form.logo.errors, str(exc)]
        raise
    try:
        signature = read_image(form.signature.data, SIGNATURE_SIZE)
    except ValueError as exc:
        form.signature.errors = [*form.signature.errors, str(exc)]
        raise
    return services.TemplateChange(
        org_name=form.org_name.data.strip(), title=form.title.data.strip(), subtitle=(form.subtitle.data or "").strip(),
        body=form.body.data.strip(), issuer=form.issuer.data.strip(), primary_color=form.primary_color.data,
        accent_color=form.accent_color.data, logo=logo, signature=signature,
        remove_logo=form.remove_logo.data, remove_signature=form.remove_signature.data)


def _unsaved_copy(change: services.TemplateChange) -> CertificateTemplate:
    """The saved settings with the form's changes, not attached to the session (preview only)."""
    saved = services.current_template()
    copy = CertificateTemplate(logo=saved.logo, logo_mime=saved.logo_mime, signature=saved.signature,
                               signature_mime=saved.signature_mime)
    services.apply_template_change(copy, change)
    return copy


@bp.route("/certificates/admin/template", methods=["GET", "POST"])
@roles_required("admin")
def template():
    row = services.current_template()
    form = TemplateForm(obj=row)
    if form.validate_on_submit():
        try:
            change = _change_from(form)
        except ValueError:
            pass
        else:
            services.save_template(change, current_user)
            db.session.commit()
            flash(_("证书模板已保存。"), "success")
            return redirect(url_for(".template"))
    from quiz.certificates.document import PLACEHOLDERS

    return render_template("certificates/template.html", form=form, row=row, placeholders=PLACEHOLDERS)


@bp.route("/certificates/admin/template/preview", methods=["GET", "POST"])
@roles_required("admin")
def template_preview():
    """The sample certificate as HTML for the settings page's iframe: saved settings, or the form's."""
    row = services.current_template()
    if request.method == "POST":
        form = TemplateForm()
        if not form.validate_on_submit():
            errors = "；".join(f"{form[name].label.text}：{'，'.join(map(str, errs))}" for name, errs in form.errors.items())
            return render_template("certificates/preview_error.html", errors=errors), 200
        try:
            row = _unsaved_copy(_change_from(form))
        except ValueError as exc:
            return render_template("certificates/preview_error.html", errors=str(exc)), 200
    html = pdf.sample_html(row, url_for("static", filename="css/certificate.css"))
    return Response(html, mimetype="text/html")


@bp.route("/certificates/admin/template/sample.pdf", methods=["GET", "POST"])
@roles_required("admin")
def template_sample():
    row = services.current_template()
    if request.method == "POST":
        form = TemplateForm()
        if not form.validate_on_submit():
            flash(_("模板内容有误，请先修正。"), "error")
            return redirect(url_for(".template"))
        try:
            row = _unsaved_copy(_change_from(form))
        except ValueError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".template"))
    return _pdf_response(pdf.render_sample(row), "证书样张.pdf", download=True)


# ---- bulk: heads (own subtree) and trainers ------------------------------------------------------


def _bulk_choices(scope) -> tuple[list[Exam], list[Unit]]:
    exams = db.session.scalars(select(Exam).where(Exam.id.in_(_visible_exam_ids(scope)))
                               .order_by(Exam.id.desc())).all()
    units = db.session.scalars(select(Unit).where(scope.unit_condition(Unit.path)).order_by(Unit.path)).all()
    return list(exams), list(units)


def _visible_exam_ids(scope):
    """``SELECT exam_id`` of the exams with a valid certificate of someone the viewer may see."""
    return (select(Certificate.exam_id).join(User, Certificate.user_id == User.id)
            .where(Certificate.revoked_at.is_(None), scope.people_condition()))


def _bulk_target(scope) -> tuple[Exam, Unit | None]:
    """The exam and unit asked for, refused outside the viewer's scope whatever the URL says:
    an exam with no certificate in their scope is a 404 (its title is not theirs to read)."""
    exam = db.get_or_404(Exam, request.args.get("exam", type=int) or 0)
    if not scope.everything and db.session.scalar(
            select(Exam.id).where(Exam.id == exam.id, Exam.id.in_(_visible_exam_ids(scope)))) is None:
        abort(404)
    unit_id = request.args.get("unit", type=int)
    unit = db.get_or_404(Unit, unit_id) if unit_id else None
    if unit is None and not scope.everything:
        abort(403)
    if unit is not None and not scope.can_see_unit(unit):
        abort(403)
    return exam, unit


@bp.get("/certificates/bulk")
@roles_required("head", "trainer")
def bulk():
    scope = scope_for(current_user)
    exams, units = _bulk_choices(scope)
    exam = unit = None
    count = None
    if request.args.get("exam"):
        exam, unit = _bulk_target(scope)
        count = db.session.scalar(select(func.count()).select_from(pdf.bulk_query(scope, exam.id, unit).subquery()))
    return render_template("certificates/bulk.html", exams=exams, units=units, exam=exam, unit=unit, count=count,
                           everything=scope.everything, print_limit=pdf.PRINT_LIMIT)


@bp.get("/certificates/bulk/download")
@roles_required("head", "trainer")
def bulk_download():
    scope = scope_for(current_user)
    exam, unit = _bulk_target(scope)
    kind = request.args.get("format", "zip")
    query = pdf.bulk_query(scope, exam.id, unit)
    count = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if count == 0:
        flash(_("没有可下载的证书。"), "warning")
        return redirect(url_for(".bulk", exam=exam.id, unit=unit.id if unit else None))
    if kind == "pdf" and count > pdf.PRINT_LIMIT:
        flash(_("打印版一次最多 %(n)s 份，请选择更小的单位，或下载 ZIP。", n=pdf.PRINT_LIMIT), "warning")
        return redirect(url_for(".bulk", exam=exam.id, unit=unit.id if unit else None))
    label = unit.name if unit else _("全部单位")
    services.audit_bulk_download(exam, unit, label, count, kind)
    db.session.commit()
    template = services.current_template()
    look = pdf.look_of(template)
    base = f"证书-{exam.title}-{label}"
    if kind == "pdf":
        data = pdf.print_pdf(pdf.entries(query), look)
        return _pdf_response(data, f"{base}.pdf", download=True)
    stream = stream_with_context(pdf.zip_stream(pdf.entries(query), look, pdf.bulk_processes(count)))
    response = Response(stream, mimetype="application/zip")
    response.headers["Content-Disposition"] = _disposition("attachment", f"{base}.zip")
    response.headers["X-Certificate-Count"] = str(count)
    return response


@bp.app_context_processor
def _certificate_helpers():
    return {"cert_verify_url": lambda cert: pdf.verify_url(cert.code)}

