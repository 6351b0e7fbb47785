"""Every page × every role (and signed out): allowed, forbidden, or sent to sign in.

The table below names, for every GET page of the app, who may open it. A new
page that is not in the table fails ``test_every_page_is_in_the_matrix``,
so nobody adds a page without deciding who may see it. "Allowed" means
200, or a redirect that is not to the sign-in page; anyone else gets 403 or
404 (never 200, never 500); signed out, every non-public page redirects to
/login.
"""
from __future__ import annotations

import pytest

from quiz.certificates.models import Certificate
from quiz.db import utcnow
from quiz.exams.attempt import start as attempt_start
from quiz.extensions import db
from tests.exams.factories import make_bank, make_exam, make_question
from tests.factories import login, make_unit, make_user

ROLES = ("worker", "trainer", "head", "admin")
PUBLIC = "public"
ANY = set(ROLES)
TRAINER = {"trainer", "admin"}
HEADS = {"head", "trainer", "admin"}
ADMIN = {"admin"}
OWNER = {"worker"}  # the worker the object belongs to, nobody else

# endpoint -> (url template, who may open it)
MATRIX = {
    "auth.login": ("/login", PUBLIC),
    "web.healthz": ("/healthz", PUBLIC),
    "web.favicon": ("/favicon.ico", PUBLIC),
    "certificates.verify": ("/verify/{code}", PUBLIC),
    "certificates.verify_form": ("/verify", PUBLIC),
    "exams.service_worker": ("/attempts/sw.js", PUBLIC),
    "auth.change_password": ("/password", ANY),
    "org.home": ("/", ANY),
    "banks.article_view": ("/articles/{article}", ANY),
    "banks.article_image": ("/articles/images/{article_image}", ANY),
    "exams.my_tasks": ("/tasks", ANY),
    "exams.mistakes": ("/mistakes", ANY),
    "exams.practice_home": ("/practice", ANY),
    "exams.practice_bank": ("/practice/bank/{bank}", ANY),
    "exams.practice_mistakes": ("/practice/mistakes", ANY),
    "exams.exam_intro": ("/exams/{exam}", ANY),
    "exams.article": ("/exams/{exam}/article", ANY),
    "certificates.mine": ("/certificates/", ANY),
    "exams.take": ("/attempts/{attempt}", OWNER),
    "exams.api_state": ("/api/attempts/{attempt}/state", OWNER),
    "exams.confirm_submit": ("/attempts/{attempt}/submit", OWNER),
    "exams.result": ("/attempts/{attempt}/result", OWNER),
    "certificates.open_pdf": ("/certificates/{certificate}.pdf", OWNER | ADMIN | HEADS),
    "certificates.image_page": ("/certificates/{certificate}/image", OWNER | ADMIN | {"head"}),
    "certificates.image_png": ("/certificates/{certificate}.png", OWNER | ADMIN | {"head"}),
    "web.download_guide": ("/download?to=/reports/export.xlsx", PUBLIC),
    "banks.bank_list": ("/banks", TRAINER),
    "banks.bank_view": ("/banks/{bank}", TRAINER),
    "banks.bank_edit": ("/banks/{bank}/edit", TRAINER),
    "banks.bank_export": ("/banks/{bank}/export/text", TRAINER),
    "banks.template": ("/banks/template.xlsx", TRAINER),
    "banks.upload": ("/banks/upload", TRAINER),
    "banks.upload_preview": ("/banks/upload/nonexistent", set()),  # a token not in the session: nobody
    "banks.upload_rejected": ("/banks/upload/nonexistent/rejected.xlsx", set()),
    "banks.article_list": ("/banks/articles", TRAINER),
    "banks.article_edit": ("/banks/articles/{article}/edit", TRAINER),
    "banks.question_edit": ("/questions/{question}/edit", TRAINER),
    "exams_trainer.exams": ("/trainer/exams", TRAINER),
    "exams_trainer.exam_edit": ("/trainer/exams/{exam}/edit", TRAINER),
    "exams_trainer.exam_assign": ("/trainer/exams/{exam}/assign", TRAINER),
    "exams_trainer.exam_items": ("/trainer/exams/{exam}/questions", TRAINER),
    "exams_trainer.live": ("/trainer/exams/{exam}/live", TRAINER),
    "exams_trainer.live_rows": ("/trainer/exams/{exam}/live/rows", TRAINER),
    "exams_trainer.grading": ("/trainer/grading", TRAINER),
    "exams_trainer.grade": ("/trainer/grading/{item}", TRAINER),
    "reports.completion": ("/reports/", HEADS),
    "reports.chase": ("/reports/chase", HEADS),
    "reports.unit": ("/reports/units/{unit_a}", HEADS),
    "reports.person": ("/reports/people/{worker}", HEADS),
    "reports.export_csv": ("/reports/chase.csv", HEADS),
    "reports.export_xlsx": ("/reports/export.xlsx", HEADS),
    "reports.export_pdf": ("/reports/report.pdf", HEADS),
    "reports.exams": ("/reports/exams", TRAINER),
    "reports.items": ("/reports/exams/{exam}/items", TRAINER),
    "reports.missed": ("/reports/exams/{exam}/missed", HEADS),  # heads plan their teams' next class
    "certificates.bulk": ("/certificates/bulk", HEADS),
    "certificates.bulk_download": ("/certificates/bulk/download?exam={exam}&unit={unit_a}&format=zip", HEADS),
    "certificates.admin_list": ("/certificates/admin", ADMIN),
    "certificates.template": ("/certificates/admin/template", ADMIN),
    "certificates.template_preview": ("/certificates/admin/template/preview", ADMIN),
    "certificates.template_sample": ("/certificates/admin/template/sample.pdf", ADMIN),
    "org.people": ("/org/people", {"head", "admin"}),
    "org.person": ("/org/people/{worker}", {"head", "admin"}),
    "org.units": ("/org/units", {"head", "admin"}),
    "org.unit_edit": ("/org/units/{unit_a}", ADMIN),
    "org.person_edit": ("/org/people/{worker}/edit", ADMIN),
    "org.audit": ("/org/audit", ADMIN),
    "org.job_types": ("/org/job-types", TRAINER),
    "org_roster.upload": ("/org/roster", ADMIN),
    "org_roster.preview": ("/org/roster/preview", ADMIN),
    "org_roster.passwords": ("/org/roster/passwords.xlsx", ADMIN),  # without a fresh import: back to the upload page
    "auth.locks": ("/admin/sign-in-locks", ADMIN),
    "paths.my_paths": ("/paths", ANY),
    "paths.my_path": ("/paths/{path}", OWNER),  # the path is for the worker's team only
    "paths.topic": ("/paths/topics/{topic}", OWNER),
    "paths.remediation": ("/paths/remediation/{remediation}", OWNER),
    "paths.practise": ("/paths/remediation/{remediation}/points/{point}", OWNER),
    "paths.topic_review": ("/paths/reviews/{review}", OWNER),
    "paths.manage": ("/paths/manage", TRAINER),
    "paths.board_page": ("/paths/manage/{path}/board", TRAINER),
    "paths.board_xlsx": ("/paths/manage/{path}/board.xlsx", TRAINER),
    "paths.teach": ("/paths/manage/{path}/crews/{team_a}/topics/1", TRAINER),
    "paths.lesson_pdf": ("/paths/manage/{path}/crews/{team_a}/topics/1/lesson.pdf", TRAINER),
    "paths.practical": ("/paths/manage/{path}/practical/{worker}", TRAINER),  # or the crew's named master operator
    "paths.crew_practicals": ("/paths/{path}/practicals", set()),  # only a named master operator (none here)
    "paths.new_path": ("/paths/manage/new", TRAINER),
    "paths.new_topic": ("/paths/manage/{path}/topics/new", TRAINER),
    "paths.overview": ("/paths/overview", HEADS),
    "sessions.scan": ("/s/{venue}", ANY),
    "sessions.type_code": ("/checkin", ANY),
    "sessions.my_record": ("/records/me", ANY),
    "sessions.person_record": ("/records/people/{worker}", OWNER | HEADS),
    "sessions.person_record_pdf": ("/records/people/{worker}.pdf", OWNER | HEADS),
    "sessions.unit_records": ("/records/", HEADS),
    "sessions.unit_records_xlsx": ("/records/export.xlsx", HEADS),
    "sessions.unit_records_zip": ("/records/export.zip?unit={unit_a}", HEADS),
    "sessions.head_sessions": ("/records/sessions", HEADS),
    "sessions.chase": ("/records/sessions/{session}/absent", HEADS),
    "sessions.chase_xlsx": ("/records/sessions/{session}/absent.xlsx", HEADS),
    "sessions.required_hours": ("/admin/required-hours", ADMIN),
    "sessions.session_list": ("/trainer/sessions/", TRAINER),
    "sessions.session_edit": ("/trainer/sessions/{session}/edit", TRAINER),
    "sessions.session_repeat": ("/trainer/sessions/{session}/repeat", TRAINER),
    "sessions.session_detail": ("/trainer/sessions/{session}", TRAINER),
    "sessions.screen": ("/trainer/sessions/{session}/screen/{venue}", TRAINER),
    "sessions.screen_json": ("/trainer/sessions/{session}/screen/{venue}/state", TRAINER),
    "sessions.attendance_xlsx": ("/trainer/sessions/{session}/attendance.xlsx", HEADS),
    "sessions.attendance_pdf": ("/trainer/sessions/{session}/attendance.pdf", HEADS),
    "drafts.upload": ("/banks/drafts/upload", TRAINER),
    "drafts.review": ("/banks/articles/{article}/drafts", TRAINER),
}
NOT_PAGES = {"static"}  # served files


