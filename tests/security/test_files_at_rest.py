"""What waits on the server: private to the app's account, and no password in clear.

Before: ``instance/`` and ``quiz.db`` followed the umask (world-readable), the
bank and roster uploads waiting between preview and confirm too, and the
admin's initial password for a roster import sat in plain text in
``instance/roster-uploads/<token>.json``. Now the uploads wait in the
database (``quiz.uploads``, so that any app server can confirm them), scoped
to the person who uploaded them, and nothing of them is written under
``instance/``.
"""
from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from sqlalchemy import select

from quiz.extensions import db
from quiz.uploads import PendingUpload
from tests.org.factories import login, make_user

ROSTER = "工号,姓名,单位\n900001,赵新人,公司\n".encode("utf-8")
PASSWORD = "Secret-Init-2026"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_instance_folder_and_sqlite_file_are_private(tmp_path, monkeypatch):
    from quiz.config import load_settings

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    old = os.umask(0o022)
    try:
        folder = tmp_path / "instance"
        settings = load_settings(str(folder), {})
        assert mode(folder) == 0o700, oct(mode(folder))
        db_file = Path(settings["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        assert db_file.parent == folder and mode(db_file) == 0o600, oct(mode(db_file))
        assert mode(folder / "secret_key") == 0o600
        # an instance folder left world-readable by an older version is tightened
        folder.chmod(0o755)
        db_file.chmod(0o644)
        load_settings(str(folder), {})
        assert mode(folder) == 0o700 and mode(db_file) == 0o600
    finally:
        os.umask(old)


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_uploads_waiting_for_confirmation_are_the_uploaders_only(client, app):
    instance = Path(app.instance_path)
    before = files_under(instance)
    owner = make_user(name="郭培训", roles={"trainer": [None]})
    login(client, owner)
    text = "一、单选题\n1. 题干\nA. 甲\nB. 乙\n答案：A\n"
    r = client.post("/banks/upload", data={"file": (io.BytesIO(text.encode()), "题库.txt"), "bank_id": "0",
                                           "new_title": "权限", "format": "auto"},
                    content_type="multipart/form-data")
    token = r.headers["Location"].rsplit("/", 1)[-1]
    db.session.rollback()
    waiting = db.session.scalar(select(PendingUpload).where(PendingUpload.token == token))
    assert waiting.owner_id == owner.id and waiting.data == text.encode()
    assert files_under(instance) == before  # nothing of it on the server's disk
    # another trainer who learns the token (and puts it in their own session) still cannot read it
    client.post("/logout")
    login(client, make_user(name="钱培训", roles={"trainer": [None]}))
    with client.session_transaction() as session:
        session["bank_uploads"] = {token: {"filename": "题库.txt", "format": "auto", "bank_id": None,
                                           "new_title": "权限"}}
    r = client.get(f"/banks/upload/{token}")
    assert r.status_code == 302 and "题干" not in r.get_data(as_text=True)


def test_roster_initial_password_never_waits_in_clear(client, app):
    admin = make_user(name="管理员", roles={"admin": [None]})
    login(client, admin)
    r = client.post("/org/roster", data={"file": (io.BytesIO(ROSTER), "花名册.csv"), "initial_password": PASSWORD,
                                         "create_units": "y"},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[-800:]
    db.session.rollback()
    rows = db.session.scalars(select(PendingUpload)).all()
    assert [row.kind for row in rows] == ["roster"]
    for row in rows:
        assert PASSWORD.encode() not in row.data and PASSWORD not in str(row.meta)
        assert row.meta["initial_password_hash"].startswith(("scrypt:", "pbkdf2:"))
    # the import still gives the new person that password
    r = client.post("/org/roster/confirm")
    assert r.status_code == 200
    client.post("/logout")
    r = login(client, "900001", PASSWORD)
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
