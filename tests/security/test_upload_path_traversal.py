"""Path traversal through upload names and preview tokens.

Uploaded files are kept in the database under a random token, never under
the name the browser sent (nothing of them is written to the file system);
tokens in URLs must match the session's own and a strict pattern.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from quiz.extensions import db
from quiz.uploads import PendingUpload
from tests.org.factories import login, make_user

GOOD = "一、单选题\n1. 题干\nA. 甲\nB. 乙\n答案：A\n"
NAMES = ["../../../../tmp/quiz-traversal-{n}.txt", "..\\..\\..\\quiz-traversal-{n}.txt",
         "/tmp/quiz-traversal-{n}.txt", "....//....//quiz-traversal-{n}.txt"]


@pytest.mark.parametrize("n,template", list(enumerate(NAMES)))
def test_bank_upload_names_never_choose_the_path(client, app, tmp_path, n, template):
    login(client, make_user(name="郭培训", roles={"trainer": [None]}))
    name = template.format(n=n)
    before = set(Path("/tmp").glob("quiz-traversal-*"))
    r = client.post("/banks/upload", data={"file": (io.BytesIO(GOOD.encode()), name), "bank_id": "0",
                                           "new_title": f"穿越{n}", "format": "auto"},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    assert set(Path("/tmp").glob("quiz-traversal-*")) == before
    token = r.headers["Location"].rsplit("/", 1)[-1]
    db.session.rollback()
    waiting = db.session.scalar(select(PendingUpload).where(PendingUpload.token == token))
    assert waiting is not None and waiting.data == GOOD.encode()  # kept under the token, in the database


@pytest.mark.parametrize("token", ["..%2F..%2Fsecret_key", "..%2f..%2fquiz.db", "%2e%2e%2fsecret_key",
                                   "....%2F%2Fsecret_key", "a" * 30])
def test_preview_tokens_cannot_walk_out(client, app, token):
    login(client, make_user(name="郭培训", roles={"trainer": [None]}))
    for url in (f"/banks/upload/{token}", f"/banks/upload/{token}/rejected.xlsx"):
        r = client.get(url)
        assert r.status_code == 404 and app.config["SECRET_KEY"].encode() not in r.data, url
    assert client.post(f"/banks/upload/{token}/confirm").status_code == 404


def test_roster_upload_name_never_chooses_the_path(client, app):
    login(client, make_user(name="管理员", roles={"admin": [None]}))
    before = set(Path("/tmp").glob("quiz-traversal-*"))
    r = client.post("/org/roster", data={"file": (io.BytesIO("工号,姓名\n900009,赵九\n".encode()),
                                                  "../../../../tmp/quiz-traversal-roster.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    assert set(Path("/tmp").glob("quiz-traversal-*")) == before
