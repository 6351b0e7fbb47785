"""The grouped counts (quiz.reports.unit_counts) equal counting every assigned person's status.

The reference is the per-person computation: ``status_branches``, one row per
assigned (assignment, person) with their status and tenth, grouped per
(assignment, unit), the way the reports counted before. Random organisations
exercise what the grouping must get right: overlapping and nested target
units, named people inside and outside target units, job-type-only targets,
units narrowed by job type, assignments naming only people, attempts that
name no assignment (key 0) or another assignment of the same exam, several
assignments of one exam, inactive people, people without a unit or a job type,
practice attempts, and viewers limited to a subtree or filtered.
"""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, union_all

from quiz.auth.scopes import Scope, scope_for
from quiz.db import utcnow
from quiz.exams.signals import attempt_changed
from quiz.extensions import db
from quiz.org import services
from quiz.org.models import User
from quiz.reports import progress, unit_counts
from quiz.reports.progress import DECILES, STATUS_CODES
from quiz.reports.filters import Filters
from quiz.reports.report import Report
from quiz.reports.statuses import status_branches
from tests.exams.factories import make_assignment, make_attempt, make_exam
from tests.org.factories import make_unit, make_user


def reference(report: Report) -> tuple[dict, dict]:
    """Per (assignment, unit) [people per status code] and per assignment [people per tenth], person by person."""
    parts = [b.select.with_only_columns(b.assignment_id, User.unit_id, b.code, b.decile, func.count())
             .group_by(b.assignment_id, User.unit_id, b.code, b.decile)
             for b in status_branches(report._assignment_ids(), report.user_conditions())]
    statuses: dict[tuple, list[int]] = {}
    histograms: dict[int, list[int]] = {}
    for aid, unit_id, code, decile, n in db.session.execute(union_all(*parts)):
        statuses.setdefault((aid, unit_id), [0] * len(STATUS_CODES))[code] += n
        if decile is not None:
            histograms.setdefault(aid, [0] * DECILES)[decile] += n
    return statuses, histograms


def computed(report: Report) -> tuple[dict, dict]:
    codes = [STATUS_CODES[name] for name in ("not_started", "in_progress", "passed", "failed")]
    statuses = {}
    for aid, unit_id, c in report.unit_rows:
        by_code = [0] * len(STATUS_CODES)
        for code, value in zip(codes, (c.not_started, c.in_progress, c.passed, c.failed)):
            by_code[code] = value
        assert c.assigned == sum(by_code)
        statuses[(aid, unit_id)] = by_code
    histograms = {aid: bins for aid, bins in report._grouped[1].items() if any(bins)}
    return statuses, histograms


def random_org(rng: random.Random):
    now = utcnow()
    company = make_unit("公司", kind="company")
    units = [company]
    for i in range(3):
        unit = make_unit(f"厂{i}", company)
        units.append(unit)
        for j in range(rng.randint(1, 2)):
            section = make_unit(f"工区{i}{j}", unit, kind="section")
            units.append(section)
            for k in range(rng.randint(0, 2)):
                units.append(make_unit(f"班{i}{j}{k}", section, kind="team"))
    jobs = ["电解工", "磨工", "天车工", None]
    people = []
    for n in range(rng.randint(40, 70)):
        unit = rng.choice(units + [None]) if rng.random() < 0.05 else rng.choice(units)
        people.append(make_user(f"R{n:04d}", f"人{n}", unit, job_type=rng.choice(jobs),
                                active=rng.random() > 0.08, commit=False))
    job_types = {name: services.ensure_job_type(name) for name in jobs if name}
    exams = [make_exam(title=f"考试{i}", pass_mark=60.0, commit=False) for i in range(3)]
    assignments = []
    for i in range(7):
        exam = exams[i % len(exams)]  # several assignments per exam
        kind = rng.choice(["units", "units+jobs", "jobs", "names", "mixed"])
        target_units = rng.sample(units, rng.randint(1, 3)) if kind in ("units", "units+jobs", "mixed") else []
        target_jobs = [job_types[j] for j in rng.sample(sorted(job_types), rng.randint(1, 2))] \
            if kind in ("units+jobs", "jobs", "mixed") else []
        named = rng.sample(people, rng.randint(1, 4)) if kind in ("names", "mixed") or rng.random() < 0.4 else []
        assignments.append(make_assignment(exam, units=target_units, job_types=target_jobs, users=named,
                                           title=f"任务{i}", due_at=now + timedelta(days=rng.randint(-3, 3))))
    for person in people:
        for exam in exams:
            mine = [a for a in assignments if a.exam_id == exam.id]
            for number in range(rng.choice([0, 0, 1, 1, 2, 3])):
                named = rng.choice(mine + [None, None])
                status = rng.choice(["submitted", "submitted", "submitted", "in_progress", "pending"])
                if status == "in_progress":
                    if any(a.status == "in_progress" for a in person_attempts(person, exam)):
                        continue
                    make_attempt(person, exam, named, status="in_progress", number=number + 1)
                elif status == "pending":  # submitted, waiting for a trainer to grade it
                    attempt = make_attempt(person, exam, named, score=None, number=number + 1)
                    if rng.random() < 0.5:  # graded in part: a score, no verdict yet
                        attempt.score = float(rng.randint(0, 100))
                        attempt_changed.send(attempt)
                else:
                    make_attempt(person, exam, named, score=float(rng.randint(0, 100)), number=number + 1,
                                 counted=rng.random() > 0.1)
    db.session.commit()
    return units, people, job_types, assignments


