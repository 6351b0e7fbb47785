"""The audit log, escaping, and no secret in the repository (CSRF: tests/security/test_csrf_on_every_post.py)."""
from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select

from quiz.extensions import db
from quiz.org.models import AuditLog, User
from tests.org.factories import login, make_unit, make_user

REPO = Path(__file__).resolve().parents[1]


def test_admin_actions_are_audited(client, app):
    team = make_unit("一班")
    admin = make_user("000001", name="管理员", roles={"admin": [None]})
    worker = make_user("000777", name="赵六", unit=team)
    login(client, admin)
    client.post(f"/org/people/{worker.id}/reset-password", data={"password": ""})
    client.post(f"/org/people/{worker.id}/edit", data={
        "employee_no": "000777", "name": "赵六", "unit_id": team.id, "job_type": "磨工", "phone": "",
        "active": "y", "roles": ["trainer"], "head_unit_ids": []})
    entries = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [e.action for e in entries] == ["person.reset_password", "person.update"]
    assert all(e.actor_id == admin.id and e.target_id == worker.id for e in entries)
    assert entries[1].details["roles"] == [[], ["trainer:"]]
    page = client.get("/org/audit").get_data(as_text=True)
    assert "重置 赵六（000777）的密码" in page
    refreshed = db.session.get(User, worker.id)
    assert refreshed.must_change_password and "trainer" in refreshed.roles


def test_user_content_is_escaped(client, app):
    admin = make_user("000001", roles={"admin": [None]})
    make_user("000888", name="<script>alert(1)</script>")
    login(client, admin)
    page = client.get("/org/people").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_no_secret_key_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.split()
    assert "instance/secret_key" not in tracked
    assert not any(name.startswith("instance/") for name in tracked)


def test_secret_key_generated_once_into_instance(tmp_path, monkeypatch):
    from quiz.config import load_settings

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_settings(str(tmp_path), {})["SECRET_KEY"]
    second = load_settings(str(tmp_path), {})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_language_can_be_switched_to_english(client, app):
    user = make_user()
    login(client, user)
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    assert 'lang="en"' in page
    assert db.session.get(User, user.id).locale == "en"


def test_admin_home_shows_the_organisation(client, app):
    admin = make_user("000001", name="管理员", unit=make_unit("公司"), roles={"admin": [None]})
    make_user("000002", name="停用者", active=False)
    login(client, admin)
    page = client.get("/").get_data(as_text=True)
    assert 'id="admin-panel"' in page and "导入花名册" in page
    assert "已停用" in page
