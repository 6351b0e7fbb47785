"""Bank services: all-or-nothing import, duplicates, revisions, archive vs delete."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from quiz.banks import importing, services, shipped
from quiz.banks.models import Article, Bank, Question, QuestionRevision
from quiz.banks.types.base import Issue, ParseResult, QuestionData
from quiz.errors import Refused
from quiz.exams.models import Attempt, AttemptItem, Exam
from quiz.extensions import db
from quiz.org.models import AuditLog
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _request(app):
    # gettext needs a request context until quiz.extensions.select_locale checks for one
    with app.test_request_context():
        yield
    # questions <-> question_revisions is a cycle that conftest's table emptying trips over
    db.session.rollback()
    db.session.execute(update(Question).values(current_revision_id=None))
    db.session.commit()


def single(stem="安全帽应当怎样佩戴？", answer=1, where="第 1 行", **kw) -> QuestionData:
    return QuestionData(type="single", stem=stem, options=["随便戴", "系好下颏带", "挂在腰上"], answer=[answer],
                        where=where, **kw)


def result(*questions, errors=(), warnings=()) -> ParseResult:
    return ParseResult(format="text", questions=list(questions), errors=list(errors), warnings=list(warnings))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def make_bank(title="测试题库") -> Bank:
    return services.create_bank(title)


def test_import_creates_questions_with_first_revision(app):
    bank = make_bank()
    tf = QuestionData(type="truefalse", stem="进入受限空间前必须检测气体。", answer=True, where="第 9 行")
    outcome = importing.import_questions(bank, result(single(), tf))
    assert outcome.imported and outcome.ok
    assert len(outcome.questions) == 2
    q = outcome.questions[0]
    assert q.revision == 1 and q.current_revision is not None
    assert q.current_revision.number == 1 and q.current_revision.stem == q.stem
    assert q.dedupe_key == services.dedupe_key(single())
    assert count(QuestionRevision) == 2
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "bank.import")) == "bank.import"


def test_a_result_with_errors_imports_nothing(app):
    bank = make_bank()
    outcome = importing.import_questions(bank, result(single(), errors=[Issue("第 7 行", "没有答案")]))
    assert not outcome.imported and not outcome.ok
    assert count(Question) == 0 and count(QuestionRevision) == 0
    assert [e.where for e in outcome.errors] == ["第 7 行"]


def test_valid_only_imports_the_valid_ones_and_keeps_the_rejected(app):
    bank = make_bank()
    broken = QuestionData(type="single", stem="没有正确选项的题", options=["甲", "乙"], answer=[5], where="第 20 行")
    outcome = importing.import_questions(bank, result(single(), broken, errors=[Issue("第 7 行", "没有答案")]),
                                        valid_only=True)
    assert outcome.imported and not outcome.ok
    assert count(Question) == 1
    assert {r.where for r in outcome.plan.rejected} == {"第 7 行", "第 20 行"}
    # the registry's check catches what a parser let through
    assert any(r.data is broken for r in outcome.plan.rejected)


def test_duplicates_in_the_file_and_in_the_bank_are_kept_out_as_warnings(app):
    bank = make_bank()
    importing.import_questions(bank, result(single()))
    # same stem with other spacing/width, same right option text in another position
    moved = QuestionData(type="single", stem="安全帽应当怎样佩戴?  ", options=["系好下颏带", "随便戴"], answer=[0],
                         where="第 3 行")
    new = single(stem="高处作业须系什么？", where="第 5 行")
    again = single(stem="高处作业须系什么？", where="第 8 行")
    outcome = importing.import_questions(bank, result(moved, new, again))
    assert outcome.ok and outcome.imported
    assert [q.stem for q in outcome.questions] == ["高处作业须系什么？"]
    assert {d.where for d in outcome.duplicates} == {"第 3 行", "第 8 行"}
    assert {w.where for w in outcome.warnings} >= {"第 3 行", "第 8 行"}
    assert count(Question) == 2
    # a different answer is a different question
    other = single(answer=2, where="第 1 行")
    assert services.dedupe_key(other) != services.dedupe_key(single())


def test_rejected_sheet_lists_errors_and_duplicates_with_reasons(app):
    bank = make_bank()
    importing.import_questions(bank, result(single()))
    plan = importing.plan_import(bank, result(single(where="第 4 行"), errors=[Issue("第 2 行", "第 1 题没有答案")]))
    data = importing.rejected_sheet(plan, ["一、单选题", "1. 没有答案的题", "A. 甲", "B. 乙", ""])
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["题型", "题目"] and header[-2:] == ["位置", "错误原因"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0][-2:] == ["第 2 行", "第 1 题没有答案"]
    assert rows[0][1].startswith("1. 没有答案的题")
    assert rows[1][1] == "安全帽应当怎样佩戴？" and "重复" in rows[1][-1]


def _attempt_showing(question: Question, user_id: int) -> AttemptItem:
    exam = Exam(title="考试")
    db.session.add(exam)
    db.session.flush()
    attempt = Attempt(exam_id=exam.id, user_id=user_id)
    item = AttemptItem(attempt=attempt, position=0, question_id=question.id,
                       revision_id=question.current_revision_id, option_order=[0, 1, 2])
    db.session.add_all([attempt, item])
    db.session.flush()
    return item


def test_edit_makes_a_revision_only_when_content_changes_and_attempts_keep_theirs(app):
    user = make_user(roles={"trainer": [None]})
    bank = make_bank()
    q = importing.import_questions(bank, result(single())).questions[0]
    item = _attempt_showing(q, user.id)
    first_revision = q.current_revision_id

    assert services.edit_question(q, services.question_data(q), actor=user) is False
    assert q.revision == 1 and count(QuestionRevision) == 1

    data = services.question_data(q)
    data.stem = "安全帽的正确戴法是？"
    assert services.edit_question(q, data, actor=user) is True
    db.session.commit()
    assert q.revision == 2 and q.current_revision.number == 2 and q.current_revision_id != first_revision
    assert q.stem == "安全帽的正确戴法是？"
    db.session.expire_all()
    item = db.session.get(AttemptItem, item.id)
    assert item.revision_id == first_revision
    assert item.revision.stem == "安全帽应当怎样佩戴？"
    assert [r.number for r in q.revisions] == [1, 2]


def test_edit_refuses_invalid_data(app):
    bank = make_bank()
    q = importing.import_questions(bank, result(single())).questions[0]
    data = services.question_data(q)
    data.answer = [0, 1]
    try:
        services.edit_question(q, data)
    except Refused as exc:
        assert exc.message
    else:  # pragma: no cover
        raise AssertionError("expected Refused")
    assert q.revision == 1


def test_archive_when_used_delete_otherwise(app):
    user = make_user()
    bank = make_bank()
    used, unused = importing.import_questions(
        bank, result(single(), single(stem="另一道题", where="第 9 行"))).questions
    _attempt_showing(used, user.id)
    assert services.archive_question(used) == "archived"
    assert used.archived
    assert services.archive_question(unused) == "deleted"
    db.session.commit()
    assert count(Question) == 1 and count(QuestionRevision) == 1
    assert services.questions_as_data(bank) == []
    assert len(services.questions_as_data(bank, include_archived=True)) == 1
    services.restore_question(used)
    assert [q.stem for q in services.questions_as_data(bank)] == ["安全帽应当怎样佩戴？"]


def test_question_counts(app):
    bank = make_bank()
    qs = importing.import_questions(bank, result(single(), single(stem="二", where="x"))).questions
    qs[1].archived = True
    db.session.flush()
    assert services.question_counts()[bank.id] == {"total": 1, "archived": 1, "single": 1}


def test_read_bank_header_and_article_file(app, tmp_path):
    header = shipped.read_bank_header("\ufeff# 题库：磨工题库\n# 文章：a.md\n# 工种：磨工、巡检工\n\n一、单选题\n")
    assert header == {"title": "磨工题库", "articles": ["a.md"], "job_types": ["磨工", "巡检工"]}
    path = tmp_path / "a.md"
    path.write_text("标题：学习材料\n出处：《劲旅》总第2153期，第2版\n日期：2023-02-28\n\n## 小标题\n\n第一段\n第一段续\n\n第二段\n",
                    encoding="utf-8")
    meta = services.read_article_file(path)
    assert meta["title"] == "学习材料" and meta["source"].startswith("《劲旅》")
    assert str(meta["published_on"]) == "2023-02-28"
    assert services.paragraphs(meta["body"]) == ["小标题", "第一段\n第一段续", "第二段"]
    article = services.load_article(path)
    assert services.load_article(path) is article
    assert count(Article) == 1


def test_job_types_named_treats_all_as_no_restriction(app):
    assert services.job_types_named(["全员"]) == []
    jobs = services.job_types_named(["磨工", "磨工", "巡检工"])
    assert [j.name for j in jobs] == ["磨工", "巡检工"]
