"""Fixtures shared by every test: the app, a fresh database per test, clients.

The database is SQLite in a temporary file by default; with
``TEST_DATABASE_URL`` set (``make test`` does, for its second run) the same
suite runs on PostgreSQL. The schema is created once per run from the models
(``tests/test_migrations.py`` checks that the migrations give the same
schema); every test starts with empty tables.
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from werkzeug.serving import make_server

from quiz import create_app
from quiz.certificates.models import Certificate
from quiz.db import utcnow
from quiz.exams.attempt import start as attempt_start
from quiz.extensions import db, limiter
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import assign, make_exam
from tests.org.factories import make_unit, make_user

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[1]
REALWORLD = REPO.parent / "shared" / "realworld-banks"
ARTIFACTS = REPO / "test-artifacts"


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL")
    return f"database: {'PostgreSQL ' + url.rsplit('@', 1)[-1] if url else 'SQLite (temporary file)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``.

    Tests keep one app context open (to use ``db.session`` directly), and
    Flask reuses an open app context for requests, so ``g`` would carry the
    signed-in user, the locale and the CSRF token from one request to the
    next. In production each request has its own; so does this client.
    """

    def open(self, *args, **kwargs):
        if has_app_context():  # a client used from another thread has none: each request gets its own
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        if database_url.startswith("postgresql://") else database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        "INSTANCE_DIR": str(instance),
        # sign-ins spend the cheap hash the factories use, not scrypt (tests/security/test_login_timing.py
        # checks the production setting)
        "LOGIN_EQUAL_WORK_METHOD": "pbkdf2:sha256:100",
    })
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        # A request the previous browser test's page was still making (an autosave, a poll) may hold a
        # lock a moment longer: TRUNCATE can then deadlock with it; wait and try again.
        for attempt in range(5):
            try:
                db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                db.session.commit()
                return
            except OperationalError:
                db.session.rollback()
                if attempt == 4:
                    raise
                time.sleep(0.5 * (attempt + 1))
    # SQLite: tables that point at each other (a question and its current
    # revision) cannot be emptied in any order with foreign keys on
    db.session.commit()
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("BEGIN")
        for table in reversed(tables):
            cursor.execute(f'DELETE FROM "{table.name}"')
        cursor.execute("COMMIT")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()


def _forget_process_caches() -> None:
    """Caches a server process keeps for a few seconds (the sessions' expected counts) would
    carry one test's figures into the next, whose database reuses the same ids."""
    from quiz.sessions import attendance

    attendance._EXPECTED.clear()


@pytest.fixture
def app(_app):
    """The app with empty tables and fresh rate-limit counters."""
    with _app.app_context():
        _empty_tables()
        limiter.reset()
        if getattr(limiter, "_fallback_storage", None) is not None:
            # after a test with the shared counters down (tests/test_two_servers.py) the limiter counts
            # in its in-memory fallback until it sees the backend again: empty that too
            limiter._fallback_storage.reset()
        _forget_process_caches()
        _app.config["WTF_CSRF_ENABLED"] = False
        yield _app
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(app):
    """The app with CSRF checks on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def realworld() -> Path:
    assert REALWORLD.is_dir(), f"the real-world banks are expected at {REALWORLD}"
    return REALWORLD


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# -- a real browser: Debian's headless Chromium through Playwright -----------------
# Module-scoped: Playwright's sync API runs an event loop in this thread, so it
# must be gone before a test that runs asyncio itself (the exam-day smoke test).
# Never downloads a browser (CHROMIUM overrides the path).

@pytest.fixture(scope="module")
def _playwright():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (run `make test`, which installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage"],
    )
    yield browser
    browser.close()


@pytest.fixture
def live_server(app):
    """The test's app served on 127.0.0.1:<free port>; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


# -- one of everything, for every page x every role ---------------------------------

@pytest.fixture
def world(app):
    """One of everything a page shows, for every page x every role (tests/test_role_matrix.py and
    the security tests that try every page): (people by role, ids for the URL templates, a worker
    of another unit)."""
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
