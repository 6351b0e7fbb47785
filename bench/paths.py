"""Benchmark of the learning paths on a large section.

Builds, in a temporary SQLite database, one section of 200 crews (teams) of
15 people, 3,000 people on 3 paths (one per job type, 4 topics each, every
topic's test an exam drawing 5 questions from a 100-question bank), the
crews spread over the topics, with their attempts and answered items (bulk
Core inserts behind the exam engine's back), the crews' stored gates and
the remediation sets of the last failures. Then times through the HTTP
layer, as the section's trainer:

- the board of one path (1,000 people, ~67 crews) and its Excel export,
- the board of each path (the whole section),
- one crew's "what to teach" page and its one-page lesson sheet PDF,

each the median of ``--repeat`` runs (and the fastest), with the number of
SQL statements it issued. Prints ONE JSON line on
stdout; progress goes to stderr.

    .venv/bin/python bench/paths.py [--people 3000] [--crews 200]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert, select, text  # noqa: E402

JOBS = ("磨工", "巡检工", "化灰机工")
POINTS = ("结构", "原理", "开车", "停车", "巡检", "异常", "安全", "应急")


from _figures import figure  # noqa: E402

def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(people: int, crews: int, seed: int = 12) -> dict:
    from quiz.auth.passwords import hash_generated
    from quiz.banks.models import Bank, Question, QuestionRevision
    from quiz.db import utcnow
    from quiz.exams.models import Attempt, AttemptItem
    from quiz.extensions import db
    from quiz.org.models import RoleGrant, User
    from quiz.org.services import ensure_job_type, ensure_unit_path
    from quiz.paths import services
    from quiz.paths.models import CrewState, Remediation

    rng = random.Random(seed)
    now = utcnow()
    t0 = time.perf_counter()
    cache: dict = {}
    teams = [ensure_unit_path(["中铝山西新材料有限公司", "氧化铝厂", "矿制工区", f"班组{i + 1:03d}"], cache=cache)
             for i in range(crews)]
    section = cache[("中铝山西新材料有限公司", "氧化铝厂", "矿制工区")]
    jobs = [ensure_job_type(j) for j in JOBS]
    db.session.flush()
    trainer = User(employee_no="BENCHTRAINER", name="基准培训员", password_hash=hash_generated("bench-pass-1"),
                   must_change_password=False, unit=section)
    trainer.grants.append(RoleGrant(role="trainer", unit_id=section.id))
    db.session.add(trainer)
    banks = []
    for job in JOBS:
        bank = Bank(title=f"{job}基准题库")
        db.session.add(bank)
        db.session.flush()
        for point in POINTS:
            for i in range(12):
                content = dict(type="single", stem=f"{job}{point}第{i + 1}题", options=["甲", "乙", "丙", "丁"],
                               answer=[2], category=point, source_excerpt=f"{point}的原文句子{i % 3}。")
                q = Question(bank=bank, revision=1, **content)
                db.session.add(q)
                db.session.flush()
                rev = QuestionRevision(question_id=q.id, number=1, **content)
                db.session.add(rev)
                db.session.flush()
                q.current_revision_id = rev.id
        banks.append(bank)
    db.session.flush()
    paths = []
    for job, job_type, bank in zip(JOBS, jobs, banks):
        path = services.create_path(services.PathData(title=f"{job}路径", unit_ids=[section.id],
                                                      job_type_ids=[job_type.id], practical_title="开停车"), None)
        for t in range(4):
            services.add_topic(path, services.TopicData(
                f"课题{t + 1}", [services.DrawData(bank.id, POINTS[2 * t], 3),
                                 services.DrawData(bank.id, POINTS[2 * t + 1], 2)], pass_percent=80), None)
        paths.append(path)
    db.session.commit()
    revisions = {bank.id: {} for bank in banks}
    for qid, bank_id, category, rev_id in db.session.execute(
            select(Question.id, Question.bank_id, Question.category, Question.current_revision_id)):
        revisions[bank_id].setdefault(category, []).append((qid, rev_id))
    password = hash_generated("bench-pass-1")
    per_crew = max(1, people // crews)
    users = []
    for c, team in enumerate(teams):
        job = jobs[c % 3]
        for i in range(per_crew):
            users.append({"employee_no": f"B{c:03d}{i:03d}", "name": f"员工{c}-{i}", "unit_id": team.id,
                          "job_type_id": job.id, "active": True, "password_hash": password,
                          "must_change_password": False, "failed_logins": 0})
    db.session.execute(insert(User), users)
    db.session.commit()
    ids = {no: uid for no, uid in db.session.execute(select(User.employee_no, User.id))}
    log(f"organisation: {len(users)} people in {crews} crews, 3 paths ({time.perf_counter() - t0:.1f}s)")
    attempts = items = 0
    crew_rows, remediations = [], []
    attempt_id = 0
    for c, team in enumerate(teams):
        path = paths[c % 3]
        bank = banks[c % 3]
        stage = rng.randint(1, 4)  # the crew's open topic
        crew_rows.append({"path_id": path.id, "unit_id": team.id, "open_topic": stage,
                          "opened_at": now - timedelta(days=rng.randint(0, 30))})
        a_batch, i_batch = [], []
        for i in range(per_crew):
            uid = ids[f"B{c:03d}{i:03d}"]
            for topic in path.topics:
                no = topic.position
                if no > stage:
                    break
                tries = rng.choice((1, 1, 2, 3)) if no < stage else rng.choice((0, 1, 1, 2))
                passed_now = no < stage or rng.random() < 0.6
                for n in range(1, tries + 1):
                    attempt_id += 1
                    passed = passed_now and n == tries
                    started = now - timedelta(days=40 - 8 * no, hours=n)
                    a_batch.append({"id": attempt_id, "exam_id": topic.exam_id, "user_id": uid, "number": n,
                                    "mode": "exam", "status": "submitted", "seed": n, "started_at": started,
                                    "submitted_at": started + timedelta(minutes=12), "finalised_by": "worker",
                                    "score": 5.0 if passed else 2.0, "max_score": 5.0, "passed": passed,
                                    "pending_grading": False, "leave_count": 0, "counted": True,
                                    "current_position": 0})
                    position = 0
                    for point, count in ((POINTS[2 * no - 2], 3), (POINTS[2 * no - 1], 2)):
                        for qid, rev in rng.sample(revisions[bank.id][point], count):
                            right = passed or rng.random() < 0.4
                            i_batch.append({"attempt_id": attempt_id, "position": position, "question_id": qid,
                                            "revision_id": rev, "option_order": [0, 1, 2, 3], "points": 1.0,
                                            "response": [2] if right else [1], "client_seq": 1, "flagged": False,
                                            "time_spent_ms": 0, "score": 1.0 if right else 0.0})
                            position += 1
                    if not passed and n == tries:
                        remediations.append({"user_id": uid, "topic_id": topic.id, "attempt_id": attempt_id,
                                             "created_at": started})
        db.session.execute(insert(Attempt), a_batch)
        db.session.execute(insert(AttemptItem), i_batch)
        attempts += len(a_batch)
        items += len(i_batch)
    db.session.execute(insert(CrewState), crew_rows)
    db.session.execute(insert(Remediation), remediations)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    log(f"attempts: {attempts}, items: {items}, remediations: {len(remediations)} ({time.perf_counter() - t0:.1f}s)")
    return {"trainer": "BENCHTRAINER", "password": "bench-pass-1", "paths": [p.id for p in paths],
            "crew": teams[0].id, "people": len(users), "attempts": attempts, "items": items}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--crews", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from quiz import create_app
    from quiz.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}", "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "TESTING": True})
        with app.app_context():
            db.create_all()
            info = build(args.people, args.crews)
            statements = [0]

            @event.listens_for(db.engine, "before_cursor_execute")
            def count(*_args, **_kwargs):
                statements[0] += 1

            client = app.test_client()
            response = client.post("/login", data={"employee_no": info["trainer"], "password": info["password"]})
            assert response.status_code == 302, response.status_code
            db.session.remove()
            first = info["paths"][0]
            urls = {"board": f"/paths/manage/{first}/board", "board_xlsx": f"/paths/manage/{first}/board.xlsx",
                    "lesson": f"/paths/manage/{first}/crews/{info['crew']}/topics/1",
                    "lesson_pdf": f"/paths/manage/{first}/crews/{info['crew']}/topics/1/lesson.pdf"}
            for i, pid in enumerate(info["paths"][1:], start=2):
                urls[f"board_path{i}"] = f"/paths/manage/{pid}/board"
            result = {"people": info["people"], "crews": args.crews, "paths": 3, "attempts": info["attempts"],
                      "attempt_items": info["items"], "database": "sqlite"}
            for name, url in urls.items():
                client.get(url)  # warm the caches once, as a running server would be
                times = []
                for _ in range(args.repeat):  # the median of several: the machine is shared
                    statements[0] = 0
                    t = time.perf_counter()
                    response = client.get(url)
                    body = response.get_data()
                    times.append(time.perf_counter() - t)
                    assert response.status_code == 200, (url, response.status_code)
                elapsed = statistics.median(times)
                result[f"{name}_ms"] = round(elapsed * 1000, 1)
                result[f"{name}_min_ms"] = round(min(times) * 1000, 1)
                result[f"{name}_statements"] = statements[0]
                result[f"{name}_bytes"] = len(body)
                log(f"{name}: median {elapsed * 1000:.0f} ms (min {min(times) * 1000:.0f}), {statements[0]} statements")
            result["section_board_ms"] = round(sum(result[k] for k in ("board_ms", "board_path2_ms", "board_path3_ms")), 1)
            result["aims"] = {"board_ms": 300}
            print(json.dumps(result, ensure_ascii=False))
            figure("learning-path board, one path of 3,000 people", result["board_ms"], "ms", "<=", 300)


if __name__ == "__main__":
    main()