@pytest.fixture
def world(app):
    company = make_unit("中铝山西新材料有限公司", kind="company")
    unit_a = make_unit("氧化铝厂", company)
    team_a = make_unit("矿制工区一班", unit_a, kind="team")
    unit_b = make_unit("电解厂", company)
    team_b = make_unit("电解一班", unit_b, kind="team")
    people = {
        "worker": make_user("100001", name="王工人", unit=team_a),
        "trainer": make_user("100002", name="郭培训", unit=company, roles={"trainer": [None]}),
        "head": make_user("100003", name="王负责", unit=unit_a, roles={"head": [unit_a.id]}),
        "admin": make_user("100004", name="管理员", unit=company, roles={"admin": [None]}),
    }
    other = make_user("200001", name="李电解", unit=team_b)
    bank = make_bank("行为安全")
    question = make_question(bank, "single")
    from quiz.banks import services as bank_services

    article = bank_services.create_article("行为安全观察与沟通", body="观察不少于三十秒。")
    exam = make_exam([question], title="行为安全考试", article=article)
    from tests.exams.factories import assign

    assign(exam, unit=company)
    db.session.commit()
    attempt = attempt_start.start_attempt(people["worker"], exam)
    db.session.commit()
    certificate = Certificate(user_id=people["worker"].id, exam_id=exam.id, serial="2026-000001",
                              code="ABCDEFGHJK23", score=100.0, max_score=100.0, issued_at=utcnow(),
                              holder_name="王工人", employee_no="100001", unit_name="氧化铝厂 / 矿制工区一班",
                              exam_title=exam.title)
    db.session.add(certificate)
    db.session.commit()
    ids = {
        "article": 0, "bank": bank.id, "question": question.id, "exam": exam.id, "attempt": attempt.id,
        "item": attempt.items[0].id, "certificate": certificate.id, "code": certificate.code,
        "unit_a": unit_a.id, "unit_b": unit_b.id, "worker": people["worker"].id, "other": other.id,
    }
    ids["article"] = article.id
    from quiz.banks.models import ArticleImage

    image = ArticleImage(article=article, mime="image/png", data=b"\x89PNG\r\n\x1a\n")
    db.session.add(image)
    db.session.commit()
    ids["article_image"] = image.id
    ids.update(_path_world(bank, team_a, people["worker"], attempt))
    from tests.sessions.factories import make_session

    session = make_session(people["trainer"], units=[unit_a])
    ids.update(session=session.id, venue=session.venues[0].id)
    return people, ids, other


