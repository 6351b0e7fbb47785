"""The worker's pages (phone): 我的学习路径, a topic (study, then the test),
the remediation set and its practice, the spaced review of passed topics."""
from __future__ import annotations

import random

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from quiz.banks.services import paragraphs
from quiz.db import utcnow
from quiz.errors import Refused
from quiz.exams import practice as exam_practice
from quiz.exams.attempt.answers import attempts_of, form_values
from quiz.exams.paper.pool import question_count
from quiz.errors import Refused
from quiz.extensions import db
from quiz.markup import render_markdown
from quiz.paths import lesson, review, services, state
from quiz.paths.models import MasterOperator, Path, Remediation, RemediationPoint, Topic, TopicReview
from quiz.paths.views import bp


def panel(user) -> dict:
    paths = services.paths_for(user)
    rows = []
    for path in paths:
        ps, person = state.for_person(path, user)
        if person is not None:
            rows.append(worker_view(ps, person))
    return {"rows": rows, "due": review.due_reviews(user.id)}


def _mine(path_id: int) -> tuple[state.PathState, state.Person]:
    path = db.session.get(Path, path_id)
    if path is None or path.archived:
        abort(404)
    ps, person = state.for_person(path, current_user)
    if person is None:
        abort(404)
    return ps, person


def worker_view(ps: state.PathState, person: state.Person) -> dict:
    """What the worker's page shows: per topic its state and, when locked,
    why (how many of the crew still have to pass, never who)."""
    standing = ps.standing(person)
    crew = ps.crews.get(person.crew_id) if person.crew_id is not None else None
    crew_open = crew.open_topic if crew else None
    rows = []
    for topic in ps.topics:
        no = topic.position
        cell = person.cells.get(no) or state.Cell()
        s = ps.cell_state(person, no)
        why = ""
        if s == "not_started":
            if crew_open is not None and no > crew_open and (no - 1) in person.member().passed:
                left = len(crew.gate.blocking) if crew and crew.gate else 0
                why = _("等待班组全员通过课题 %(n)s：还差 %(k)s 人", n=no - 1, k=left)
            else:
                why = _("通过课题 %(n)s 后开放", n=no - 1)
        rows.append({"topic": topic, "no": no, "state": s, "attempts": cell.attempts, "why": why,
                     "remediation_id": cell.remediation_id, "current": standing.current == no})
    todo = None
    if standing.current is not None:
        row = rows[standing.current - 1]
        if row["remediation_id"] is not None:
            todo = ("remediation", _("完成补课练习，然后重考"))
        elif row["state"] == "failed":
            todo = ("retest", _("重新考试（抽一套新题）"))
        elif ps.people[person.id].cells.get(standing.current, state.Cell()).in_progress:
            todo = ("continue", _("继续作答"))
        else:
            todo = ("study", _("先学习，再参加测试"))
    waiting = None
    if standing.waiting_for_crew and crew and crew.gate:
        waiting = _("等待班组全员通过课题 %(n)s：还差 %(k)s 人", n=crew.open_topic, k=len(crew.gate.blocking))
    return {"path": ps.path, "rows": rows, "standing": standing, "todo": todo, "waiting": waiting,
            "crew_label": crew.label if crew else "", "practical": person.practical, "master": False}


@bp.get("/paths")
@login_required
def my_paths():
    paths = services.paths_for(current_user)
    if len(paths) == 1:
        return redirect(url_for("paths.my_path", path_id=paths[0].id))
    return render_template("paths/mine.html", paths=paths, due=review.due_reviews(current_user.id))


@bp.get("/paths/<int:path_id>")
@login_required
def my_path(path_id: int):
    ps, person = _mine(path_id)
    if ps.persist(utcnow()):  # somebody left since: remember where the crew is
        db.session.commit()
    due = [r for r in review.due_reviews(current_user.id) if r.topic.path_id == path_id]
    v = worker_view(ps, person)
    v["master"] = db.session.scalar(select(MasterOperator.id).where(MasterOperator.path_id == path_id,
                                                                    MasterOperator.user_id == current_user.id)) is not None
    return render_template("paths/path.html", v=v, due=due)


