"""Stored XSS: a payload in every text a user can enter, viewed on every page by every role.

Names, units, job types, bank and question texts, options, explanations,
source excerpts, categories, articles, exam titles and descriptions,
assignment titles, grading comments and certificate fields all carry the
payload; every GET page of the role matrix is opened as every role and no
response carries it unescaped (HTML pages escape it; JSON encodes ``<``).
"""
from __future__ import annotations

import pytest

from quiz.banks.models import Question
from quiz.certificates.models import Certificate
from quiz.exams.models import Assignment, AttemptItem, Exam
from quiz.extensions import db
from quiz.org.models import JobType, Unit, User
from tests.org.factories import login
from tests.test_role_matrix import MATRIX, PUBLIC, ROLES

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>"  # 52 characters: fits every name column
RAW = ("<script>alert(", "<img src=x onerror", "onerror=alert(1)>")


@pytest.fixture
def poisoned(world):
    people, ids, other = world
    for unit in db.session.query(Unit).all():
        unit.name = unit.name + PAYLOAD
    for user in db.session.query(User).all():
        user.name = "王" + PAYLOAD
    db.session.add(JobType(name="磨工" + PAYLOAD))
    for q in db.session.query(Question).all():
        for obj in (q, *getattr(q, "revisions", [])):
            obj.stem = obj.stem + PAYLOAD
            obj.explanation = PAYLOAD
            obj.source_excerpt = PAYLOAD
            obj.category = "分类" + PAYLOAD
    for exam in db.session.query(Exam).all():
        exam.title = exam.title + PAYLOAD
        exam.description = PAYLOAD
        if exam.article is not None:
            exam.article.title = "材料" + PAYLOAD
            exam.article.body = "正文\n\n" + PAYLOAD + "\n\n[点我](javascript:alert(1))"
    for assignment in db.session.query(Assignment).all():
        assignment.title = "任务" + PAYLOAD
    for item in db.session.query(AttemptItem).all():
        item.comment = PAYLOAD
    for cert in db.session.query(Certificate).all():
        cert.holder_name = "王" + PAYLOAD
        cert.exam_title = "考试" + PAYLOAD
        cert.unit_name = "单位" + PAYLOAD
    db.session.commit()
    return people, ids


@pytest.mark.parametrize("role", ROLES)
def test_no_page_renders_a_stored_payload(app, poisoned, role):
    people, ids = poisoned
    client = app.test_client()
    assert login(client, people[role]).status_code == 302
    found = []
    for endpoint, (template, allowed) in MATRIX.items():
        if allowed != PUBLIC and role not in allowed and not (role == "worker" and allowed == {"worker"}):
            continue
        response = client.get(template.format(**ids))
        body = response.get_data()
        response.close()
        if response.mimetype not in ("text/html", "application/json", "text/plain"):
            continue  # files (xlsx, pdf, csv as an attachment with nosniff) are not rendered by the browser
        text = body.decode("utf-8", "replace")
        if any(marker in text for marker in RAW) or "javascript:alert" in text and 'href="javascript:' in text:
            found.append(f"{endpoint} {template}")
    assert not found, "payload rendered unescaped on:\n" + "\n".join(found)
