"""What waits on the server's disk: private to the app's account, and no password in clear.

Before: ``instance/`` and ``quiz.db`` followed the umask (world-readable), the
bank and roster uploads waiting between preview and confirm too, and the
admin's initial password for a roster import sat in plain text in
``instance/roster-uploads/<token>.json``.
"""
from __future__ import annotations

import io
import os
import stat
from pathlib import Path

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


def test_uploads_waiting_for_confirmation_are_private(client, app):
    old = os.umask(0o022)
    try:
        login(client, make_user(name="郭培训", roles={"trainer": [None]}))
        text = "一、单选题\n1. 题干\nA. 甲\nB. 乙\n答案：A\n"
        r = client.post("/banks/upload", data={"file": (io.BytesIO(text.encode()), "题库.txt"), "bank_id": "0",
                                               "new_title": "权限", "format": "auto"},
                        content_type="multipart/form-data")
        token = r.headers["Location"].rsplit("/", 1)[-1]
        waiting = Path(app.instance_path) / "uploads" / "banks" / token
        assert mode(waiting) == 0o600 and mode(waiting.parent) == 0o700
    finally:
        os.umask(old)


def test_roster_initial_password_never_waits_in_clear(client, app):
    admin = make_user(name="管理员", roles={"admin": [None]})
    login(client, admin)
    r = client.post("/org/roster", data={"file": (io.BytesIO(ROSTER), "花名册.csv"), "initial_password": PASSWORD,
                                         "create_units": "y"},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[-800:]
    folder = Path(app.config.get("ROSTER_UPLOAD_DIR") or Path(app.config.get("INSTANCE_DIR") or app.instance_path)
                  / "roster-uploads")
    files = list(folder.iterdir())
    assert files and all(mode(f) == 0o600 for f in files) and mode(folder) == 0o700
    for f in files:
        assert PASSWORD.encode() not in f.read_bytes(), f.name
    # the import still gives the new person that password
    r = client.post("/org/roster/confirm")
    assert r.status_code == 200
    client.post("/logout")
    r = login(client, "900001", PASSWORD)
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
