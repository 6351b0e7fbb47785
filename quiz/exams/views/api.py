"""The phone's JSON API (on the ``exams`` blueprint of ``worker``). CSRF comes in the
``X-CSRFToken`` header (Flask-WTF reads it there). Every reply carries the
time left as the server computes it, so the phone never trusts its clock.
"""
from __future__ import annotations

from functools import wraps

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quiz.auth import light
from quiz.db import utcnow
from quiz.exams import clock, present
from quiz.exams.attempt import answers, fast_save, finish
from quiz.errors import Refused
from quiz.exams.views.worker import bp, my_attempt, my_fresh_attempt
from quiz.extensions import db, no_rate_limit


def api_login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return _signed_out()
        return view(*args, **kwargs)

    return wrapped


def _signed_out():
    return jsonify(ok=False, error=_("登录已过期，请重新登录。答案仍保存在手机上。"), relogin=True), 401


def _body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _finished(attempt, **extra):
    return {"ok": True, "status": attempt.status, "result_url": url_for("exams.result", attempt_id=attempt.id),
            "remaining_seconds": 0, **extra}


def _refused(attempt, exc: Refused):
    db.session.commit()  # an attempt finalised on the way stays finalised
    payload = {"ok": False, "error": str(exc), "code": exc.field, "status": attempt.status,
               "remaining_seconds": clock.remaining_seconds(attempt.deadline_at, utcnow())
               if attempt.status == "in_progress" else 0}
    if attempt.status != "in_progress":
        payload["result_url"] = url_for("exams.result", attempt_id=attempt.id)
    return jsonify(payload), exc.status


@bp.post("/api/attempts/<int:attempt_id>/answers")
@no_rate_limit
@light.checks_sign_in_itself
def api_save(attempt_id: int):
    """Save one answer: ``{position, values | response, seq, move_to?, flagged?}``
    → ``{ok, saved_seq, remaining_seconds}``.

    The phone's everyday save checks the sign-in in its own read of the attempt
    (``quiz.auth.light``); everything else, including every refusal, goes the usual way."""
    body = _body()
    values = body.get("values")
    who = light.claim()
    if who is not None and body.get("move_to") is None and body.get("flagged") is None:
        saved = fast_save.save_answer_fast(attempt_id, who, body.get("position"), values, body.get("seq"))
        if saved is not None:  # saved and committed
            return jsonify(ok=True, position=saved.position, saved_seq=saved.saved_seq, stale=saved.stale,
                           remaining_seconds=saved.remaining_seconds, status="in_progress")
    if not current_user.is_authenticated:
        return _signed_out()
    if current_user.must_change_password:  # the web hook's refusal, which views checking sign-in themselves skip
        return jsonify(ok=False, error=_("请先修改初始密码。")), 403
    attempt = my_attempt(attempt_id)
    try:
        saved = answers.save_answer(attempt, body.get("position"), body.get("response"), body.get("seq"),
                                     values=values if isinstance(values, list) else None,
                                     move_to=body.get("move_to"), flagged=body.get("flagged"))
    except Refused as exc:
        return _refused(attempt, exc)
    feedback = present.practice_feedback(saved.item)
    db.session.commit()  # expires everything: the reply is built from what was read before
    reply = {"ok": True, "position": saved.position, "saved_seq": saved.saved_seq, "stale": saved.stale,
             "remaining_seconds": saved.remaining_seconds, "status": "in_progress"}
    if feedback is not None:  # practice attempts only: the right answer at once
        reply["feedback"] = {k: v for k, v in feedback.items() if k != "reveal"}
    return jsonify(reply)


@bp.post("/api/attempts/<int:attempt_id>/flag")
@api_login_required
def api_flag(attempt_id: int):
    attempt = my_attempt(attempt_id)
    body = _body()
    try:
        item = answers.set_flag(attempt, body.get("position"), bool(body.get("flagged")))
    except Refused as exc:
        return _refused(attempt, exc)
    db.session.commit()
    return jsonify(ok=True, position=item.position, flagged=item.flagged,
                   remaining_seconds=clock.remaining_seconds(attempt.deadline_at, utcnow()))


@bp.get("/api/attempts/<int:attempt_id>/state")
@api_login_required
def api_state(attempt_id: int):
    attempt = my_fresh_attempt(attempt_id)
    data = answers.state(attempt)
    if attempt.status != "in_progress":
        data["result_url"] = url_for("exams.result", attempt_id=attempt.id)
    return jsonify(data)


@bp.post("/api/attempts/<int:attempt_id>/submit")
@api_login_required
def api_submit(attempt_id: int):
    attempt = my_attempt(attempt_id)
    finish.submit(attempt)
    db.session.commit()
    return jsonify(_finished(attempt, finalised_by=attempt.finalised_by))


@bp.post("/api/attempts/<int:attempt_id>/leave")
@api_login_required
def api_leave(attempt_id: int):
    """The page was left (visibilitychange): ``{count}`` is the phone's tally."""
    attempt = my_attempt(attempt_id)
    answers.leave(attempt, _body().get("count"))
    db.session.commit()
    if attempt.status != "in_progress":
        return jsonify(_finished(attempt, leave_count=attempt.leave_count, finalised_by=attempt.finalised_by))
    return jsonify(ok=True, status=attempt.status, leave_count=attempt.leave_count,
                   leave_limit=attempt.exam.leave_limit,
                   remaining_seconds=clock.remaining_seconds(attempt.deadline_at, utcnow()))
