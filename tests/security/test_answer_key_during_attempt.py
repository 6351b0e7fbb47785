"""Attack: get an exam's answer key while taking it (DESIGN rule 10).

A worker with an attempt in progress walks every GET and POST route of the
app (``app.url_map``), URL parameters filled with real ids (the exam's
questions, its bank, its article, an earlier attempt at an exam sharing its
questions, a practice-mode attempt drawing them, their items …), and posts
the ids of every question the exam can draw to every practice form. Unique
markers are planted in each question's explanation, source excerpt, text
answers and right option: none may come back in any response, except the
question's own text (with its options) on the running attempts' pages.

A route whose URL takes a parameter this test does not know how to fill
fails the test: add a value for it to ``PARAMS`` (and think about rule 10
for that route)."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest

from quiz.banks.models import Article
from quiz.db import utcnow
from quiz.exams.attempt import answers as attempt_answers
from quiz.exams.attempt import finish as attempt_finish
from quiz.exams.attempt import start as attempt_start
from quiz.exams.models import Attempt
from quiz.extensions import db
from tests.banks.factories import SAMPLES, make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_unit, make_user

MARK = "Zq9KEY"
OPTION = "Zq9OPT"  # the right option's text: shown as an option on the attempt page, nowhere else

# routes never walked, each with why; a new route is walked unless it is named here
NOT_WALKED = {
    "auth.logout": "signs the worker out (the walk needs the session)",
    "exams.submit_form": "finalises the attempt (the walk needs it in progress)",
    "exams.api_submit": "finalises the attempt (the walk needs it in progress)",
    "static": "walked separately: the scripts the attempt page loads",
}
# the running attempts' own pages show each question with its options (and so the right option's text)
ATTEMPT_PAGES = {"exams.take", "exams.confirm_submit", "exams.save_form"}


def _content(type_name: str, n: int) -> dict:
    sample = SAMPLES[type_name]
    kw = dict(explanation=f"{MARK}EXPL{type_name}{n}", source_excerpt=f"{MARK}SRC{type_name}{n}")
    if type_name == "single":
        kw.update(options=["甲", "乙", f"{OPTION}single{n}", "丁"], answer=[2])
    elif type_name == "multiple":
        kw.update(options=[f"{OPTION}multi{n}", "乙", f"{OPTION}multj{n}", "丁"], answer=[0, 2])
    elif type_name == "fill":
        kw.update(answer=[[f"{MARK}FILL{n}", f"{MARK}ALT{n}"], [f"{MARK}FILLB{n}"]])
    elif type_name == "short":
        kw.update(answer={"reference": f"{MARK}REF{n}", "keywords": [f"{MARK}KW{n}"]})
    else:
        kw.update(answer=sample["answer"])
    return kw


@pytest.fixture
def world(app):
    unit = make_unit("焙烧工区")
    worker = make_user("W00001", name="李四", unit=unit)
    bank = make_bank("焙烧安全")
    drawn = [make_question(bank, t, **_content(t, n)) for n in range(2) for t in SAMPLES]
    other_bank = make_bank("电力安全")
    fixed = [make_question(other_bank, t, **_content(t, 9)) for t in ("single", "fill")]
    free_bank = make_bank("与考试无关")
    free = [make_question(free_bank, "single", explanation="无关解析") for _ in range(2)]
    article = Article(title="焙烧安全规程", body="第一段。\n\n第二段。")
    db.session.add(article)
    db.session.flush()
    bank.articles.append(article)
    questions = drawn + fixed

    # an earlier exam with the same questions, finalised, review "full", answers right and wrong
    earlier = make_exam(questions, assign_to=worker, review="full", title="上次考试")
    first = attempt_start.start_attempt(worker, earlier)
    for item in first.items:
        attempt_answers.save_answer(first, item.position, None, item.client_seq + 1, values=["0"])
    attempt_finish.submit(first)
    db.session.commit()
    # a practice-mode exam drawing the same questions: instant feedback by nature
    drill = make_exam(questions, assign_to=worker, mode="practice", title="练习卷")
    # the exam being taken: fixed items from one bank, a draw rule over another
    exam = make_exam(fixed, rules=[{"bank_id": bank.id, "count": 3, "points": 1.0}], assign_to=worker,
                     time_limit_minutes=60, review="full", title="正在考试", article=article,
                     attempts_allowed=3)
    # a learning path on the same bank: the worker's remediation and review practise its questions
    paths = _path_objects(unit, worker, bank, drawn, first)
    return dict(worker=worker, unit=unit, bank=bank, other_bank=other_bank, free_bank=free_bank, free=free,
                questions=questions, article=article, earlier=earlier, first=first, drill=drill, exam=exam,
                **paths)


def _path_objects(unit, worker, bank, drawn, attempt) -> dict:
    from quiz.paths import services as path_services
    from quiz.paths.models import Remediation, RemediationPoint, TopicReview

    path = path_services.create_path(path_services.PathData(title="焙烧路径", unit_ids=[unit.id],
                                                            practical_title="开停车"), None)
    topic = path_services.add_topic(path, path_services.TopicData("焙烧安全", [path_services.DrawData(bank.id, "", 2)]),
                                    None)
    remediation = Remediation(user_id=worker.id, topic_id=topic.id, attempt_id=attempt.id)
    remediation.points.append(RemediationPoint(bank_id=bank.id, point="焙烧安全", excerpts=["原文"],
                                               missed_ids=[q.id for q in drawn[:2]],
                                               practice_ids=[q.id for q in drawn]))
    review = TopicReview(user_id=worker.id, topic_id=topic.id, card={}, due_at=utcnow())
    db.session.add_all([remediation, review])
    db.session.commit()
    return {"path": path, "topic": topic, "remediation": remediation, "review": review}


def _attempt_id(response) -> int:
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _markers(world) -> list[str]:
    out = []
    for q in world["questions"]:
        rev = q.current_revision
        out += [rev.explanation, rev.source_excerpt]
        if q.type == "fill":
            out += [v for blank in rev.answer for v in blank]
        if q.type == "short":
            out += [rev.answer["reference"], *rev.answer["keywords"]]
    return out


def _options(world) -> list[str]:
    return [o for q in world["questions"] for o in (q.current_revision.options or []) if o.startswith(OPTION)]


def _text(data: bytes) -> str:
    """What a response says, a spreadsheet's (zip) members included."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def _check(endpoint, url, response, markers, options, leaks=None):
    """Assert ``response`` reveals nothing; with ``leaks`` (a dict), note what it
    revealed there instead, so that one run lists every leaking route."""
    text = _text(response.get_data())
    response.close()
    assert response.status_code < 500, f"{endpoint} {url}: {response.status_code}"
    found = [m for m in markers if m in text]
    if endpoint not in ATTEMPT_PAGES:
        found += [o for o in options if o in text]
    if leaks is None:
        assert not found, f"{endpoint} {url} revealed {found[:3]}:\n{text[:3000]}"
    elif found:
        leaks.setdefault(endpoint, set()).update(found)


