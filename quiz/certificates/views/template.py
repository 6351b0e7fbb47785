"""Admins: the certificate template (texts, colours, logo, signature), its live preview and sample PDF."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quiz.certificates import pdf, services
from quiz.certificates.forms import TemplateForm, read_image
from quiz.certificates.models import CertificateTemplate
from quiz.certificates.views.common import bp, pdf_response
from quiz.decorators import roles_required
from quiz.extensions import db

LOGO_SIZE = (480, 240)
SIGNATURE_SIZE = (600, 240)


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
    return pdf_response(pdf.render_sample(row), "证书样张.pdf", download=True)
