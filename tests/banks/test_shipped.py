"""The banks shipped in question_banks/ import cleanly through the upload path."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from quiz.banks import formats, shipped
from quiz.banks.models import Article, Bank, Question
from quiz.extensions import db

SHIPPED = Path(__file__).resolve().parents[2] / "question_banks"
MINIMUM = {"行为安全观察与沟通": 75, "二十大应知应会": 40, "磨工": 90, "巡检工": 90, "化灰机工": 85}


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield
    db.session.rollback()
    db.session.execute(update(Question).values(current_revision_id=None))
    db.session.commit()


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.txt")), ids=lambda p: p.name)
def test_every_shipped_file_parses_without_errors(path):
    result = formats.parse(path.read_bytes(), path.name)
    assert result.errors == [], result.errors
    assert result.skipped == []
    header = shipped.read_bank_header(path.read_text(encoding="utf-8"))
    assert header["title"] and header["articles"]
    for name in header["articles"]:
        assert (SHIPPED / "articles" / name).is_file(), name
    assert all(q.source_excerpt for q in result.questions), "every shipped question names its source"


def test_load_shipped_banks_meets_the_minimum_counts_and_is_idempotent(app):
    lines = shipped.load_shipped_banks()
    db.session.commit()
    counts = dict(db.session.execute(
        select(Bank.title, func.count(Question.id)).join(Question).group_by(Bank.title)).all())
    for key, minimum in MINIMUM.items():
        matching = [title for title in counts if key in title]
        assert len(matching) == 1, (key, counts)
        assert counts[matching[0]] >= minimum, (key, counts[matching[0]])
    assert any(line.startswith("题库：行为安全观察与沟通 ") and line.endswith(" 题") for line in lines)

    workshop = db.session.scalar(select(Bank).where(Bank.title.contains("磨工")))
    assert [j.name for j in workshop.job_types] == ["磨工"]
    assert workshop.articles and workshop.articles[0].source
    everyone = db.session.scalar(select(Bank).where(Bank.title == "行为安全观察与沟通"))
    assert everyone.job_types == []
    assert "2153" in everyone.articles[0].source and everyone.articles[0].published_on is not None
    assert all(q.current_revision is not None for q in everyone.questions)

    before = db.session.scalar(select(func.count()).select_from(Question))
    shipped.load_shipped_banks()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Question)) == before
    assert db.session.scalar(select(func.count()).select_from(Article)) == len(list((SHIPPED / "articles").glob("*.md")))


def test_demo_load_includes_the_shipped_banks(app, runner):
    import quiz.banks.demo  # noqa: F401
    from quiz.org.demo import loaders

    assert quiz.banks.demo.load_shipped in loaders()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "题库：二十大应知应会" in result.output
