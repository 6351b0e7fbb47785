"""Two app servers behind one proxy: whatever one server kept for the next request,
the other must find. Two ``create_app`` apps share the database and the secret key
(as the README's production section says to set them up) but each has its own
``instance/`` folder; the upload previewed on one is confirmed on the other.
"""
from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select, update

from quiz import create_app, uploads
from quiz.banks.models import Bank, Question
from quiz.db import utcnow
from quiz.extensions import db
from quiz.org.models import User
from quiz.uploads import PendingUpload
from tests.banks.factories import GOOD
from tests.org.factories import login, make_user


SHARED = ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "SERVER_NAME", "WTF_CSRF_ENABLED",
          "LOGIN_EQUAL_WORK_METHOD", "RATELIMIT_STORAGE_URI")


@pytest.fixture
def second(app, tmp_path):
    """A second server: same database and secret key, its own instance folder."""
    other = create_app({key: app.config[key] for key in SHARED} | {"INSTANCE_DIR": str(tmp_path / "instance-b")})
    other.instance_path = str(tmp_path / "instance-b")
    other.test_client_class = app.test_client_class
    assert other.instance_path != app.instance_path
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def move_browser(client, other_client) -> None:
    """The same browser, its next request sent to the other server by the proxy."""
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            other_client.set_cookie(name, cookie.value)


def fresh() -> None:
    db.session.rollback()  # see what the other server committed


def test_a_bank_previewed_on_one_server_is_confirmed_on_the_other(app, client, second):
    login(client, make_user(name="郭培训", roles={"trainer": [None]}))
    r = client.post("/banks/upload", data={"file": (io.BytesIO(GOOD.encode()), "题库.txt"), "bank_id": "0",
                                           "new_title": "两台服务器", "format": "auto"},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    preview_url = r.headers["Location"]
    token = preview_url.rsplit("/", 1)[-1]
    assert "识别出 3 道题" in client.get(preview_url).get_data(as_text=True)

    other = second.test_client()
    move_browser(client, other)
    assert "识别出 3 道题" in other.get(preview_url).get_data(as_text=True)
    done = other.post(f"/banks/upload/{token}/confirm", data={})
    assert done.status_code == 200 and "导入 3 道题" in done.get_data(as_text=True)
    fresh()
    assert db.session.scalar(select(Bank.title)) == "两台服务器"
    assert db.session.scalar(select(func.count()).select_from(Question)) == 3
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0


def test_a_roster_previewed_on_one_server_is_confirmed_on_the_other(app, client, second):
    login(client, make_user("900001", name="管理员", roles={"admin": [None]}))
    book = openpyxl.Workbook()
    book.active.append(["工号", "姓名", "单位路径"])
    book.active.append(["000101", "张三", "中铝山西新材料有限公司/氧化铝厂"])
    out = io.BytesIO()
    book.save(out)
    r = client.post("/org/roster", data={"file": (io.BytesIO(out.getvalue()), "花名册.xlsx"), "create_units": "y"},
                    content_type="multipart/form-data")
    assert r.status_code == 302 and r.headers["Location"].endswith("/org/roster/preview")

    other = second.test_client()
    move_browser(client, other)
    assert 'id="count-created">1<' in other.get("/org/roster/preview").get_data(as_text=True)
    done = other.post("/org/roster/confirm")
    assert done.status_code == 200 and "下载新人员的初始密码表" in done.get_data(as_text=True)
    fresh()
    assert db.session.scalar(select(User.name).where(User.employee_no == "000101")) == "张三"
    # and the passwords sheet, kept by the second server, is handed out once by the first
    move_browser(other, client)
    sheet = client.get("/org/roster/passwords.xlsx")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    assert client.get("/org/roster/passwords.xlsx").status_code == 302


def test_a_waiting_upload_is_its_owners_only_and_expires(app):
    owner, other = make_user("900001"), make_user("900002")
    token = uploads.keep("bank", owner.id, b"data", max_age_seconds=60)
    assert uploads.find("bank", token, owner.id, max_age_seconds=60).data == b"data"
    assert uploads.find("bank", token, other.id, max_age_seconds=60) is None
    assert uploads.find("roster", token, owner.id, max_age_seconds=60) is None
    assert uploads.find("bank", "../" + token, owner.id, max_age_seconds=60) is None
    db.session.execute(update(PendingUpload).values(created_at=utcnow() - timedelta(seconds=61)))
    assert uploads.find("bank", token, owner.id, max_age_seconds=60) is None  # expired
    uploads.keep("bank", other.id, b"new", max_age_seconds=60)  # keeping a new one sweeps the old
    assert db.session.scalars(select(PendingUpload.data)).all() == [b"new"]


def test_sign_in_goes_on_while_the_shared_rate_counters_are_down(app, tmp_path):
    """The servers count sign-in attempts in Redis; with Redis down (here: nothing listens on
    the port) a phone still signs in, counted in the process until Redis is back."""
    person = make_user("900001")
    db.session.commit()
    down = create_app({key: app.config[key] for key in SHARED}
                      | {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0", "INSTANCE_DIR": str(tmp_path / "c")})
    try:
        r = login(down.test_client(), person)
        assert r.status_code == 302 and "/login" not in r.headers["Location"]
    finally:
        with down.app_context():
            db.session.remove()
            db.engine.dispose()
        create_app({key: app.config[key] for key in SHARED})  # the limiter's storage back to this run's