def _fill(url_rule, params):
    """Every URL for ``url_rule`` with its parameters taken from ``params``."""
    urls = [url_rule.rule]
    for arg in sorted(url_rule.arguments):
        assert arg in params, (f"route {url_rule.endpoint} ({url_rule.rule}) takes <{arg}>: add real values for it "
                               f"to PARAMS in {__name__} and check it cannot reveal an answer (rule 10)")
        urls = [re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(value), u) for u in urls for value in params[arg]]
    return urls


def _walk(app, client, w, running, drill_attempt, methods=("GET", "POST")):
    exam, questions = w["exam"], w["questions"]
    first = w["first"]
    items = running.items + drill_attempt.items + first.items
    params = {
        "attempt_id": [running.id, first.id, drill_attempt.id],
        "exam_id": [exam.id, w["earlier"].id, w["drill"].id],
        "bank_id": [w["bank"].id, w["other_bank"].id, w["free_bank"].id],
        "question_id": [q.id for q in questions],
        "article_id": [w["article"].id],
        "item_id": [i.id for i in items],
        "position": list(range(len(running.items))),
        "user_id": [w["worker"].id],
        "person_id": [w["worker"].id],
        "unit_id": [w["unit"].id],
        "cert_id": [1],
        "token": ["0" * 32],
        "fmt": ["xlsx", "text", "gift", "moodlexml"],
        "code": ["ABCD1234"],
        "lock_id": [1],
        "image_id": [1],  # article images: pictures a trainer uploaded, no answers
        # learning paths: the worker's remediation and topic review practise questions of the running exam's bank
        "path_id": [w["path"].id],
        "topic_id": [w["topic"].id],
        "topic_no": [1],
        "rem_id": [w["remediation"].id],
        "point_id": [p.id for p in w["remediation"].points],
        "review_id": [w["review"].id],
        # training sessions: times, places and attendance, no questions (a follow-up test is a normal exam)
        "session_id": [1],
        "venue_id": [1],
        "employee_no": [w["worker"].employee_no],  # admin pages (sign-in locks): a worker gets 403, nothing about questions
    }
    markers, options = _markers(w), _options(w)
    practice_posts = [{"question_id": str(q.id), "revision_id": str(q.current_revision_id), "q0": value}
                      for q in questions for value in ("0", "2")]
    walked, leaks = set(), {}
    rules = sorted(app.url_map.iter_rules(), key=lambda r: ("GET" in r.methods, r.rule))  # POSTs first
    for rule in rules:
        if rule.endpoint in NOT_WALKED:
            continue
        walked.add(rule.endpoint)
        for url in _fill(rule, params):
            if "POST" in rule.methods and "POST" in methods:
                practice = rule.endpoint.startswith("exams.practice")
                for body in practice_posts if practice else practice_posts[:2]:
                    for query in ("", f"?bank={w['bank'].id}") if practice else ("",):
                        _check(rule.endpoint, url + query, client.post(url + query, data=body), markers, options,
                               leaks)
                for position in range(len(running.items)) if rule.rule.startswith("/api/") else ():
                    for move in (None, position):
                        json = {"position": position, "values": ["0"], "seq": 100 + position, "move_to": move,
                                "flagged": False, "response": [0]}
                        _check(rule.endpoint, url, client.post(url, json=json), markers, options, leaks)
            if "GET" in rule.methods and "GET" in methods:
                queries = ["", f"?exam={exam.id}&bank={w['bank'].id}&q=0"]
                repeat = 20 if rule.endpoint.startswith("exams.practice") else 1  # practice picks at random
                for query in queries:
                    for _ in range(repeat):
                        _check(rule.endpoint, url + query, client.get(url + query), markers, options, leaks)
            db.session.expire_all()
            assert db.session.get(Attempt, running.id).status == "in_progress", (
                f"{rule.endpoint} {url} ended the attempt: the walk lost its premise")
    for path in ("/static/js/exam.js", "/attempts/sw.js"):
        _check("static", path, client.get(path), markers, options, leaks)
    return walked, leaks


