"""The admin's roster pages: upload → preview → confirm → passwords sheet, once."""
from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from quiz.extensions import db
from quiz.org.models import AuditLog, User
from quiz.uploads import PendingUpload
from tests.org.factories import ORE, login, make_user, roster_xlsx

ROWS = [["000101", "张三", ORE, "磨工", "", ""], ["000102", "李四", ORE, "巡检工", "", "部门负责人"]]


@pytest.fixture
def web(app, client):
    """(app, client) with empty tables and the roster pages."""
    return app, client


def waiting(kind: str) -> int:
    """Uploads of ``kind`` waiting in the database (``quiz.uploads``)."""
    db.session.rollback()  # see what the requests committed
    return db.session.scalar(select(func.count()).select_from(PendingUpload).where(PendingUpload.kind == kind))


def upload(client, data: bytes, filename="花名册.xlsx", **fields):
    fields.setdefault("create_units", "y")  # these rosters bring their organisation with them
    form = {"file": (io.BytesIO(data), filename), **{k: v for k, v in fields.items() if v is not None}}
    return client.post("/org/roster", data=form, content_type="multipart/form-data")


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_upload_preview_confirm_and_passwords_sheet_once(web):
    app, client = web
    admin = make_user("900001", name="管理员", roles={"admin": [None]})
    login(client, admin)
    assert "导入花名册" in client.get("/org/roster").get_data(as_text=True)
    response = upload(client, roster_xlsx(ROWS, title="花名册"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/org/roster/preview")
    page = client.get("/org/roster/preview").get_data(as_text=True)
    assert 'id="count-created">2<' in page and "确认导入" in page
    assert people() == 1  # the preview writes nothing
    assert waiting("roster") == 1  # the upload waits in the database for the confirmation

    result = client.post("/org/roster/confirm")
    text = result.get_data(as_text=True)
    assert result.status_code == 200 and 'id="count-created">2<' in text and "下载新人员的初始密码表" in text
    assert people() == 3
    assert waiting("roster") == 0 and waiting("roster_passwords") == 1  # the upload is gone once imported
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "roster.import"))
    assert entry.actor_id == admin.id and entry.details["created"] == 2

    sheet_response = client.get("/org/roster/passwords.xlsx")
    assert sheet_response.status_code == 200
    assert sheet_response.headers["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(sheet_response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("工号", "姓名", "单位", "初始密码")
    assert [r[:3] for r in rows[1:]] == [("000101", "张三", "氧化铝厂 / 矿制工区 / 一班"),
                                         ("000102", "李四", "氧化铝厂 / 矿制工区 / 一班")]
    zhang = db.session.scalar(select(User).where(User.employee_no == "000101"))
    client.post("/logout")
    assert login(client, "000101", password=rows[1][3]).status_code == 302  # the sheet's password works
    assert zhang.must_change_password
    client.post("/logout")
    login(client, admin)
    again = client.get("/org/roster/passwords.xlsx")
    assert again.status_code == 302  # once only
    assert waiting("roster_passwords") == 0


def test_errors_are_listed_and_only_valid_rows_import_when_chosen(web):
    _app, client = web
    login(client, make_user("900001", roles={"admin": [None]}))
    upload(client, roster_xlsx(ROWS + [["000103", "", ORE, "", "", ""], ["000104", "赵六", ORE, "", "", "老板"]],
                               title="花名册"))
    page = client.get("/org/roster/preview").get_data(as_text=True)
    assert "第 5 行" in page and "姓名为空" in page and "第 6 行" in page and "老板" in page
    assert "确认导入" not in page and "只导入没有问题的 2 行" in page
    refused = client.post("/org/roster/confirm")  # without choosing valid rows only
    assert refused.status_code == 302 and people() == 1
    done = client.post("/org/roster/confirm", data={"valid_only": "1"})
    assert done.status_code == 200 and people() == 3


def test_unreadable_file_is_explained_on_the_form(web):
    _app, client = web
    login(client, make_user("900001", roles={"admin": [None]}))
    response = upload(client, b"%PDF-1.4 binary \x00\x01", filename="roster.pdf")
    assert response.status_code == 200 and "不是电子表格" in response.get_data(as_text=True)
    assert client.get("/org/roster/preview").status_code == 302


def test_admin_chosen_password_and_options(web):
    _app, client = web
    login(client, make_user("900001", roles={"admin": [None]}))
    make_user("000999", name="离职者")
    upload(client, roster_xlsx(ROWS, title="花名册"), initial_password="Start2024x", deactivate_missing="y")
    page = client.get("/org/roster/preview").get_data(as_text=True)
    assert 'id="count-deactivated">1<' in page
    text = client.post("/org/roster/confirm").get_data(as_text=True)
    assert "统一密码" in text and "下载新人员的初始密码表" not in text
    assert not db.session.scalar(select(User).where(User.employee_no == "000999")).active
    assert login(client.application.test_client(), "000101", password="Start2024x").status_code == 302


def test_only_admins(web):
    _app, client = web
    assert client.get("/org/roster").status_code == 302  # to sign-in
    login(client, make_user("000001", roles={"head": [None], "trainer": [None]}))
    assert client.get("/org/roster").status_code == 403
    assert client.post("/org/roster/confirm").status_code == 403
    assert client.get("/org/roster/passwords.xlsx").status_code == 403


def test_csrf_is_checked(web, csrf_app):
    app, client = web
    admin = make_user("900001", roles={"admin": [None]})
    app.config["WTF_CSRF_ENABLED"] = False  # sign in without fetching a token first
    login(client, admin)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert upload(client, roster_xlsx(ROWS, title="花名册")).status_code == 400 and people() == 1
        assert client.post("/org/roster/confirm").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_weak_initial_password_is_refused_on_the_form(web):
    _app, client = web
    login(client, make_user("900001", roles={"admin": [None]}))
    response = upload(client, roster_xlsx(ROWS, title="花名册"), initial_password="12345678")
    assert response.status_code == 200 and "字母和数字" in response.get_data(as_text=True)
    assert client.get("/org/roster/preview").status_code == 302
