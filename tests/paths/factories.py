"""A small path for the paths tests: one bank with knowledge points, a section
with teams, workers of one job type, built through the services."""
from __future__ import annotations

from quiz.exams.attempt import answers as attempt_answers

from quiz.exams.attempt import finish as attempt_finish
from quiz.extensions import db
from quiz.org.services import ensure_job_type
from quiz.paths import services
from tests.banks.factories import make_bank, make_question
from tests.org.factories import make_unit, make_user

RIGHT = ["2"]  # the factories' single-choice questions: option 2 (丙) is right
WRONG = ["1"]
POINTS = {"球磨机结构": 6, "开停车": 6, "巡检要点": 6}


def make_bank_with_points(points=POINTS, title="磨工题库"):
    bank = make_bank(title)
    questions = {}
    for point, count in points.items():
        questions[point] = [make_question(bank, "single", category=point, source_excerpt=f"{point}的原文句子。")
                            for _ in range(count)]
    db.session.flush()
    return bank, questions


def make_section(teams=("一班", "二班")):
    company = make_unit("公司", kind="company")
    plant = make_unit("氧化铝厂", company)
    section = make_unit("矿制工区", plant, kind="section")
    return section, [make_unit(t, section, kind="team") for t in teams]


def make_path(bank, section, *, gate="crew", remediation_required=True, job="磨工", actor=None, title="磨工路径"):
    job_type = ensure_job_type(job)
    db.session.flush()
    path = services.create_path(services.PathData(title=title, unit_ids=[section.id], job_type_ids=[job_type.id],
                                                  gate=gate, remediation_required=remediation_required,
                                                  practical_title="独立完成一次开停车"), actor)
    services.add_topic(path, services.TopicData("球磨机结构与开停车", [services.DrawData(bank.id, "球磨机结构", 3),
                                                                     services.DrawData(bank.id, "开停车", 2)],
                                                pass_percent=80), actor)
    services.add_topic(path, services.TopicData("巡检要点", [services.DrawData(bank.id, "巡检要点", 3)],
                                                pass_percent=60), actor)
    db.session.commit()
    return path


def workers(team, n, job="磨工", prefix="W"):
    return [make_user(f"{prefix}{team.id}{i:02d}", name=f"{team.name}工人{i}", unit=team, job_type=job)
            for i in range(n)]


def take(user, topic, *, right: bool, wrong_points=()):
    """Start the topic's test through the paths service, answer every item
    (right, or wrong on every item / only on ``wrong_points``), submit."""
    attempt = services.start_test(user, topic)
    db.session.commit()
    attempt_answers.load_items(attempt)
    for item in attempt.items:
        good = right and item.question.category not in wrong_points
        attempt_answers.save_answer(attempt, item.position, values=RIGHT if good else WRONG, seq=item.position + 1)
    attempt_finish.submit(attempt)
    db.session.commit()
    return attempt
