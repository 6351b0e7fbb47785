"""The worker's pages: tasks, exam intro, the attempt (one question per
screen, plain forms that work without JavaScript), result, mistakes book
and practice. Blueprint ``exams``; the phone's JSON API (``api``) adds its
routes to it.

Each view parses the request, calls a service, commits once, renders.
"""
from __future__ import annotations

import os
import random

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from quiz.banks.models import Bank
from quiz.db import utcnow
from quiz.exams import clock, lockdown, mistakes, practice, present
from quiz.exams.assignments import todo
from quiz.exams.assignments.assignees import assignment_for
from quiz.exams.attempt import answers, finish
from quiz.exams.attempt.locking import grace_seconds
from quiz.exams.attempt.start import start_attempt
from quiz.exams.paper.pool import question_count
from quiz.errors import Refused
from quiz.exams.models import Attempt, Exam
from quiz.extensions import db, no_rate_limit

bp = Blueprint("exams", __name__)


@bp.app_template_global()
def exam_outlook(attempt: Attempt):
    """``present.outlook`` for templates (the task cards of pending results)."""
    return present.outlook(attempt)


# trainer pages that show right answers: closed to their user while their own exam attempt runs (rule 10)
_ARTICLE_PAGES = {"banks.article_view", "banks.article_list", "banks.article_edit", "banks.template"}
_ANSWER_PAGES = {"reports.items", "exams_trainer.grade", "exams_trainer.grading", "exams_trainer.exam_items"}


@bp.before_app_request
def _no_answer_pages_during_own_attempt():
    """A trainer or admin sitting an exam cannot look its answers up in the
    banks, the item analysis or the grading pages until they hand it in."""
    endpoint = request.endpoint or ""
    if not (endpoint in _ANSWER_PAGES or (endpoint.startswith(("banks.", "drafts.")) and endpoint not in _ARTICLE_PAGES)):
        return None
    if not current_user.is_authenticated or not current_user.has_role("trainer", "admin"):
        return None
    running = lockdown.running_exam_ids(current_user)
    if not running:
        return None
    attempt = db.session.scalar(db.select(Attempt).where(Attempt.user_id == current_user.id,
                                                         Attempt.exam_id.in_(running),
                                                         Attempt.status == "in_progress").limit(1))
    flash(_("您正在考试，交卷前不能查看题库、答案和阅卷页面。"), "error")
    return redirect(url_for("exams.take", attempt_id=attempt.id) if attempt else url_for("exams.my_tasks"))


def my_attempt(attempt_id: int) -> Attempt:
    """The signed-in worker's attempt; anybody else's is a 404 (not a 403:
    we do not confirm it exists)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


def my_fresh_attempt(attempt_id: int) -> Attempt:
    """``my_attempt``, finalised first if its time is up (the lazy finalisation
    every page and API call that shows an attempt does), and then committed."""
    attempt = my_attempt(attempt_id)
    status = attempt.status
    finish.refresh(attempt)
    if attempt.status != status:  # finalised now; otherwise nothing changed, and a commit would expire
        db.session.commit()       # every object read so far (the signed-in user too): read again at once
    return attempt


def _assigned_exam(exam_id: int):
    exam = db.session.get(Exam, exam_id)
    if exam is None or exam.archived:
        abort(404)
    assignment = assignment_for(current_user, exam)
    if assignment is None:
        abort(404)
    return exam, assignment


def _finalise_my_overdue() -> None:
    """Finalise the worker's attempts whose time is up, and commit at once.
    The write lock is taken only when one is overdue (a cheap check first),
    and released before the page is built, so that listing tasks and
    rendering never hold up everybody's answer saves."""
    if finish.has_overdue(user_id=current_user.id):
        finish.finalise_overdue(user_id=current_user.id)
        db.session.commit()


@bp.get("/tasks")
@login_required
def my_tasks():
    _finalise_my_overdue()
    return render_template("exams/tasks.html", tasks=todo.tasks_for(current_user), now=utcnow(),
                           may_start=todo.may_start_again)


@bp.get("/exams/<int:exam_id>")
@login_required
def exam_intro(exam_id: int):
    exam, assignment = _assigned_exam(exam_id)
    _finalise_my_overdue()
    task = next(iter(todo.tasks_for(current_user, assignments=[assignment])), None)
    return render_template("exams/intro.html", exam=exam, assignment=assignment, task=task,
                           may_start=task is not None and todo.may_start_again(task),
                           question_count=question_count(exam))


