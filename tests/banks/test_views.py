"""Trainer pages: bank list, questions, edit with phone preview, archive,
articles, and the upload -> preview -> confirm flow."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from quiz.banks import services
from quiz.banks.models import Article, Bank, Question, QuestionRevision
from quiz.extensions import db
from tests.banks.factories import BAD, GOOD, imported_bank
from tests.org.factories import login, make_user
from tests.sql import count

pytestmark = pytest.mark.usefixtures("request_context")


def test_workers_get_403_and_anonymous_are_sent_to_sign_in(app, client):
    bank = imported_bank()
    worker = make_user(name="员工")
    assert client.get("/banks").status_code == 302
    login(client, worker)
    for url in ("/banks", f"/banks/{bank.id}", "/banks/upload", "/banks/template.xlsx", "/banks/articles",
                f"/questions/{bank.questions[0].id}/edit", f"/banks/{bank.id}/export/xlsx"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/questions/{bank.questions[0].id}/archive").status_code == 403


def test_bank_list_shows_counts(tclient):
    imported_bank(n=3)
    page = tclient.get("/banks").get_data(as_text=True)
    assert "安全题库" in page and "<td>3</td>" in page


def test_admin_may_see_the_pages(app, client):
    admin = make_user(roles={"admin": [None]})
    login(client, admin)
    assert client.get("/banks").status_code == 200


def test_new_and_edit_bank_with_articles_and_job_types(tclient):
    article = services.create_article("学习材料一", body="正文")
    db.session.commit()
    r = tclient.post("/banks/new", data={"title": "新题库", "description": "说明", "article_ids": [article.id],
                                         "job_types": "磨工、巡检工"})
    assert r.status_code == 302
    bank = db.session.scalar(select(Bank).where(Bank.title == "新题库"))
    assert [a.title for a in bank.articles] == ["学习材料一"]
    assert sorted(j.name for j in bank.job_types) == ["巡检工", "磨工"]
    page = tclient.get(f"/banks/{bank.id}").get_data(as_text=True)
    assert "学习材料一" in page and "磨工" in page  # the article beside the bank
    # duplicate title refused, typed values kept
    r = tclient.post("/banks/new", data={"title": "新题库", "description": "我写的说明"})
    assert r.status_code == 200 and "已有同名题库" in r.get_data(as_text=True)
    assert "我写的说明" in r.get_data(as_text=True)


def test_bank_questions_search_filters_and_paging(tclient):
    bank = imported_bank(n=35)
    page = tclient.get(f"/banks/{bank.id}").get_data(as_text=True)
    assert "共 35 题" in page and "1 / 2" in page
    page = tclient.get(f"/banks/{bank.id}?page=2").get_data(as_text=True)
    assert "第34题" in page
    page = tclient.get(f"/banks/{bank.id}?q=第12题").get_data(as_text=True)
    assert "共 1 题" in page
    page = tclient.get(f"/banks/{bank.id}?category=分类一").get_data(as_text=True)
    assert "共 17 题" in page
    page = tclient.get(f"/banks/{bank.id}?difficulty=1").get_data(as_text=True)
    assert "共 7 题" in page
    page = tclient.get(f"/banks/{bank.id}?job=磨工").get_data(as_text=True)
    assert "共 1 题" in page and "第0题" in page
    page = tclient.get(f"/banks/{bank.id}?type=truefalse").get_data(as_text=True)
    assert "共 0 题" in page
    page = tclient.get(f"/banks/{bank.id}?q=100%25").get_data(as_text=True)
    assert "共 0 题" in page


def test_edit_question_preview_keeps_typed_values_and_saves_a_revision(tclient):
    bank = imported_bank(n=1)
    q = bank.questions[0]
    page = tclient.get(f"/questions/{q.id}/edit").get_data(as_text=True)
    assert 'class="phone-frame"' in page and "第0题 题干" in page
    form = {"type": "single", "stem": "新的题干？", "options": "甲\n乙\n丙", "answer": "C", "explanation": "因为",
            "category": "分类", "tags": "a、b", "difficulty": "3", "points": "2", "job_types": "磨工"}
    r = tclient.post(f"/questions/{q.id}/edit", data=dict(form, preview="1"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "新的题干？" in page
    assert 'type="radio"' in page and "丙" in page  # rendered as the phone shows it
    assert q.revision == 1  # preview does not save
    # an invalid answer: error shown, everything typed kept
    r = tclient.post(f"/questions/{q.id}/edit", data=dict(form, answer="Z", save="1"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "选项字母" in page and "新的题干？" in page and "因为" in page
    r = tclient.post(f"/questions/{q.id}/edit", data=dict(form, save="1"))
    assert r.status_code == 302
    db.session.expire_all()
    q = db.session.get(Question, q.id)
    assert q.revision == 2 and q.answer == [2] and q.tags == ["a", "b"] and q.points == 2.0
    assert count(QuestionRevision) == 2
    # saving the same again makes no new revision
    tclient.post(f"/questions/{q.id}/edit", data=dict(form, save="1"))
    db.session.expire_all()
    assert db.session.get(Question, q.id).revision == 2


@pytest.mark.parametrize("form,answer", [
    ({"type": "truefalse", "stem": "判断一下。", "answer": "错误"}, False),
    ({"type": "fill", "stem": "填（ ）和____。", "answer": "甲|A；乙"}, [["甲", "A"], ["乙"]]),
    ({"type": "short", "stem": "简述。", "answer": "参考", "keywords": "一、二"}, {"reference": "参考", "keywords": ["一", "二"]}),
    ({"type": "multiple", "stem": "多选？", "options": "甲\n乙\n丙", "answer": "AC"}, [0, 2]),
])
def test_new_question_of_every_type(tclient, form, answer):
    bank = imported_bank(n=0)
    r = tclient.post(f"/banks/{bank.id}/questions/new", data=dict(form, save="1"))
    assert r.status_code == 302, r.get_data(as_text=True)
    q = db.session.scalar(select(Question).where(Question.bank_id == bank.id))
    assert q.answer == answer and q.current_revision.number == 1
    page = tclient.get(f"/questions/{q.id}/edit").get_data(as_text=True)
    assert "phone-frame" in page


def test_archive_or_delete(tclient):
    bank = imported_bank(n=2)
    q1, q2 = bank.questions
    from quiz.exams.models import Attempt, AttemptItem, Exam

    exam = Exam(title="考试")
    db.session.add(exam)
    db.session.flush()
    user = make_user()
    attempt = Attempt(exam_id=exam.id, user_id=user.id)
    db.session.add_all([attempt, AttemptItem(attempt=attempt, question_id=q1.id, revision_id=q1.current_revision_id)])
    db.session.commit()
    assert tclient.post(f"/questions/{q1.id}/archive").status_code == 302
    assert tclient.post(f"/questions/{q2.id}/archive").status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, q1.id).archived is True
    assert db.session.get(Question, q2.id) is None
    page = tclient.get(f"/banks/{bank.id}?archived=1").get_data(as_text=True)
    assert "第0题" in page and "恢复" in page
    tclient.post(f"/questions/{q1.id}/restore")
    db.session.expire_all()
    assert db.session.get(Question, q1.id).archived is False


def test_archive_needs_csrf(csrf_app, trainer):
    bank = imported_bank(n=1)
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"employee_no": trainer.employee_no, "password": "Passw0rd!", "csrf_token": token})
    assert client.post(f"/questions/{bank.questions[0].id}/archive").status_code == 400
    page = client.get(f"/banks/{bank.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post(f"/questions/{bank.questions[0].id}/archive", data={"csrf_token": token}).status_code == 302


def test_articles_list_edit_and_phone_view(tclient, app):
    r = tclient.post("/banks/articles/new", data={"title": "材料", "source": "《劲旅》", "published_on": "2023-02-28",
                                                 "body": "## 标题\n\n第一段<script>alert(1)</script>\n\n第二段"})
    assert r.status_code == 302
    article = db.session.scalar(select(Article))
    assert tclient.get("/banks/articles").status_code == 200
    r = tclient.post(f"/banks/articles/{article.id}/edit", data={"title": "材料二", "body": "正文"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Article, article.id).title == "材料二"
    article.body = "第一段<script>alert(1)</script>\n\n第二段"
    db.session.commit()
    worker_client = app.test_client()
    login(worker_client, make_user(name="员工"))
    page = worker_client.get(f"/articles/{article.id}").get_data(as_text=True)
    assert "<p>第一段&lt;script&gt;" in page and "<p>第二段</p>" in page
    assert app.test_client().get(f"/articles/{article.id}").status_code == 302  # signed in only


def test_exports_and_template(tclient):
    bank = imported_bank(n=2)
    for fmt in ("xlsx", "text", "gift", "moodlexml"):
        r = tclient.get(f"/banks/{bank.id}/export/{fmt}")
        assert r.status_code == 200 and r.data and "attachment" in r.headers["Content-Disposition"], fmt
    assert tclient.get(f"/banks/{bank.id}/export/pdf").status_code == 404
    r = tclient.get("/banks/template.xlsx")
    assert r.status_code == 200 and r.data[:2] == b"PK"


def upload(client, text, **data):
    payload = {"file": (io.BytesIO(text.encode("utf-8") if isinstance(text, str) else text), data.pop("filename", "题库.txt")),
               "bank_id": "0", "new_title": "", "format": "auto"}
    payload.update(data)
    return client.post("/banks/upload", data=payload, content_type="multipart/form-data")


def test_upload_preview_confirm_into_a_new_bank(tclient, app):
    r = upload(tclient, GOOD, new_title="上传的题库")
    assert r.status_code == 302
    preview_url = r.headers["Location"]
    token = preview_url.rsplit("/", 1)[-1]
    from quiz.uploads import PendingUpload

    assert db.session.scalar(select(PendingUpload.filename).where(PendingUpload.token == token)) == "题库.txt"
    page = tclient.get(preview_url).get_data(as_text=True)
    assert "识别出 3 道题" in page and "phone-frame" in page and "确认导入 3 道题" in page
    assert "动火作业票" in page  # answers only inside the trainer's details, never in the phone frame
    phone = page.split('class="phone-frame"')[1].split("</div>")[0]
    assert "不系下颏带" not in phone
    assert count(Question) == 0
    r = tclient.post(f"/banks/upload/{token}/confirm", data={})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "导入 3 道题" in page
    assert db.session.scalar(select(Bank.title)) == "上传的题库" and count(Question) == 3
    db.session.rollback()
    assert db.session.scalar(select(PendingUpload).where(PendingUpload.token == token)) is None  # gone once imported
    # the same file into the same bank: all duplicates, flagged, nothing to import
    bank = db.session.scalar(select(Bank))
    r = upload(tclient, GOOD, bank_id=str(bank.id))
    page = tclient.get(r.headers["Location"]).get_data(as_text=True)
    assert "重复 3 道" in page and "没有新的题目可以导入" in page


def test_upload_with_errors_imports_nothing_unless_valid_only(tclient):
    bank = imported_bank(n=0)
    r = upload(tclient, BAD, bank_id=str(bank.id))
    token = r.headers["Location"].rsplit("/", 1)[-1]
    page = tclient.get(r.headers["Location"]).get_data(as_text=True)
    assert "错误（须修改）" in page and "第 2" in page and "只导入正确的 3 道题" in page
    r = tclient.post(f"/banks/upload/{token}/confirm", data={})
    assert r.status_code == 302 and count(Question) == 0
    # the rejected ones as a spreadsheet, with reasons, from the preview
    r = tclient.get(f"/banks/upload/{token}/rejected.xlsx")
    sheet = load_workbook(io.BytesIO(r.data)).active
    assert sheet.cell(1, sheet.max_column).value == "错误原因"
    assert "这道题没有答案" in (sheet.cell(2, 2).value or "")
    r = tclient.post(f"/banks/upload/{token}/confirm", data={"valid_only": "y"})
    assert r.status_code == 200 and count(Question) == 3
    assert "下载未导入的题目" in r.get_data(as_text=True)
    r = tclient.get(f"/banks/upload/{token}/rejected.xlsx")
    assert r.status_code == 200 and r.data[:2] == b"PK"


def test_unreadable_upload_shows_the_message_on_the_form(tclient):
    r = upload(tclient, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, filename="旧题库.doc")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and ".docx" in page
    r = upload(tclient, bytes(range(256)) * 4, filename="x.bin")
    assert r.status_code == 200 and "无法识别" in r.get_data(as_text=True)


def test_upload_tokens_belong_to_the_session(tclient, app, trainer):
    r = upload(tclient, GOOD)
    token = r.headers["Location"].rsplit("/", 1)[-1]
    other = app.test_client()
    login(other, make_user(roles={"trainer": [None]}))
    assert other.get(f"/banks/upload/{token}").status_code == 404
    assert other.post(f"/banks/upload/{token}/confirm").status_code == 404
    assert tclient.get("/banks/upload/..%2F..%2Fsecret_key").status_code == 404
    r = tclient.post(f"/banks/upload/{token}/cancel")
    assert r.status_code == 302
    assert tclient.get(f"/banks/upload/{token}").status_code == 404


def test_upload_too_large_is_413(tclient, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        r = upload(tclient, "x" * 5000)
        assert r.status_code == 413 and "文件太大" in r.get_data(as_text=True)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
