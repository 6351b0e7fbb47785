"""DESIGN rule 10: until an attempt is finalised nothing sent to the phone
(HTML, JSON, scripts, data attributes) reveals an answer or an explanation.

Two checks over every question type: unique marker strings planted in the
explanation, the source excerpt and every answer that is text (fill-in,
short answer) never appear in any byte sent; and for choice and true/false
questions, changing which option is right changes not one byte sent."""
import re

from sqlalchemy import update

from quiz.banks.models import QuestionRevision
from quiz.exams.models import Attempt
from quiz.extensions import db
from tests.banks.factories import SAMPLES, make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_user

MARK = "Zq9LEAK"


def _questions(bank):
    out = []
    for type_name in SAMPLES:
        answer = SAMPLES[type_name]["answer"]
        if type_name == "fill":
            answer = [[MARK + "FILL1", MARK + "ALT"], [MARK + "FILL2"]]
        if type_name == "short":
            answer = {"reference": MARK + "REF", "keywords": [MARK + "KW"]}
        out.append(make_question(bank, type_name, answer=answer, explanation=MARK + "EXPL" + type_name,
                                 source_excerpt=MARK + "SRC"))
    return out


def _everything_sent(client, attempt_id, exam_id, total):
    sent = []

    def keep(response):
        assert response.status_code < 500
        sent.append(response.get_data())
        response.close()

    keep(client.get(f"/attempts/{attempt_id}"))
    for position in range(total):
        keep(client.get(f"/attempts/{attempt_id}?q={position}"))
    keep(client.get(f"/api/attempts/{attempt_id}/state"))
    keep(client.get(f"/attempts/{attempt_id}/submit"))
    keep(client.get("/tasks"))
    keep(client.get(f"/exams/{exam_id}"))
    keep(client.get("/static/js/exam.js"))
    keep(client.get("/attempts/sw.js"))
    return sent


def _normalised(blobs):
    out = []
    for blob in blobs:
        text = blob.decode("utf-8", "replace")
        text = re.sub(r'data-remaining="\d*"', "", text)
        text = re.sub(r'(name="csrf_token" value|name="csrf-token" content)="[^"]*"', "", text)
        text = re.sub(r'"remaining_seconds":\s*\d+', "", text)
        text = re.sub(r">\d+:\d\d(:\d\d)?<", "><", text)
        out.append(text)
    return out


def test_nothing_sent_before_finalisation_reveals_an_answer(app, client):
    worker = make_user()
    bank = make_bank()
    questions = _questions(bank)
    exam = make_exam(questions, assign_to=worker, time_limit_minutes=30, review="full", shuffle_options=True)
    login(client, worker)
    attempt_id = int(client.post(f"/exams/{exam.id}/start").headers["Location"].rsplit("/", 1)[1])
    total = len(questions)

    # answer every question through the API and the plain forms; keep every reply
    replies = []
    for position in range(total):
        for body in ({"position": position, "values": ["1"], "seq": 10 + position},
                     {"position": position, "response": [0, 1], "seq": 20 + position, "flagged": True}):
            reply = client.post(f"/api/attempts/{attempt_id}/answers", json=body)
            assert reply.status_code == 200, reply.get_data()
            replies.append(reply.get_data())
        replies.append(client.post(f"/api/attempts/{attempt_id}/flag",
                                   json={"position": position, "flagged": False}).get_data())
        replies.append(client.post(f"/attempts/{attempt_id}/q/{position}",
                                   data={f"q{position}": "0", "go": "next"}, follow_redirects=True).get_data())
    replies.append(client.post(f"/api/attempts/{attempt_id}/leave", json={"count": 1}).get_data())

    before = _everything_sent(client, attempt_id, exam.id, total)
    for blob in replies + before:
        assert MARK.encode() not in blob, blob.decode("utf-8", "replace")[:500]

    # which option is right changes nothing that is sent
    for question in questions:
        if question.type in ("single", "multiple", "truefalse"):
            new = {"single": [0], "multiple": [1, 3], "truefalse": False}[question.type]
            db.session.execute(update(QuestionRevision).where(QuestionRevision.id == question.current_revision_id)
                               .values(answer=new))
    db.session.commit()
    after = _everything_sent(client, attempt_id, exam.id, total)
    assert _normalised(before) == _normalised(after)

    # once finalised, the review the exam allows may show them
    client.post(f"/api/attempts/{attempt_id}/submit")
    assert db.session.get(Attempt, attempt_id).status == "submitted"
    result = client.get(f"/attempts/{attempt_id}/result").get_data()
    assert (MARK + "EXPLsingle").encode() in result


def test_review_levels_hold_back_what_the_exam_says(app, client):
    worker = make_user()
    bank = make_bank()
    for review in ("score", "wrong", "after_close"):
        exam = make_exam(_questions(bank)[:1], assign_to=worker, review=review)
        login(client, worker)
        attempt_id = int(client.post(f"/exams/{exam.id}/start").headers["Location"].rsplit("/", 1)[1])
        client.post(f"/api/attempts/{attempt_id}/submit")
        page = client.get(f"/attempts/{attempt_id}/result").get_data()
        assert MARK.encode() not in page, review