def test_every_route_keeps_the_answer_key_while_an_attempt_runs(app, client, world):
    w = world
    login(client, w["worker"])
    # (the earlier attempt's wrong answers put the questions in the mistakes book: practising it is walked too)
    assert client.post(f"/exams/{w['drill'].id}/start").status_code == 302
    drill_attempt = db.session.scalars(
        db.select(Attempt).where(Attempt.exam_id == w["drill"].id)).one()
    response = client.post(f"/exams/{w['exam'].id}/start")
    assert response.status_code == 302
    running = db.session.get(Attempt, _attempt_id(response))
    assert running.status == "in_progress" and running.mode == "exam"
    walked, leaks = _walk(app, client, w, running, drill_attempt)
    assert not leaks, "routes that revealed answers or 解析 during the attempt: " + "; ".join(
        f"{endpoint} ({len(found)} markers, e.g. {sorted(found)[0]})" for endpoint, found in sorted(leaks.items()))
    assert {"exams.practice_bank", "exams.practice_mistakes", "exams.result", "exams.api_save",
            "banks.article_view", "exams.article", "paths.practise", "paths.topic_review", "paths.remediation"} <= walked


def test_a_trainer_sitting_an_exam_cannot_look_its_answers_up(app, client, world):
    """Trainers sit exams too: during their attempt the banks, item analysis and
    grading pages are closed to them (every GET route walked as a trainer)."""
    from quiz.org.models import RoleGrant

    w = world
    w["worker"].grants.append(RoleGrant(role="trainer", unit_id=None))
    db.session.commit()
    login(client, w["worker"])
    client.post(f"/exams/{w['drill'].id}/start")
    drill_attempt = db.session.scalars(db.select(Attempt).where(Attempt.exam_id == w["drill"].id)).one()
    running = db.session.get(Attempt, _attempt_id(client.post(f"/exams/{w['exam'].id}/start")))
    walked, leaks = _walk(app, client, w, running, drill_attempt, methods=("GET",))
    assert not leaks, "pages that showed a trainer the answers of the exam they are sitting: " + "; ".join(
        f"{endpoint} (e.g. {sorted(found)[0]})" for endpoint, found in sorted(leaks.items()))
    assert {"banks.bank_view", "banks.question_edit", "reports.items"} <= walked
    page = client.get(f"/banks/{w['bank'].id}", follow_redirects=True).get_data(as_text=True)
    assert "交卷前不能查看题库" in page
    # handed in: their trainer pages are theirs again
    client.post(f"/api/attempts/{running.id}/submit")
    page = client.get(f"/banks/{w['bank'].id}").get_data(as_text=True)
    assert w["questions"][0].current_revision.explanation in page


