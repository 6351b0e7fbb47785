"""A worker who passes sees a link to the certificate on the result page."""
from quiz.exams.assignments import assignees
from quiz.exams.attempt import answers as attempt_answers
from quiz.exams.attempt import finish as attempt_finish
from quiz.exams.attempt import start as attempt_start
from quiz.extensions import db
from tests.banks.factories import RIGHT, WRONG, make_bank, make_question
from tests.exams.factories import make_exam
from tests.org.factories import login, make_unit, make_user


def _take(client, user, answers):
    bank = make_bank()
    question = make_question(bank, "single")
    exam = make_exam([question], points=100.0, assign_to=user, pass_mark=60.0)
    attempt = attempt_start.start_attempt(user, exam, assignment=assignees.assignment_for(user, exam))
    db.session.commit()
    attempt_answers.save_answer(attempt, 0, answers["single"], 1)
    attempt_finish.submit(attempt)
    db.session.commit()
    login(client, user)
    return client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)


def test_passing_result_links_to_the_certificate(client, app):
    user = make_user(name="张小明", unit=make_unit("一班"))
    page = _take(client, user, RIGHT)
    assert 'id="certificate-link"' in page
    link = page.split('id="certificate-link" href="')[1].split('"')[0]
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_failing_result_has_no_certificate_link(client, app):
    user = make_user(name="李四", unit=make_unit("二班"))
    page = _take(client, user, WRONG)
    assert "未通过" in page and 'id="certificate-link"' not in page
