"""What to teach a crew (授课/补课): the knowledge points its members missed
in their finalised tests of a topic, worst first, with who missed them, the
source sentences and the questions. Read in a fixed number of statements."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from quiz.banks.models import QuestionRevision
from quiz.exams.models import Attempt, AttemptItem
from quiz.extensions import db
from quiz.paths import remediation, state
from quiz.paths.models import LessonRecord, Path, Topic


@dataclass
class Sheet:
    path: Path
    topic: Topic
    crew: state.Crew | None
    crew_label: str
    points: list[remediation.PointRank]
    names: dict[int, str]  # user id -> name (trainer's view)
    stems: dict[int, str]  # question id -> stem
    people: int
    tested: int  # people with a finalised test of the topic
    lessons: list[LessonRecord]


def sheet(path: Path, crew_id: int, topic_no: int, scope=None) -> Sheet:
    ps = state.load(path, scope, crew_ids=[crew_id])
    topic = next((t for t in ps.topics if t.position == topic_no), None)
    if topic is None:
        raise LookupError(topic_no)
    crew = ps.crews.get(crew_id)
    people = crew.people if crew else []
    ids = [p.id for p in people]
    answers: list[remediation.Answer] = []
    stems: dict[int, str] = {}
    tested: set[int] = set()
    if ids:
        rows = db.session.execute(
            select(Attempt.user_id, AttemptItem.question_id, AttemptItem.score, AttemptItem.points,
                   QuestionRevision.category, QuestionRevision.tags, QuestionRevision.source_excerpt,
                   QuestionRevision.stem)
            .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
            .join(QuestionRevision, QuestionRevision.id == AttemptItem.revision_id)
            .where(Attempt.exam_id == topic.exam_id, Attempt.status == "submitted", Attempt.counted.is_(True),
                   Attempt.user_id.in_(ids)))
        for uid, qid, score, points, category, tags, excerpt, stem in rows:
            tested.add(uid)
            stems.setdefault(qid, stem)
            if score is None:
                continue  # waiting for a trainer's grading
            answers.append(remediation.Answer(uid, qid, remediation.point_of(category, tags),
                                              score >= points - 1e-9, excerpt or ""))
    lessons = list(db.session.scalars(select(LessonRecord).where(LessonRecord.path_id == path.id,
                                                                 LessonRecord.unit_id == crew_id,
                                                                 LessonRecord.topic_no == topic_no)
                                      .order_by(LessonRecord.held_on.desc(), LessonRecord.id.desc())))
    return Sheet(path, topic, crew, crew.label if crew else state.label_of(crew_id, ps.units),
                 remediation.rank(answers), {p.id: p.name for p in people}, stems, len(people), len(tested), lessons)


def article_text(topic: Topic) -> str:
    """The topic's study text: its article, or the named ``## `` section of it."""
    article = topic.article
    if article is None:
        return ""
    if not topic.section:
        return article.body
    lines = article.body.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("## "):
            inside = line[3:].strip() == topic.section.strip()
            if inside:
                out.append(line)
            continue
        if inside:
            out.append(line)
    return "\n".join(out) if out else article.body