@bp.get("/exams/<int:exam_id>/article")
@login_required
def article(exam_id: int):
    exam, _assignment = _assigned_exam(exam_id)
    if exam.article is None:
        abort(404)
    return render_template("exams/article.html", exam=exam, article=exam.article)


@bp.post("/exams/<int:exam_id>/start")
@login_required
def start(exam_id: int):
    exam, assignment = _assigned_exam(exam_id)
    try:
        attempt = start_attempt(current_user, exam, assignment=assignment)
    except Refused as exc:
        db.session.commit()  # overdue attempts finalised on the way stay finalised
        flash(str(exc), "error")
        return redirect(url_for("exams.exam_intro", exam_id=exam_id))
    attempt_id = attempt.id  # before the commit expires it: no read after it
    db.session.commit()
    return redirect(url_for("exams.take", attempt_id=attempt_id))


def _finalised_redirect(attempt: Attempt):
    return redirect(url_for("exams.result", attempt_id=attempt.id))


@bp.get("/attempts/sw.js")
def service_worker():
    """The offline copy of attempt pages (its URL gives it the /attempts/ scope)."""
    response = send_file(os.path.join(current_app.static_folder, "js", "exam-sw.js"),
                         mimetype="application/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/attempts/<int:attempt_id>")
@no_rate_limit
@login_required
def take(attempt_id: int):
    attempt = my_fresh_attempt(attempt_id)
    if attempt.status != "in_progress":
        return _finalised_redirect(attempt)
    answers.load_items(attempt)
    views = [present.item_view(item) for item in attempt.items]
    forward = attempt.exam.navigation == "forward"
    current = request.args.get("q", type=int)
    if current is None or not 0 <= current < len(views) or (forward and current < attempt.current_position):
        current = attempt.current_position
        if not forward and current == 0:
            current = next((v["position"] for v in views if not v["answered"]), 0)
    feedback = {item.position: present.practice_feedback(item) for item in attempt.items}
    if present.held_in_practice(attempt):
        flash(practice.locked_message(current_user), "info")
    return render_template(
        "exams/attempt.html", attempt=attempt, exam=attempt.exam, items=views, current=current, forward=forward,
        remaining=clock.remaining_seconds(attempt.deadline_at, utcnow()), grace=grace_seconds(),
        answered=sum(1 for v in views if v["answered"]), feedback=feedback,
        max_seq=max((v["saved_seq"] for v in views), default=0))


@bp.post("/attempts/<int:attempt_id>/q/<int:position>")
@login_required
def save_form(attempt_id: int, position: int):
    """A question page posted without JavaScript: save it, then go where asked."""
    attempt = my_attempt(attempt_id)
    go = request.form.get("go", "next")
    forward = attempt.exam.navigation == "forward"
    last = len(attempt.items) - 1
    if go == "prev":
        target = position - 1
    elif go == "next":
        target = position + 1
    elif go.isdigit():
        target = int(go)
    else:
        target = position
    target = min(max(target, 0), last)
    if forward and target < position:
        target = position
    item = next((i for i in attempt.items if i.position == position), None)
    if item is None:
        abort(404)
    field = f"q{position}"
    values = request.form.getlist(field)
    try:
        if attempt.mode == "practice" and item.score is not None:
            answers.move(attempt, target if go != "check" else position)
        else:
            answers.save_answer(attempt, position, seq=item.client_seq + 1, values=values,
                                 move_to=position if go == "check" else target,
                                 flagged=request.form.get("flag") == "1")
    except Refused as exc:
        db.session.commit()
        if attempt.status != "in_progress":
            flash(str(exc), "error")
            return _finalised_redirect(attempt)
        flash(str(exc), "error")
        return redirect(url_for("exams.take", attempt_id=attempt.id, q=position))
    db.session.commit()
    if go == "submit":
        return redirect(url_for("exams.confirm_submit", attempt_id=attempt.id))
    if attempt.mode == "practice" and go == "check":
        return redirect(url_for("exams.take", attempt_id=attempt.id, q=position) + f"#q{position}")
    return redirect(url_for("exams.take", attempt_id=attempt.id, q=target))


