"""What changes a path or someone's progress on it. Services flush, never
commit (DESIGN rule 7); the view or CLI command commits once.

The test of a topic is a normal exam: starting it goes through the exam
engine (server clock, offline queue, nothing revealed before finalisation).
Its result reaches this package through the ``attempt_graded`` signal.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from quiz.banks import types
from quiz.banks.models import Bank, Question, QuestionRevision
from quiz.db import utcnow
from quiz.errors import Refused
from quiz.exams.attempt.start import start_attempt
from quiz.exams.models import Attempt, AttemptItem, DrawRule, Exam
from quiz.extensions import db
from quiz.org.models import JobType, Unit, User
from quiz.org.services import audit
from quiz.paths import gate, remediation, review, state
from quiz.paths.models import (GATES, LessonRecord, MasterOperator, Override, Path, PracticalSignoff, Remediation,
                               RemediationPoint,
                               Topic)


# -- building a path -------------------------------------------------------------------

@dataclass
class DrawData:
    bank_id: int
    category: str
    count: int


@dataclass
class TopicData:
    title: str
    draws: list[DrawData]
    article_id: int | None = None
    section: str = ""
    pass_percent: float = 80.0
    time_limit_minutes: int | None = 15
    attempts_allowed: int | None = None  # None: unlimited retests


@dataclass
class PathData:
    title: str
    unit_ids: list[int]
    job_type_ids: list[int] = field(default_factory=list)
    description: str = ""
    audience: str = "job_type"
    gate: str = "crew"
    crew_level: str = "team"
    remediation_required: bool = True
    retest_wait_minutes: int = 0
    practical_title: str = ""
    practical_description: str = ""
    slug: str | None = None
    stuck_days: int = 14


def check_draws(draws: list[DrawData]) -> list[str]:
    """Why the banks cannot fill these draw rules (empty: they can). Counts
    questions the exam engine can draw (current revision, known type, not archived)."""
    errors = []
    if not draws:
        return [_("请至少设置一条抽题规则。")]
    needed: dict[tuple[int, str], int] = {}
    for d in draws:
        if d.count < 1:
            errors.append(_("抽题数量必须大于 0。"))
            continue
        needed[(d.bank_id, d.category or "")] = needed.get((d.bank_id, d.category or ""), 0) + d.count
    for (bank_id, category), count in needed.items():
        bank = db.session.get(Bank, bank_id)
        if bank is None:
            errors.append(_("题库不存在。"))
            continue
        query = select(func.count(Question.id)).where(
            Question.bank_id == bank_id, Question.archived.is_(False), Question.current_revision_id.is_not(None),
            Question.type.in_(list(types.REGISTRY)))
        if category:
            query = query.where(Question.category == category)
        have = db.session.scalar(query) or 0
        if have < count:
            where = f"{bank.title} / {category}" if category else bank.title
            errors.append(_("“%(where)s”只有 %(have)s 道题，不够抽 %(count)s 道：请减少数量或先补充题目。",
                            where=where, have=have, count=count))
    return errors


def create_path(data: PathData, actor: User | None) -> Path:
    """A new path without topics. Refuses a duplicate title or no unit."""
    title = data.title.strip()
    if not title:
        raise Refused(_("请填写路径名称。"))
    if db.session.scalar(select(Path.id).where(Path.title == title)) is not None:
        raise Refused(_("已有同名的培训路径：%(t)s", t=title))
    if data.gate not in GATES:
        raise Refused(_("闸门方式不正确。"))
    units = [u for u in (db.session.get(Unit, i) for i in data.unit_ids) if u is not None]
    if not units:
        raise Refused(_("请选择路径适用的单位。"))
    path = Path(title=title, description=data.description, audience=data.audience, gate=data.gate,
                crew_level=data.crew_level, remediation_required=data.remediation_required,
                retest_wait_minutes=max(0, data.retest_wait_minutes), practical_title=data.practical_title,
                practical_description=data.practical_description, slug=data.slug, stuck_days=max(1, data.stuck_days),
                created_by_id=actor.id if actor else None)
    path.units = units
    path.job_types = [j for j in (db.session.get(JobType, i) for i in data.job_type_ids) if j is not None]
    db.session.add(path)
    db.session.flush()
    audit("path.create", path, f"新建培训路径 {title}", {"units": data.unit_ids, "job_types": data.job_type_ids},
          actor=actor)
    return path


def add_topic(path: Path, data: TopicData, actor: User | None) -> Topic:
    """Append a topic and its test (an exam built from draw rules). Refused
    with the reason when the banks cannot fill the test."""
    title = data.title.strip()
    if not title:
        raise Refused(_("请填写课题名称。"))
    errors = check_draws(data.draws)
    if errors:
        raise Refused(_("课题“%(t)s”的试卷抽不满：", t=title) + "；".join(errors))
    if not 0 < data.pass_percent <= 100:
        raise Refused(_("及格线应在 1 到 100 之间。"))
    position = len(path.topics) + 1
    total = float(sum(d.count for d in data.draws))
    exam = Exam(title=f"{path.title} · 课题{position} {title}"[:200],
                description=_("培训路径“%(p)s”课题 %(n)s 的测试。", p=path.title, n=position),
                mode="exam", pass_mark=round(total * data.pass_percent / 100, 2),
                time_limit_minutes=data.time_limit_minutes, attempts_allowed=data.attempts_allowed,
                wait_minutes=path.retest_wait_minutes, shuffle_questions=True, shuffle_options=True,
                review="score", article_id=data.article_id, created_by_id=actor.id if actor else None)
    for d in data.draws:
        exam.rules.append(DrawRule(bank_id=d.bank_id, category=d.category or None, count=d.count, points=1.0))
    db.session.add(exam)
    topic = Topic(position=position, title=title, article_id=data.article_id, section=data.section, exam=exam)
    path.topics.append(topic)
    db.session.flush()
    if data.attempts_allowed is None:  # the column's default (1) fills a None given at INSERT: unlimited is set after
        exam.attempts_allowed = None
        db.session.flush()
    audit("path.topic_add", path, f"培训路径 {path.title} 增加课题 {position}：{title}",
          {"draws": [(d.bank_id, d.category, d.count) for d in data.draws]}, actor=actor)
    return topic


def topic_of_exam(exam_id: int) -> Topic | None:
    return db.session.scalar(select(Topic).where(Topic.exam_id == exam_id))


# -- the worker's loop ----------------------------------------------------------------------

def open_remediation(user_id: int, topic: Topic) -> Remediation | None:
    return db.session.scalar(select(Remediation).where(Remediation.user_id == user_id, Remediation.topic_id == topic.id,
                                                       Remediation.done_at.is_(None)).order_by(Remediation.id.desc()))


def may_take(user: User, topic: Topic) -> tuple[bool, str]:
    """Whether ``user`` may start the topic's test now, and if not, why."""
    ps, person = state.for_person(topic.path, user)
    if person is None:
        return False, _("您不在这条培训路径上。")
    if not gate.is_open(person.member(), topic.position, ps.n, ps.crew_open(person)):
        return False, _("这个课题还没有开放。")
    cell = person.cells.get(topic.position)
    if cell is not None and cell.passed:
        return False, _("您已通过这个课题。")
    if topic.path.remediation_required and cell is not None and cell.remediation_id is not None:
        return False, _("请先完成补课练习，再参加重考。")
    return True, ""


