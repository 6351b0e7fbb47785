"""Issuing on the graded signal, once per worker per exam; revoke and reissue; the CLI."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quiz.certificates import services
from quiz.certificates.models import Certificate
from quiz.errors import Refused
from quiz.extensions import db
from quiz.org.models import AuditLog
from tests.certificates.factories import make_assignment, make_attempt, make_exam
from tests.factories import make_unit, make_user


def _certs(user=None) -> list[Certificate]:
    query = select(Certificate).order_by(Certificate.id)
    if user is not None:
        query = query.where(Certificate.user_id == user.id)
    return list(db.session.scalars(query))


@pytest.fixture
def setup(app):
    unit = make_unit("氧化铝厂")
    worker = make_user("0100234", "王建国", unit=unit)
    exam = make_exam()
    assignment = make_assignment(exam, unit)
    return unit, worker, exam, assignment


def test_a_passing_assigned_attempt_gets_a_certificate(setup):
    unit, worker, exam, assignment = setup
    make_attempt(worker, exam, assignment, score=92)
    [cert] = _certs(worker)
    assert re.fullmatch(r"20\d\d-\d{6}", cert.serial)
    assert len(cert.code) >= 10 and set(cert.code) <= set(services.CODE_ALPHABET)
    assert (cert.holder_name, cert.employee_no, cert.unit_name, cert.exam_title, cert.score) == \
        ("王建国", "0100234", "氧化铝厂", exam.title, 92)
    assert cert.number == 1 and not cert.revoked and cert.issued_by_id is None


def test_serials_count_up_and_codes_differ(setup):
    unit, worker, exam, assignment = setup
    others = [make_user(name=f"员工{i}", unit=unit) for i in range(3)]
    for person in [worker, *others]:
        make_attempt(person, exam, assignment)
    certs = _certs()
    numbers = [int(c.serial.split("-")[1]) for c in certs]
    assert numbers == list(range(numbers[0], numbers[0] + 4))
    assert len({c.code for c in certs}) == 4


def test_one_certificate_per_worker_per_exam_even_after_a_better_score(setup):
    unit, worker, exam, assignment = setup
    make_attempt(worker, exam, assignment, score=70, number=1)
    make_attempt(worker, exam, assignment, score=100, number=2)
    [cert] = _certs(worker)
    assert cert.score == 70
    assert services.issue_missing() == []


def test_the_database_refuses_a_second_first_issue(setup):
    unit, worker, exam, assignment = setup
    make_attempt(worker, exam, assignment)
    [cert] = _certs(worker)
    db.session.add(Certificate(serial="2099-000001", code="X" * 12, user_id=worker.id, exam_id=exam.id, number=1,
                               holder_name="x", employee_no="x", exam_title="x"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("kwargs", [
    {"passed": False, "score": 40},                       # failed
    {"status": "in_progress", "passed": None, "score": None},  # unfinished
    {"passed": None, "score": None},                      # waiting for a trainer to grade short answers
    {"counted": False},                                   # practice
    {"mode": "practice"},
])
def test_no_certificate_for_failed_unfinished_or_practice_attempts(setup, kwargs):
    unit, worker, exam, assignment = setup
    attempt = make_attempt(worker, exam, assignment, graded=False, **kwargs)
    assert services.issue_for_attempt(attempt) is None
    from quiz.exams.signals import attempt_graded

    attempt_graded.send(attempt)
    assert _certs(worker) == []
    assert services.issue_missing() == []


def test_no_certificate_without_an_assignment(setup):
    unit, worker, exam, assignment = setup
    make_attempt(worker, exam, None)
    assert _certs(worker) == []


def test_issue_missing_catches_up_on_old_attempts(setup):
    unit, worker, exam, assignment = setup
    make_attempt(worker, exam, assignment, graded=False)
    assert _certs(worker) == []
    [cert] = services.issue_missing()
    assert cert.user_id == worker.id
    assert services.issue_missing() == []


def test_revoke_needs_a_reason_and_is_audited(setup):
    unit, worker, exam, assignment = setup
    admin = make_user(name="管理员", roles={"admin": [None]})
    make_attempt(worker, exam, assignment)
    [cert] = _certs(worker)
    with pytest.raises(Refused):
        services.revoke(cert, "  ", admin)
    services.revoke(cert, "考试作弊", admin)
    assert cert.revoked and cert.revoke_reason == "考试作弊" and cert.revoked_by_id == admin.id
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "certificate.revoke"))
    assert log.actor_id == admin.id and "考试作弊" in log.summary
    with pytest.raises(Refused):
        services.revoke(cert, "again", admin)
    # a revoked certificate is not issued again by a later pass
    make_attempt(worker, exam, assignment, number=2)
    assert len(_certs(worker)) == 1


def test_reissue_replaces_the_old_one(setup):
    unit, worker, exam, assignment = setup
    admin = make_user(name="管理员", roles={"admin": [None]})
    make_attempt(worker, exam, assignment)
    [old] = _certs(worker)
    worker.name = "王建囯"  # name corrected in the roster
    new = services.reissue(old, "姓名更正", admin)
    assert new.number == 2 and new.reissued_from_id == old.id and new.serial != old.serial and new.code != old.code
    assert new.holder_name == "王建囯" and not new.revoked
    assert old.revoked and new.serial in old.revoke_reason
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "certificate.reissue")) == 1
    with pytest.raises(Refused):
        services.reissue(old, "again", admin)  # only the latest one


@pytest.mark.parametrize("name, masked", [
    ("张晓明", "张*明"), ("李四", "李*"), ("欧阳娜娜", "欧阳**"), ("欧阳修", "欧阳*"), ("王", "*"),
    ("司马相如", "司马**"), ("阿不都·热合曼", "阿**·***"), ("爱新觉罗溥仪", "爱*****"),
])
def test_mask_name(name, masked):
    assert services.mask_name(name) == masked
    assert len(services.mask_name(name)) == len(name)


def test_codes_normalise_as_typed():
    assert services.normalise_code(" abcd-efgh jkmn ") == "ABCDEFGHJKMN"


def test_cli_issue_missing_and_render(setup, runner, tmp_path):
    unit, worker, exam, assignment = setup
    make_attempt(worker, exam, assignment, graded=False)
    db.session.commit()
    result = runner.invoke(args=["certificates", "issue-missing"])
    assert result.exit_code == 0, result.output
    assert "已补发 1 张证书" in result.output
    [cert] = _certs(worker)
    out = tmp_path / "c.pdf"
    result = runner.invoke(args=["certificates", "render", cert.serial, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    result = runner.invoke(args=["certificates", "render", "1999-000001", "-o", str(out)])
    assert result.exit_code != 0 and "没有编号" in result.output
    result = runner.invoke(args=["certificates", "revoke", cert.serial, "--reason", "测试"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).revoked