def person_attempts(person, exam):
    from quiz.exams.models import Attempt

    return list(db.session.scalars(db.select(Attempt).where(Attempt.user_id == person.id,
                                                           Attempt.exam_id == exam.id).order_by(Attempt.id)))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_grouped_counts_equal_person_by_person(app, seed):
    rng = random.Random(seed)
    units, people, job_types, assignments = random_org(rng)
    viewer = make_user("V0001", "查看者", units[0], roles={"admin": [None]})
    head_unit = units[1]
    head = make_user("V0002", "负责人", units[4], roles={"head": [head_unit.id, units[-1].id]})
    reports = [
        Report(scope_for(viewer)),
        Report(scope_for(head)),  # the head sits outside one of the subtrees they see
        Report(scope_for(viewer), Filters(job_type_id=job_types["电解工"].id)),
        Report(scope_for(viewer), Filters(unit_id=units[2].id)),
        Report(scope_for(head), Filters(assignment_id=assignments[0].id)),
        Report(Scope(viewer.id, False, ())),  # limited to themselves
    ]
    for report in reports:
        expected = reference(report)
        got = computed(report)
        assert got[0] == {k: v for k, v in expected[0].items() if sum(v)}
        assert got[1] == expected[1]
    assert reference(reports[0])[0], "the organisation should have assigned people"


def test_combine_alone():
    """The pure part: groups reached by the targets, loose rows combined, named people added."""
    rules = {
        1: unit_counts.Rule(exam_id=10, unit_paths=["/1/2/"]),  # a unit subtree
        2: unit_counts.Rule(exam_id=10, unit_paths=["/1/"], job_type_ids={7}),  # narrowed by job type
        3: unit_counts.Rule(exam_id=11, job_type_ids={8}),  # job type only
    }
    sizes = [(2, "/1/2/", 7, 3), (2, "/1/2/", 8, 1), (3, "/1/3/", 7, 2), (None, None, 8, 1)]
    f, ip, p = STATUS_CODES["failed"], STATUS_CODES["in_progress"], STATUS_CODES["passed"]
    deciles = lambda **at: [at.get(f"d{i}", 0) for i in range(DECILES)]  # noqa: E731

    def pack(counts):  # what packed_counts' SUMs give
        return [sum(c << (unit_counts.FIELD_BITS * i) for i, c in enumerate(counts[start:start + unit_counts.PER_SUM]))
                for start in range(0, len(counts), unit_counts.PER_SUM)]

    def own(aid, exam, unit, job, n, failed=0, running=0, passed=0, **d):
        by_code = {f: failed, ip: running, p: passed}
        return (0, aid, exam, unit, job, n, *pack([by_code[c] for c in unit_counts.OTHER_CODES]), *pack(deciles(**d)))

    pad = [None] * (DECILES - 1)
    rows = [
        own(1, 10, 2, None, 2, failed=1, passed=1, d3=1, d8=1),
        own(1, 10, 3, None, 1, passed=1, d9=1),  # unit 3 is not in assignment 1's subtree
        own(1, 99, 2, None, 1, passed=1),  # another exam's row under this key: ignored
        own(2, 10, 3, 7, 1, running=1),
        own(2, 10, 2, 8, 1, passed=1),  # job type 8 is not targeted by assignment 2
        # a person of unit 2, job 7, with a loose row (failed, tenth 4) and an own row for 2 … none
        (1, 2, 10, 2, 7, 1, None, None, f, 4, *pad[1:]),
        # … and one of unit 2 whose own row for 1 (passed, 8) wins over a loose in-progress one
        (1, 1, 10, 2, 7, 1, p, 8, ip, None, *pad[1:]),
        (2, 3, 0, 5, None, 1, p, 9, *pad),  # a named person of unit 5
    ]
    statuses, histograms = unit_counts.combine(rules, sizes, rows)
    ns = STATUS_CODES["not_started"]
    vec = lambda **c: tuple(c.get(name, 0) for name in sorted(STATUS_CODES, key=STATUS_CODES.get))  # noqa: E731
    assert ns == 0
    assert statuses[1] == {2: vec(not_started=2, failed=1, passed=1)}
    assert statuses[2] == {2: vec(not_started=2, failed=1), 3: vec(not_started=1, in_progress=1)}
    assert statuses[3] == {2: vec(not_started=1), None: vec(not_started=1), 5: vec(passed=1)}
    assert histograms[1] == deciles(d3=1, d8=1)
    assert histograms[2] == deciles(d4=1)
    assert histograms[3] == deciles(d9=1)


def test_packed_counts_round_trip(app):
    """The packed SUMs read back as the plain counts, up to the largest group they allow, on this database."""
    from sqlalchemy import literal, select, union_all

    big = (1 << unit_counts.FIELD_BITS) - 1
    values = [v % 5 for v in range(40)] + [None]
    rows = union_all(*(select(literal(v).label("v")) for v in values)).subquery()
    sums = db.session.execute(select(*unit_counts.packed_counts(rows.c.v, range(5)))).one()
    assert unit_counts.unpacked(sums, 5) == [8, 8, 8, 8, 8]
    assert unit_counts.unpacked([big + (big << 21) + (big << 42)], 3) == [big, big, big]