def start_test(user: User, topic: Topic, now: datetime | None = None) -> Attempt:
    """Start (or resume) the topic's test through the exam engine; refuses
    what the gate or the retest rules refuse (``Refused``) and whatever
    the engine refuses (``Refused`` too: the wait between attempts, …)."""
    existing = db.session.scalar(select(Attempt).where(Attempt.exam_id == topic.exam_id, Attempt.user_id == user.id,
                                                       Attempt.status == "in_progress"))
    if existing is None:
        ok, why = may_take(user, topic)
        if not ok:
            raise Refused(why)
    return start_attempt(user, topic.exam, now=now)


def build_remediation(attempt: Attempt, topic: Topic) -> Remediation | None:
    """The personal remediation set of a failed test: for each knowledge point
    missed, the source sentences and practice on the point's questions."""
    if db.session.scalar(select(Remediation.id).where(Remediation.attempt_id == attempt.id)) is not None:
        return None
    rows = db.session.execute(
        select(AttemptItem.question_id, AttemptItem.score, AttemptItem.points, Question.bank_id,
               QuestionRevision.category, QuestionRevision.tags, QuestionRevision.source_excerpt)
        .join(Question, Question.id == AttemptItem.question_id)
        .join(QuestionRevision, QuestionRevision.id == AttemptItem.revision_id)
        .where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.position)).all()
    missed = [remediation.Missed(qid, bank_id, remediation.point_of(category, tags), excerpt or "")
              for qid, score, points, bank_id, category, tags, excerpt in rows
              if not (score is not None and score >= points - 1e-9)]
    if not missed:
        return None
    keys = {(m.bank_id, m.point) for m in missed}
    pools: dict[tuple[int, str], list[int]] = {}
    bank_ids = {k[0] for k in keys}
    for qid, bank_id, category, tags in db.session.execute(
            select(Question.id, Question.bank_id, Question.category, Question.tags)
            .where(Question.bank_id.in_(bank_ids), Question.archived.is_(False),
                   Question.current_revision_id.is_not(None), Question.type.in_(list(types.REGISTRY)))
            .order_by(Question.id)):
        key = (bank_id, remediation.point_of(category, tags))
        if key in keys:
            pools.setdefault(key, []).append(qid)
    rem = Remediation(user_id=attempt.user_id, topic_id=topic.id, attempt_id=attempt.id)
    for plan in remediation.build(missed, pools):
        rem.points.append(RemediationPoint(bank_id=plan.bank_id, point=plan.point, excerpts=list(plan.excerpts),
                                           missed_ids=list(plan.missed_ids), practice_ids=list(plan.practice_ids),
                                           right=0, needed=remediation.RIGHTS_NEEDED))
    db.session.add(rem)
    db.session.flush()
    return rem


