"""The type registry is the only place that knows a type (DESIGN rule 2).

A question type defined here and nowhere else, "ordering" (put the options in
order), is registered for one test and runs through the whole platform:
parsing an Excel sheet, import, drawing a paper, the phone page, grading,
export and item analysis, without any change outside this file. It is taken
out of the registry again afterwards.
"""
from __future__ import annotations

import io
from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader
from openpyxl import Workbook
from sqlalchemy import select

from quiz.auth.scopes import scope_for
from quiz.banks import formats, importing
from quiz.banks import types as qtypes
from quiz.banks.models import Question
from quiz.banks.types.base import QuestionData, QuestionType
from quiz.exams.models import Attempt
from quiz.extensions import db
from quiz.reports.item_analysis import item_analysis
from tests.exams.factories import make_bank, make_exam
from tests.org.factories import login, make_user


def _letter(index: int) -> str:
    return chr(ord("A") + index)


class Ordering(QuestionType):
    """Put the options in the right order; ``answer`` is the original indices in that order."""

    name = "ordering"
    label = "排序题"
    has_options = True
    template = "types/ordering.html"
    title = "排序题"
    sheet_words = ("排序",)

    def validate(self, q: QuestionData) -> list[str]:
        problems = []
        if not q.stem.strip():
            problems.append("题干为空")
        if len(q.options) < 2:
            problems.append("至少两个选项")
        if sorted(q.answer or []) != list(range(len(q.options))):
            problems.append("答案须把每个选项排一次，如 CAB")
        return problems

    def grade(self, answer: Any, response: Any, *, partial: bool = False) -> float | None:
        return 1.0 if list(response or []) == list(answer) else 0.0

    def response_from_form(self, values: list[str]) -> Any:
        picked = [int(v) for v in values if str(v).strip().isdigit()]
        return picked if picked and len(set(picked)) == len(picked) else None

    def is_answered(self, response: Any) -> bool:
        return bool(response)

    def answer_from_text(self, q: QuestionData, text: str, keywords: list[str]):
        order = [ord(ch) - ord("A") for ch in text.upper() if ch.isalpha()]
        return (order, None) if order else (None, "请按顺序写出选项字母，如 CAB")

    def text_answer(self, q: QuestionData) -> str:
        return "".join(_letter(i) for i in q.answer or [])


PHONE = """<fieldset class="question question-ordering"><legend class="stem">{{ q.stem }}</legend>
{% for _value, _text in q.options %}{% set place = loop.index0 %}
<select name="{{ field }}" aria-label="第 {{ loop.index }} 位"{% if disabled %} disabled{% endif %}>
{% for value, text in q.options %}<option value="{{ value }}"{% if response and response[place] == value %} selected{% endif %}>{{ text }}</option>{% endfor %}
</select>{% endfor %}</fieldset>"""

STEPS = ["清洗零件", "拆卸端盖", "装回端盖"]  # the right order: B, A, C


@pytest.fixture
def ordering(app):
    qtypes.REGISTRY["ordering"] = Ordering()
    loader = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([DictLoader({"types/ordering.html": PHONE}), loader])
    app.jinja_env.cache.clear()
    yield qtypes.REGISTRY["ordering"]
    app.jinja_env.loader = loader
    app.jinja_env.cache.clear()
    del qtypes.REGISTRY["ordering"]


def _sheet() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["题型", "题目", "选项A", "选项B", "选项C", "正确答案", "分值"])
    sheet.append(["排序题", "检修电机端盖的步骤，按先后排序。", *STEPS, "BAC", 2])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_type_defined_only_here_runs_through_the_platform(ordering, app, client):
    # parsing one format (the Excel template) and import
    result = formats.parse(_sheet(), "排序.xlsx")
    assert result.ok, result.errors
    [parsed] = result.questions
    assert (parsed.type, parsed.options, parsed.answer, parsed.points) == ("ordering", STEPS, [1, 0, 2], 2.0)
    bank = make_bank()
    outcome = importing.import_questions(bank, result)
    db.session.commit()
    assert len(outcome.questions) == 1
    question = db.session.scalar(select(Question).where(Question.bank_id == bank.id))
    assert question.type == "ordering" and question.answer == [1, 0, 2]

    # drawing: an exam that draws one question of the type from the bank
    worker = make_user(name="王五")
    exam = make_exam(rules=[dict(bank_id=bank.id, type="ordering", count=1, points=2.0)], assign_to=worker,
                     pass_mark=1.0)
    login(client, worker)
    attempt_id = int(client.post(f"/exams/{exam.id}/start").headers["Location"].rsplit("/", 1)[1])
    attempt = db.session.get(Attempt, attempt_id)
    assert [i.question_id for i in attempt.items] == [question.id]

    # the phone page: the type's own template, and never the answer
    page = client.get(f"/attempts/{attempt_id}").text
    assert "question-ordering" in page and "第 3 位" in page and all(step in page for step in STEPS)
    assert "BAC" not in page

    # grading: the right order earns the points
    reply = client.post(f"/api/attempts/{attempt_id}/answers", json={"position": 0, "values": ["1", "0", "2"],
                                                                      "seq": 1})
    assert reply.get_json()["ok"]
    assert client.post(f"/api/attempts/{attempt_id}/submit").get_json()["status"] == "submitted"
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.items[0].response == [1, 0, 2] and attempt.items[0].score == 2.0 and attempt.passed

    # export: the sheet reads back the same question; the text template has its section
    data = [QuestionData(type=q.type, stem=q.stem, options=q.options, answer=q.answer, points=q.points)
            for q in [question]]
    again = formats.parse(formats.export(data, "sheet"), "bank.xlsx")
    assert again.ok and again.questions[0].answer == [1, 0, 2] and again.questions[0].type == "ordering"
    text = formats.export(data, "text").decode("utf-8-sig")
    assert "一、排序题" in text and "答案：BAC" in text

    # item analysis: the question has its statistics, and the trainer's page shows it
    trainer = make_user(name="培训员", roles={"trainer": [None]})
    stats, questions = item_analysis(scope_for(trainer), exam.id)
    assert [(s.question_id, s.facility) for s in stats] == [(question.id, 1.0)]
    desk = app.test_client()
    login(desk, trainer)
    page = desk.get(f"/reports/exams/{exam.id}/items")
    assert page.status_code == 200 and "检修电机端盖的步骤" in page.text


def test_the_type_leaves_the_registry_after_the_test():
    assert "ordering" not in qtypes.REGISTRY