def test_practising_a_drawn_question_reveals_nothing_and_says_why(app, client, world):
    """The attack of the report: post each question id of the exam's bank to practice."""
    w = world
    login(client, w["worker"])
    client.post(f"/exams/{w['exam'].id}/start")
    markers = _markers(w)
    for q in w["questions"]:
        page = client.post(f"/practice/bank/{q.bank_id}", data={
            "question_id": q.id, "revision_id": q.current_revision_id, "q0": "0"}, follow_redirects=True)
        text = page.get_data(as_text=True)
        assert not any(m in text for m in markers), text[:2000]
        assert "考试" in text  # the worker is told why (an exam is in progress), not left with a blank page
    # a question no exam of theirs can draw still practises as before
    free = w["free"][0]
    page = client.post(f"/practice/bank/{w['free_bank'].id}", data={
        "question_id": free.id, "revision_id": free.current_revision_id, "q0": "0"})
    assert "无关解析" in page.get_data(as_text=True)


def test_after_the_attempt_the_review_the_exam_allows_shows_again(app, client, world):
    w = world
    login(client, w["worker"])
    response = client.post(f"/exams/{w['exam'].id}/start")
    running_id = _attempt_id(response)
    assert w["first"].items[0].revision.explanation not in client.get(
        f"/attempts/{w['first'].id}/result").get_data(as_text=True)
    client.post(f"/api/attempts/{running_id}/submit")
    page = client.get(f"/attempts/{w['first'].id}/result").get_data(as_text=True)
    assert w["first"].items[0].revision.explanation in page


def test_an_overdue_attempt_stops_locking_once_finalised(app, client, world):
    w = world
    login(client, w["worker"])
    running_id = _attempt_id(client.post(f"/exams/{w['exam'].id}/start"))
    running = db.session.get(Attempt, running_id)
    running.deadline_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = client.get(f"/attempts/{w['first'].id}/result").get_data(as_text=True)
    assert w["first"].items[0].revision.explanation in page


def test_a_new_route_with_a_parameter_the_walk_cannot_fill_fails_it():
    """Whoever adds ``/things/<int:thing_id>`` must tell the walk what to put there."""
    from werkzeug.routing import Map, Rule

    new, known = Rule("/things/<int:thing_id>", endpoint="things.view"), Rule("/a/<int:attempt_id>", endpoint="a")
    Map([new, known])  # binding parses the parameters
    with pytest.raises(AssertionError, match="thing_id"):
        _fill(new, {"attempt_id": [1]})
    assert _fill(known, {"attempt_id": [1, 2]}) == ["/a/1", "/a/2"]