def after_pass(path: Path, user_id: int, topic: Topic, now: datetime) -> None:
    """A passed test: close the topic's open remediation, schedule its review,
    and move the person's crew on when they were the last to pass."""
    for rem in db.session.scalars(select(Remediation).where(Remediation.user_id == user_id,
                                                            Remediation.topic_id == topic.id,
                                                            Remediation.done_at.is_(None))):
        rem.done_at = now
    review.schedule_first(user_id, topic, now)
    refresh_crew_of(path, user_id, now)


def refresh_crew_of(path: Path, user_id: int, now: datetime) -> None:
    """Recompute and store the gate of ``user_id``'s crew on ``path``."""
    if path.gate != "crew":
        return
    user = db.session.get(User, user_id)
    if user is None or user.unit_id is None:
        return
    units = state._unit_rows([u.path for u in path.units])
    crew_id = state.crew_of(user.unit_id, path.crew_level, units)
    ps = state.crew_members_of(path, crew_id)
    crew = ps.crews.get(crew_id)
    if crew is not None:
        state.remember(path, crew, now)


def on_attempt_graded(attempt: Attempt, **_extra) -> None:
    """The ``attempt_graded`` receiver (connected by ``quiz.paths.register``).
    A topic's test has its final result: remediation when failed; the
    gate, the review and the remediation's end when passed."""
    topic = topic_of_exam(attempt.exam_id)
    if topic is None or not attempt.counted:
        return
    now = attempt.submitted_at or utcnow()
    if attempt.passed:
        after_pass(topic.path, attempt.user_id, topic, now)
    else:
        build_remediation(attempt, topic)


# -- the trainer's actions ----------------------------------------------------------------------

