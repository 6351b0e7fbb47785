"""Attack: learn what lies outside one's scope through small leaks.

- a head reads the title of any exam through ``/certificates/bulk?exam=N``
  (ids are sequential);
- a trainer of one unit learns which 工号 exist anywhere in the company from
  the assign form's message (unknown and out-of-scope numbers must read the
  same, and an out-of-scope person is never assigned)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quiz.exams.models import Assignment
from quiz.extensions import db
from tests.banks.factories import make_bank, make_question
from tests.exams.factories import make_assignment, make_attempt, make_exam
from tests.org.factories import login, make_unit, make_user

SECRET = "氧化铝厂内部考试Zq9TITLE"


@pytest.fixture
def two_units(app):
    company = make_unit("公司", kind="company")
    alumina = make_unit("氧化铝厂", company)
    power = make_unit("热电厂", company)
    db.session.commit()
    return company, alumina, power


def test_a_head_cannot_read_the_title_of_an_exam_outside_their_units(app, client, two_units):
    company, alumina, power = two_units
    head = make_user(name="热电厂负责人", unit=power, roles={"head": [power.id]})
    insider = make_user(name="氧化铝员工", unit=alumina)
    secret = make_exam(title=SECRET, pass_mark=60.0, commit=False)
    make_attempt(insider, secret, make_assignment(secret, units=[alumina], title=secret.title), score=90.0,
                 graded=True)  # a certificate, in 氧化铝厂 only
    db.session.commit()
    login(client, head)
    for url in (f"/certificates/bulk?exam={secret.id}", f"/certificates/bulk?exam={secret.id}&unit={power.id}",
                f"/certificates/bulk/download?exam={secret.id}&unit={power.id}",
                f"/certificates/bulk/download?exam={secret.id}&unit={power.id}&format=pdf"):
        response = client.get(url, follow_redirects=True)
        assert SECRET not in response.get_data(as_text=True), url
        assert response.status_code in (403, 404), url
    # the page itself still works, and lists only exams with certificates in their units
    page = client.get("/certificates/bulk")
    assert page.status_code == 200 and SECRET not in page.get_data(as_text=True)


def test_a_head_still_sees_an_exam_with_certificates_in_their_units(app, client, two_units):
    company, alumina, power = two_units
    head = make_user(name="氧化铝厂负责人", unit=alumina, roles={"head": [alumina.id]})
    worker = make_user(name="氧化铝员工", unit=alumina)
    exam = make_exam(title=SECRET, pass_mark=60.0, commit=False)
    make_attempt(worker, exam, make_assignment(exam, units=[alumina], title=exam.title), score=90.0, graded=True)
    db.session.commit()
    login(client, head)
    page = client.get(f"/certificates/bulk?exam={exam.id}&unit={alumina.id}")
    assert page.status_code == 200 and SECRET in page.get_data(as_text=True)


def _assign(client, exam, numbers: str):
    return client.post(f"/trainer/exams/{exam.id}/assign", data={"employee_nos": numbers, "title": "复训"})


def test_the_assign_form_does_not_tell_which_numbers_exist_elsewhere(app, client, two_units):
    company, alumina, power = two_units
    trainer = make_user(name="热电厂培训员", unit=power, roles={"trainer": [power.id]})
    make_user("P00001", name="热电员工", unit=power)
    make_user("A00001", name="氧化铝员工", unit=alumina)
    bank = make_bank()
    exam = make_exam([make_question(bank, "single")], title="热电厂复训")
    login(client, trainer)

    outside = _assign(client, exam, "A00001")
    unknown = _assign(client, exam, "X00001")
    assert outside.status_code == unknown.status_code == 200  # the form again, with a message
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0  # nobody assigned
    out_text = outside.get_data(as_text=True).replace("A00001", "<NO>")
    unknown_text = unknown.get_data(as_text=True).replace("X00001", "<NO>")
    strip = __import__("re").compile(r'name="csrf_token"[^>]*>')
    assert strip.sub("", out_text) == strip.sub("", unknown_text)  # not one byte tells them apart
    assert "找不到这些工号" in out_text

    # a number in their own unit works as before
    assert _assign(client, exam, "P00001").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1


def test_a_company_wide_trainer_still_finds_anyone(app, client, two_units):
    company, alumina, power = two_units
    trainer = make_user(roles={"trainer": [None]})
    make_user("A00002", name="氧化铝员工", unit=alumina)
    bank = make_bank()
    exam = make_exam([make_question(bank, "single")])
    login(client, trainer)
    assert _assign(client, exam, "A00002").status_code == 302
