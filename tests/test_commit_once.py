"""Views commit once (DESIGN rule 7), made structural: during a request
``begin_write`` refuses once the session holds a change, even one already
flushed, instead of committing half the request."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quiz.db import begin_write
from quiz.extensions import db
from quiz.org.models import Unit
from tests.factories import make_unit


def _units() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


def test_begin_write_after_a_flushed_change_in_a_request_is_refused_and_nothing_is_committed(app):
    with app.test_request_context("/"):
        app.preprocess_request()  # the request's before hooks, as for a view
        make_unit("焙烧工区")  # added and flushed: nothing is pending any more, the row waits for the commit

        with pytest.raises(RuntimeError, match="before any change"):
            begin_write(db.session)
        db.session.rollback()  # the request fails

    assert _units() == 0  # the half-done request left nothing behind


def test_begin_write_is_allowed_again_after_commit_or_rollback(app):
    with app.test_request_context("/"):
        app.preprocess_request()
        make_unit("矿制工区")
        db.session.commit()
        begin_write(db.session)  # a fresh unit of work
        make_unit("化灰班")
        db.session.rollback()
        begin_write(db.session)
    assert _units() == 1


def test_outside_a_request_a_batch_of_services_goes_on(app):
    """The demo loader and CLI commands chain services in one session."""
    make_unit("焙烧工区")
    begin_write(db.session)  # not refused
    make_unit("矿制工区")
    db.session.commit()
    assert _units() == 2


def test_the_request_mark_ends_with_the_request(app, client):
    """A real request marks the session only while it runs."""
    from tests.factories import login, make_user

    login(client, make_user(roles={"admin": [None]}))
    assert client.get("/").status_code == 200
    make_unit("电力工区")  # the test, not a request: allowed as before
    begin_write(db.session)