def open_early(path: Path, topic_no: int, reason: str, actor: User, *, unit: Unit | None = None,
               user: User | None = None) -> Override:
    """Open topic ``topic_no`` early for a crew or a person, with a reason. Audited."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("请填写提前开放的原因。"))
    if not 2 <= topic_no <= len(path.topics):
        raise Refused(_("课题编号不正确。"))
    if (unit is None) == (user is None):
        raise Refused(_("请选择一个班组或一个人。"))
    if user is not None and user.id == actor.id:
        raise Refused(_("不能为自己提前开放课题。"))
    override = Override(path_id=path.id, topic_no=topic_no, unit_id=unit.id if unit else None,
                        user_id=user.id if user else None, reason=reason, created_by_id=actor.id)
    db.session.add(override)
    db.session.flush()
    whom = unit.name if unit else f"{user.name}（{user.employee_no}）"
    audit("path.override", path, f"培训路径 {path.title}：为 {whom} 提前开放课题 {topic_no}：{reason}",
          {"topic_no": topic_no, "unit_id": override.unit_id, "user_id": override.user_id, "reason": reason},
          actor=actor)
    if unit is not None and path.gate == "crew":
        ps = state.crew_members_of(path, unit.id)
        crew = ps.crews.get(unit.id)
        if crew is not None:
            state.remember(path, crew, utcnow())
    return override


def record_lesson(path: Path, unit: Unit, topic_no: int, held_on: date, points: list[str], attendee_ids: list[int],
                  actor: User, kind: str = "class", note: str = "") -> LessonRecord:
    """Note that a class or make-up lesson was held for a crew. Audited."""
    if not 1 <= topic_no <= len(path.topics):
        raise Refused(_("课题编号不正确。"))
    if kind not in ("class", "makeup"):
        raise Refused(_("请选择授课或补课。"))
    record = LessonRecord(path_id=path.id, unit_id=unit.id, topic_no=topic_no, held_on=held_on, kind=kind,
                          points=[p for p in points if p], attendee_ids=sorted(set(attendee_ids)), note=note.strip(),
                          created_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    audit("path.lesson", path, f"{unit.name} 课题 {topic_no} {'补课' if kind == 'makeup' else '授课'}（{held_on}，"
          f"{len(record.attendee_ids)} 人参加）", {"points": record.points, "attendees": record.attendee_ids},
          actor=actor)
    return record


def sign_practical(path: Path, person: User, actor: User, performed_on: date, note: str = "") -> PracticalSignoff:
    """Confirm the path's practical for ``person``; never by themselves (rule 11). Audited."""
    if person.id == actor.id:
        raise Refused(_("不能为自己签认实操考核。"))
    if not path.practical_title:
        raise Refused(_("这条路径没有实操考核。"))
    existing = db.session.scalar(select(PracticalSignoff).where(PracticalSignoff.path_id == path.id,
                                                                PracticalSignoff.user_id == person.id))
    if existing is not None:
        raise Refused(_("%(name)s 的实操考核已签认。", name=person.name))
    signoff = PracticalSignoff(path_id=path.id, user_id=person.id, signed_by_id=actor.id, performed_on=performed_on,
                               note=note.strip())
    db.session.add(signoff)
    db.session.flush()
    audit("path.practical", path, f"签认 {person.name}（{person.employee_no}）实操考核：{path.practical_title}",
          {"user_id": person.id, "performed_on": performed_on.isoformat()}, actor=actor)
    return signoff


def name_master(path: Path, person: User, actor: User) -> MasterOperator:
    """Name ``person`` master operator (主操) of their crew on ``path``: they may
    then sign off the practical of that crew's people. Audited."""
    if not path.practical_title:
        raise Refused(_("这条路径没有实操考核。"))
    units = state._unit_rows([u.path for u in path.units])
    crew_id = state.crew_of(person.unit_id, path.crew_level, units)
    if crew_id is None or crew_id not in units:
        raise Refused(_("%(name)s 不在这条路径的单位里。", name=person.name))
    existing = db.session.scalar(select(MasterOperator).where(MasterOperator.path_id == path.id,
                                                              MasterOperator.user_id == person.id))
    if existing is not None:
        return existing
    master = MasterOperator(path_id=path.id, user_id=person.id, unit_id=crew_id, created_by_id=actor.id)
    db.session.add(master)
    db.session.flush()
    audit("path.master", path, f"培训路径 {path.title}：指定 {person.name}（{person.employee_no}）为主操",
          {"user_id": person.id, "unit_id": crew_id}, actor=actor)
    return master


def may_sign(path: Path, signer: User, person: User, trainer_scope=None) -> bool:
    """A trainer whose scope holds ``person``, or a master operator named for
    ``person``'s crew; never ``person`` themselves (rule 11)."""
    if signer.id == person.id:
        return False
    if trainer_scope is not None and trainer_scope.can_see_person(person):
        return True
    units = state._unit_rows([u.path for u in path.units])
    crew_id = state.crew_of(person.unit_id, path.crew_level, units)
    return db.session.scalar(select(MasterOperator.id).where(
        MasterOperator.path_id == path.id, MasterOperator.user_id == signer.id,
        MasterOperator.unit_id == crew_id)) is not None


def paths_for(user: User) -> list[Path]:
    """The live paths ``user`` is on."""
    result = []
    for path in db.session.scalars(select(Path).where(Path.archived.is_(False)).order_by(Path.id)):
        if db.session.scalar(select(User.id).where(User.id == user.id, state.members_condition(path))) is not None:
            result.append(path)
    return result