def _path_world(bank, team, worker, attempt) -> dict:
    """A learning path for the worker's team, a remediation and a review of theirs."""
    from quiz.paths import services as path_services
    from quiz.paths.models import Remediation, RemediationPoint, TopicReview

    path = path_services.create_path(path_services.PathData(title="磨工路径", unit_ids=[team.id],
                                                            practical_title="开停车"), None)
    topic = path_services.add_topic(path, path_services.TopicData("结构", [path_services.DrawData(bank.id, "", 1)]),
                                    None)
    remediation = Remediation(user_id=worker.id, topic_id=topic.id, attempt_id=attempt.id)
    remediation.points.append(RemediationPoint(bank_id=bank.id, point="未分类", excerpts=["原文"], missed_ids=[],
                                               practice_ids=[attempt.items[0].question_id]))
    review = TopicReview(user_id=worker.id, topic_id=topic.id, card={}, due_at=utcnow())
    db.session.add_all([remediation, review])
    db.session.commit()
    return {"path": path.id, "topic": topic.id, "remediation": remediation.id, "point": remediation.points[0].id,
            "review": review.id, "team_a": team.id}


def _allowed(response) -> bool:
    if response.status_code == 200:
        return True
    return response.status_code in (301, 302, 303) and "/login" not in response.headers.get("Location", "")


