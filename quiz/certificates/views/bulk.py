"""Heads (their own subtree) and trainers: one exam's certificates for a unit, as a zip or one PDF to print."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from quiz.auth.scopes import scope_for
from quiz.certificates import pdf, services
from quiz.certificates.models import Certificate
from quiz.certificates.views.common import bp, disposition, pdf_response
from quiz.decorators import roles_required
from quiz.exams.models import Exam
from quiz.extensions import db
from quiz.org.models import Unit, User


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
        return pdf_response(data, f"{base}.pdf", download=True)
    stream = stream_with_context(pdf.zip_stream(pdf.entries(query), look, pdf.bulk_processes(count)))
    response = Response(stream, mimetype="application/zip")
    response.headers["Content-Disposition"] = disposition("attachment", f"{base}.zip")
    response.headers["X-Certificate-Count"] = str(count)
    return response