@bp.get("/attempts/<int:attempt_id>/submit")
@login_required
def confirm_submit(attempt_id: int):
    attempt = my_fresh_attempt(attempt_id)
    if attempt.status != "in_progress":
        return _finalised_redirect(attempt)
    answers.load_items(attempt)
    views = [present.item_view(item) for item in attempt.items]
    return render_template("exams/confirm.html", attempt=attempt, exam=attempt.exam,
                           unanswered=[v["number"] for v in views if not v["answered"]],
                           flagged=[v["number"] for v in views if v["flagged"]], total=len(views),
                           remaining=clock.remaining_seconds(attempt.deadline_at, utcnow()))


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit_form(attempt_id: int):
    attempt = my_attempt(attempt_id)
    finish.submit(attempt)
    db.session.commit()
    return _finalised_redirect(attempt)


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = my_fresh_attempt(attempt_id)
    if attempt.status == "in_progress":
        return redirect(url_for("exams.take", attempt_id=attempt.id))
    level = present.review_level(attempt)
    if present.held_back(attempt):
        flash(_("您有考试正在进行，这次作答的答案和解析交卷后再看。") if lockdown.answer_lock(current_user).during_attempt
              else practice.locked_message(current_user), "info")
    elif level == "wrong" and attempt.exam.review == "final":
        flash(_("正确答案和解析在您用完作答次数或考试结束后公布。"), "info")
    used = clock.time_used(attempt.started_at, attempt.submitted_at, attempt.deadline_at)
    return render_template("exams/result.html", attempt=attempt, exam=attempt.exam, level=level,
                           rows=present.review_items(attempt, level) if level in ("wrong", "full") else [],
                           used_minutes=int(used.total_seconds()) // 60, used_seconds=int(used.total_seconds()) % 60)


# -- mistakes book and practice ------------------------------------------------------

@bp.get("/mistakes", endpoint="mistakes")
@login_required
def mistakes_book():
    book = mistakes.book(current_user.id)
    now = utcnow()
    every = [m for cats in book.values() for ms in cats.values() for m in ms]
    return render_template("exams/mistakes.html", book=book, total=len(every),
                           due_count=sum(1 for m in every if mistakes.is_due(m, now)),
                           is_due=lambda m: mistakes.is_due(m, now), keep_pct=round(mistakes.KEEP_BELOW * 100),
                           clear_days=mistakes.CLEAR_AFTER_DAYS)


@bp.get("/practice")
@login_required
def practice_home():
    return render_template("exams/practice_home.html", banks=practice.banks_for(current_user),
                           mistake_count=len(mistakes.open_mistakes(current_user.id)))


def _practice_page(pick, action: str, title: str, empty: str, allowed, held=lambda: False):
    """One practice question (GET) or its feedback (POST). ``held()``: is
    there nothing to pick because ``lockdown`` holds it all back (say so)?"""
    feedback = None
    if request.method == "POST":
        try:
            feedback = practice.answer(current_user, request.form.get("question_id"), request.form.get("revision_id"),
                                       request.form.getlist("q0"), allowed=allowed)
        except Refused as exc:
            if exc.field != "locked":
                abort(404)
            db.session.rollback()
            flash(str(exc), "info")
            return redirect(action)
        db.session.commit()
        revision = feedback.revision
    else:
        question = pick(random.Random(), request.args.get("after", type=int))
        if question is None:
            if held():
                empty = practice.locked_message(current_user)
            return render_template("exams/practice.html", title=title, empty=empty, q=None)
        revision = question.current_revision
    q = practice.public_question(revision)
    return render_template("exams/practice.html", title=title, q=q, revision=revision, feedback=feedback,
                           values=answers.form_values(feedback.response) if feedback else [], action=action,
                           empty=empty)


@bp.route("/practice/bank/<int:bank_id>", methods=["GET", "POST"])
@login_required
def practice_bank(bank_id: int):
    bank = db.session.get(Bank, bank_id)
    if bank is None or not practice.may_practise(current_user, bank):
        abort(404)
    return _practice_page(lambda rng, after: practice.pick_from_bank(bank, rng, after, current_user),
                          url_for("exams.practice_bank", bank_id=bank.id), _("练习：%(t)s", t=bank.title),
                          _("这个题库还没有题目。"), lambda question: question.bank_id == bank.id,
                          lambda: bank.id in lockdown.banks_closed_for_practice(current_user, [bank.id]))


@bp.route("/practice/mistakes", methods=["GET", "POST"])
@login_required
def practice_mistakes():
    bank_id = request.args.get("bank", type=int)
    action = url_for("exams.practice_mistakes", bank=bank_id) if bank_id else url_for("exams.practice_mistakes")
    return _practice_page(lambda rng, after: practice.pick_mistake(current_user, rng, bank_id, after), action,
                          _("错题练习"), _("错题本是空的，继续保持！"),
                          lambda question: mistakes.in_book(current_user.id, question.id),
                          lambda: bool(mistakes.open_mistakes(current_user.id, bank_id)))

