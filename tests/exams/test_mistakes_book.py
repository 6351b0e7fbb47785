"""Partial credit and the mistakes book (issue 11 point 4, issue 12's fsrs
schedule): 部分得分 in the review, which answers go into the book, each
answer of an attempt counted once even when the attempt is reopened, and
the spaced-review schedule the book shows."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from quiz.exams import mistakes
from quiz import db as quiz_db
from quiz.exams.attempt import answers as attempt_answers
from quiz.exams.attempt import finish as attempt_finish
from quiz.exams.attempt import start as attempt_start
from quiz.exams.trainer import grading_queue as queue
from quiz.exams.trainer import person_actions
from quiz.exams.models import Mistake, MistakeReview
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_user


def _short_answer_exam(worker):
    bank = make_bank()
    questions = [make_question(bank, "single"), make_question(bank, "short", stem="磨机停机检修前要做什么？")]
    exam = make_exam(questions, points=16, assign_to=worker, pass_mark=16, review="full")
    return exam


def _graded(worker, trainer, short_score: float):
    exam = _short_answer_exam(worker)
    attempt = attempt_start.start_attempt(worker, exam)
    attempt_answers.save_answer(attempt, 0, values=["2"], seq=1)
    attempt_answers.save_answer(attempt, 1, values=["停机、挂牌"], seq=2)
    attempt_finish.submit(attempt)
    db.session.commit()
    queue.grade_item(attempt.items[1], short_score, "少了上锁和验电", trainer)
    db.session.commit()
    return attempt


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_a_short_answer_marked_14_of_16_shows_partial_credit_and_stays_out_of_the_book(app, client):
    worker, trainer = make_user(), make_user(roles={"trainer": [None]})
    attempt = _graded(worker, trainer, 14)
    login(client, worker)
    page = _squash(client.get(f"/attempts/{attempt.id}/result").text)
    row = page[page.index("第 2 题"):]
    assert "部分得分 14/16" in row
    assert "✗" not in row[:200] and "错误" not in row[:200]
    assert mistakes.open_mistakes(worker.id) == []
    book = _squash(client.get("/mistakes").text)
    assert "80%" in book and "16 分得 14 分" in book  # the rule, stated on the page


def test_a_short_answer_marked_8_of_16_goes_into_the_book(app, client):
    worker, trainer = make_user(), make_user(roles={"trainer": [None]})
    attempt = _graded(worker, trainer, 8)
    assert [m.question_id for m in mistakes.open_mistakes(worker.id)] == [attempt.items[1].question_id]
    login(client, worker)
    assert "部分得分 8/16" in _squash(client.get(f"/attempts/{attempt.id}/result").text)


def _wrong_then_reopened(worker, trainer, second_value: str):
    bank = make_bank()
    exam = make_exam([make_question(bank, "single"), make_question(bank, "single")], assign_to=worker,
                     time_limit_minutes=20)
    attempt = attempt_start.start_attempt(worker, exam)
    attempt_answers.save_answer(attempt, 0, values=["1"], seq=1)  # wrong
    attempt_answers.save_answer(attempt, 1, values=["2"], seq=2)
    attempt_finish.submit(attempt)
    db.session.commit()
    person_actions.reopen(attempt, 10, trainer)
    db.session.commit()
    attempt_answers.save_answer(attempt, 0, values=[second_value], seq=3)
    attempt_finish.submit(attempt)
    db.session.commit()
    return attempt


def test_a_reopened_attempt_finalised_again_counts_its_wrong_answer_once(app):
    worker, trainer = make_user(), make_user(roles={"trainer": [None]})
    attempt = _wrong_then_reopened(worker, trainer, "1")  # still wrong
    [mistake] = mistakes.open_mistakes(worker.id)
    assert mistake.question_id == attempt.items[0].question_id
    assert mistake.wrong_count == 1
    assert db.session.scalar(select(func.count(MistakeReview.id))) == 1


def test_a_reopened_attempt_whose_answer_was_corrected_takes_the_mistake_out(app):
    worker, trainer = make_user(), make_user(roles={"trainer": [None]})
    _wrong_then_reopened(worker, trainer, "2")  # now right
    assert mistakes.open_mistakes(worker.id) == []
    assert db.session.scalar(select(func.count(Mistake.id))) == 0


def test_the_book_shows_what_is_due_and_practice_draws_the_due_first(app, client):
    worker = make_user()
    bank = make_bank()
    old, new = make_question(bank, "single", stem="三天前错的题"), make_question(bank, "single", stem="今天错的题")
    db.session.commit()
    now = quiz_db.utcnow()
    mistakes.record(worker.id, old, False, now=now - timedelta(days=3))
    mistakes.record(worker.id, new, False, now=now)
    db.session.commit()
    fresh = db.session.scalar(select(Mistake).where(Mistake.question_id == new.id))
    assert fresh.due_at - now == timedelta(days=1)  # fsrs: a mistake comes back the next day
    pool = mistakes.practice_pool(worker.id)
    assert [m.question_id for m in pool] == [old.id]
    login(client, worker)
    page = _squash(client.get("/mistakes").text)
    assert "今天要复习 1 道，共 2 道错题" in page
    assert page.index("三天前错的题") < page.index("今天错的题")  # due first
    assert "下次复习：" in page
    for _ in range(5):
        assert "三天前错的题" in client.get("/practice/mistakes").text


def _answered_paper(n: int, value: str):
    """A worker's attempt at ``n`` single-choice questions, each answered ``value``, committed."""
    worker = make_user()
    bank = make_bank()
    exam = make_exam([make_question(bank, "single") for _ in range(n)], assign_to=worker)
    attempt = attempt_start.start_attempt(worker, exam)
    for position in range(n):
        attempt_answers.save_answer(attempt, position, values=[value], seq=position + 1)
    db.session.commit()
    return worker, attempt


def test_finalising_reads_the_book_in_a_fixed_number_of_statements(app):
    from tests.sql import statements

    counts = []
    for n in (4, 20):
        _worker, attempt = _answered_paper(n, "2")  # all right
        with statements() as seen:
            attempt_finish.submit(attempt)
            db.session.flush()
        counts.append(sum(1 for s in seen if "mistake" in s.lower()))
        db.session.commit()
    assert counts[0] == counts[1] <= 2


def test_a_paper_of_mistakes_is_written_without_waiting_and_read_in_a_fixed_number_of_statements(app, monkeypatch):
    """The submit holds the write lock: nothing in it sleeps (the fsrs library's
    Card() sleeps a millisecond per new card unless given an id: 20 wrong
    answers held everybody's saves up for 20 ms), and the book is read in two
    statements whatever the paper's length."""
    import time

    from tests.sql import statements

    def no_sleep(seconds):
        raise AssertionError(f"slept {seconds} s inside the submit")

    counts = []
    for n in (4, 20):
        worker, attempt = _answered_paper(n, "1")  # all wrong
        with monkeypatch.context() as patched, statements() as seen:
            patched.setattr(time, "sleep", no_sleep)
            attempt_finish.submit(attempt)
            db.session.flush()
        counts.append(sum(1 for s in seen if "mistake" in s.lower() and s.upper().startswith("SELECT")))
        db.session.commit()
        assert len(mistakes.open_mistakes(worker.id)) == n
    assert counts[0] == counts[1] <= 2, counts