def test_every_page_is_in_the_matrix(app):
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods} - NOT_PAGES
    missing = sorted(pages - set(MATRIX))
    assert not missing, f"pages without a row in the role matrix (decide who may see them): {missing}"


@pytest.mark.parametrize("role", ["signed out", *ROLES])
def test_role_matrix(app, world, role):
    people, ids, _ = world
    client = app.test_client()
    if role != "signed out":
        assert login(client, people[role]).status_code == 302
    wrong = []
    for endpoint, (template, allowed) in MATRIX.items():
        url = template.format(**ids)
        response = client.get(url)
        response.get_data()
        response.close()
        status = response.status_code
        if status >= 500:
            wrong.append(f"{endpoint} {url}: {status}")
        elif allowed == PUBLIC:
            if not _allowed(response):
                wrong.append(f"{endpoint} {url}: public page gave {status}")
        elif role == "signed out":
            if not (status in (302, 401) and (status == 401 or "/login" in response.headers["Location"])):
                wrong.append(f"{endpoint} {url}: signed out got {status}, not sent to sign in")
        elif role in allowed:
            if not _allowed(response):
                wrong.append(f"{endpoint} {url}: {role} should be allowed, got {status}")
        elif status not in (403, 404):
            wrong.append(f"{endpoint} {url}: {role} should be refused, got {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("template", [
    "/org/people/{other}", "/org/people/{other}/edit", "/reports/people/{other}", "/reports/units/{unit_b}",
    "/certificates/bulk/download?exam={exam}&unit={unit_b}&format=zip",
])
def test_head_cannot_reach_another_units_people_by_url(app, world, template):
    people, ids, _ = world
    client = app.test_client()
    login(client, people["head"])
    response = client.get(template.format(**ids))
    assert response.status_code in (403, 404), f"{template}: {response.status_code}"


def test_head_people_list_holds_only_their_subtree(app, world):
    people, ids, other = world
    client = app.test_client()
    login(client, people["head"])
    page = client.get("/org/people").get_data(as_text=True)
    assert "王工人" in page and "李电解" not in page
    # a unit filter pointing outside the subtree is refused, not widened
    assert client.get(f"/org/people?unit={ids['unit_b']}").status_code == 404