def _my_topic(topic_id: int) -> tuple[Topic, state.PathState, state.Person]:
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        abort(404)
    ps, person = _mine(topic.path_id)
    return topic, ps, person


@bp.get("/paths/topics/<int:topic_id>")
@login_required
def topic(topic_id: int):
    topic, ps, person = _my_topic(topic_id)
    s = ps.cell_state(person, topic.position)
    if s == "not_started":
        abort(404)  # locked: the path page says why
    may, why = services.may_take(current_user, topic)
    running = next((a for a in attempts_of(current_user.id, topic.exam_id)
                    if a.status == "in_progress"), None)
    text = lesson.article_text(topic)
    return render_template("paths/topic.html", topic=topic, state=s, may=may, why=why, running=running,
                           html=render_markdown(text) if text else None, paragraphs=paragraphs(text),
                           question_count=question_count(topic.exam),
                           remediation=services.open_remediation(current_user.id, topic))


@bp.post("/paths/topics/<int:topic_id>/start")
@login_required
def start(topic_id: int):
    topic, _ps, _person = _my_topic(topic_id)
    try:
        attempt = services.start_test(current_user, topic)
    except Refused as exc:
        db.session.commit()
        flash(str(exc), "error")
        return redirect(url_for("paths.topic", topic_id=topic_id))
    db.session.commit()
    return redirect(url_for("exams.take", attempt_id=attempt.id))


def _my_remediation(rem_id: int) -> Remediation:
    rem = db.session.get(Remediation, rem_id)
    if rem is None or rem.user_id != current_user.id:
        abort(404)
    return rem


@bp.get("/paths/remediation/<int:rem_id>")
@login_required
def remediation(rem_id: int):
    rem = _my_remediation(rem_id)
    return render_template("paths/remediation.html", rem=rem, topic=rem.topic)


@bp.route("/paths/remediation/<int:rem_id>/points/<int:point_id>", methods=["GET", "POST"])
@login_required
def practise(rem_id: int, point_id: int):
    rem = _my_remediation(rem_id)
    point = db.session.get(RemediationPoint, point_id)
    if point is None or point.remediation_id != rem.id:
        abort(404)
    action = url_for("paths.practise", rem_id=rem.id, point_id=point.id)
    feedback = None
    if request.method == "POST":
        try:
            feedback = review.answer_practice(rem, point, current_user, request.form.get("question_id"),
                                              request.form.get("revision_id"), request.form.getlist("q0"))
        except Refused:
            abort(404)
        db.session.commit()
        revision = feedback.revision
    else:
        if point.done:
            return redirect(url_for("paths.remediation", rem_id=rem.id))
        question = review.pick_practice(point, current_user.id, random.Random())
        if question is None:
            return render_template("paths/practise.html", rem=rem, point=point, q=None)
        revision = question.current_revision
    return render_template("paths/practise.html", rem=rem, point=point, q=exam_practice.public_question(revision),
                           revision=revision, feedback=feedback, action=action,
                           values=form_values(feedback.response) if feedback else [])


@bp.route("/paths/reviews/<int:review_id>", methods=["GET", "POST"])
@login_required
def topic_review(review_id: int):
    item = db.session.get(TopicReview, review_id)
    if item is None or item.user_id != current_user.id:
        abort(404)
    action = url_for("paths.topic_review", review_id=item.id)
    feedback, finished = None, False
    if request.method == "POST":
        pool = set(review.topic_pool(item.topic))
        hidden = review.guard.hidden_questions(current_user.id, pool)
        try:
            feedback = exam_practice.answer(current_user, request.form.get("question_id"),
                                            request.form.get("revision_id"), request.form.getlist("q0"),
                                            allowed=lambda q: q.id in pool and q.id not in hidden)
        except Refused:
            abort(404)
        finished = review.record_review_answer(item, feedback.revision.question, bool(feedback.right))
        db.session.commit()
        revision = feedback.revision
    else:
        question = review.pick_review_question(item, random.Random())
        if question is None:
            return render_template("paths/review.html", item=item, q=None)
        revision = question.current_revision
    return render_template("paths/review.html", item=item, q=exam_practice.public_question(revision),
                           revision=revision, feedback=feedback, action=action, finished=finished,
                           values=form_values(feedback.response) if feedback else [])
