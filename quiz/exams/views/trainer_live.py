"""The trainer's live view of a running exam with its per-person actions
(extra time, one more attempt, reopen) and the grading queue. Routes of the
``exams_trainer`` blueprint (see ``trainer``)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quiz.banks import types
from quiz.banks.services import question_data
from quiz.decorators import roles_required
from quiz.errors import Refused
from quiz.exams.forms import ExtraAttemptForm, ExtraTimeForm, GradeForm, ReopenForm
from quiz.exams.live import live as live_view
from quiz.exams.models import Attempt, AttemptItem, Exam
from quiz.exams.trainer import grading_queue as queue
from quiz.exams.trainer import person_actions as actions
from quiz.exams.views.trainer import bp, exam_or_404, person_or_404, train_scope
from quiz.extensions import db


# -- live view and per-person actions ---------------------------------------------------

def _live_context(exam: Exam) -> dict:
    data = live_view(exam, train_scope())
    db.session.commit()  # overdue attempts finalised on the way (rule 4)
    return {"exam": exam, "live": data, "time_form": ExtraTimeForm(), "attempt_form": ExtraAttemptForm(),
            "reopen_form": ReopenForm()}


@bp.get("/exams/<int:exam_id>/live")
@roles_required("trainer")
def live(exam_id: int):
    return render_template("exams/trainer_live.html", **_live_context(exam_or_404(exam_id)))


@bp.get("/exams/<int:exam_id>/live/rows")
@roles_required("trainer")
def live_rows(exam_id: int):
    """The live table alone, for ``static/js/live.js`` to swap in."""
    return render_template("exams/trainer_live_rows.html", **_live_context(exam_or_404(exam_id)))


def _back(exam: Exam):
    return redirect(url_for(".live", exam_id=exam.id))


def _refused(exc: Refused, exam: Exam):
    db.session.rollback()
    flash(str(exc), "error")
    return _back(exam)


@bp.post("/exams/<int:exam_id>/people/<int:user_id>/extra-time")
@roles_required("trainer")
def extra_time(exam_id: int, user_id: int):
    exam, person = exam_or_404(exam_id), person_or_404(user_id)
    form = ExtraTimeForm()
    if not form.validate_on_submit():
        flash(" ".join(form.minutes.errors) or _("请输入分钟数。"), "error")
        return _back(exam)
    try:
        what = actions.give_extra_time(exam, person, form.minutes.data, current_user)
    except Refused as exc:
        return _refused(exc, exam)
    db.session.commit()
    if what == "attempt":
        flash(_("已为 %(name)s 的本次作答延长 %(n)s 分钟。", name=person.name, n=form.minutes.data), "success")
    else:
        flash(_("%(name)s 目前没有进行中的作答；下次开考时将多 %(n)s 分钟。", name=person.name, n=form.minutes.data),
              "success")
    return _back(exam)


@bp.post("/exams/<int:exam_id>/people/<int:user_id>/extra-attempt")
@roles_required("trainer")
def extra_attempt(exam_id: int, user_id: int):
    exam, person = exam_or_404(exam_id), person_or_404(user_id)
    if not ExtraAttemptForm().validate_on_submit():
        abort(400)
    try:
        actions.give_extra_attempt(exam, person, current_user)
    except Refused as exc:
        return _refused(exc, exam)
    db.session.commit()
    flash(_("已为 %(name)s 增加一次作答机会。", name=person.name), "success")
    return _back(exam)


@bp.post("/attempts/<int:attempt_id>/reopen")
@roles_required("trainer")
def reopen(attempt_id: int):
    attempt = db.get_or_404(Attempt, attempt_id)
    person = person_or_404(attempt.user_id)
    exam = attempt.exam
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(" ".join(form.minutes.errors) or _("请求有误。"), "error")
        return _back(exam)
    try:
        actions.reopen(attempt, form.minutes.data, current_user)
    except Refused as exc:
        return _refused(exc, exam)
    db.session.commit()
    flash(_("已重新开放 %(name)s 的作答，已保存的答案都在。", name=person.name), "success")
    return _back(exam)


# -- grading queue ------------------------------------------------------------------------

@bp.get("/grading")
@roles_required("trainer")
def grading():
    """The next answer waiting for a trainer (``skip`` passes over some)."""
    exam_id = request.args.get("exam", type=int)
    skip = max(request.args.get("skip", 0, type=int), 0)
    query = queue.grading_queue(train_scope(), exam_id)
    item = db.session.scalar(query.offset(skip).limit(1))
    if item is None and skip:
        item = db.session.scalar(query.limit(1))
        skip = 0
    if item is None:
        return render_template("exams/trainer_grading.html", item=None, exam_id=exam_id,
                               remaining=0, form=None)
    return redirect(url_for(".grade", item_id=item.id, exam=exam_id, skip=skip or None))


@bp.route("/grading/<int:item_id>", methods=["GET", "POST"])
@roles_required("trainer")
def grade(item_id: int):
    item = db.get_or_404(AttemptItem, item_id)
    attempt = item.attempt
    if attempt.mode != "exam":
        abort(404)
    person_or_404(attempt.user_id)
    if attempt.user_id == current_user.id:  # rule 11: never one's own, not even to look at the form
        flash(actions.own_record_message(), "error")
        return redirect(url_for(".grading"))
    exam_id = request.args.get("exam", type=int)
    skip = max(request.args.get("skip", 0, type=int), 0)
    form = GradeForm(obj=item if request.method == "GET" and item.score is not None else None)
    if form.validate_on_submit():
        try:
            completed = queue.grade_item(item, form.score.data, form.comment.data or "", current_user)
        except Refused as exc:
            db.session.rollback()
            form.score.errors = list(form.score.errors) + [str(exc)]
        else:
            db.session.commit()
            if completed:
                flash(_("%(name)s 的试卷已全部评完：%(score)s 分。", name=attempt.user.name,
                        score=f"{attempt.score:g}"), "success")
            else:
                flash(_("已保存评分。"), "success")
            return redirect(url_for(".grading", exam=exam_id, skip=skip or None))
    q = question_data(item.revision)
    return render_template("exams/trainer_grading.html", item=item, attempt=attempt, q=q,
                           qtype=types.get(q.type), form=form, exam_id=exam_id, skip=skip,
                           remaining=queue.queue_count(train_scope(), exam_id))
