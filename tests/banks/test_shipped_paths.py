"""The learning paths shipped in question_banks/paths/*.toml can be built from
the shipped banks and articles: every topic's study text exists, every draw
rule can be filled, every topic has enough questions for fresh retest papers,
and every question a topic can draw names the sentence it was written from."""
from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

import pytest

from quiz.banks import formats, shipped

SHIPPED = Path(__file__).resolve().parents[2] / "question_banks"
PATHS = sorted((SHIPPED / "paths").glob("*.toml"))
MIN_PER_TOPIC = 15
# 原文 that rests on trade knowledge rather than the newsletter quotes the study text
GENERAL = re.compile(r"^通用(?:岗位|安全)知识[：:](.+)$")


def _banks() -> dict[str, list]:
    """Bank title -> parsed questions, for every shipped bank file."""
    out = {}
    for path in SHIPPED.glob("*.txt"):
        header = shipped.read_bank_header(path.read_text(encoding="utf-8"))
        result = formats.parse(path.read_bytes(), path.name)
        assert result.errors == [], (path.name, result.errors)
        out[header["title"]] = result.questions
    return out


def _sections(article: Path) -> dict[str, str]:
    """``## `` heading -> the text below it (without Markdown emphasis)."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in article.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line.replace("**", ""))
    # compared in NFKC form (，→, （→( ：→:), so that a half-width comma does not count as a difference
    return {title: unicodedata.normalize("NFKC", "\n".join(lines)) for title, lines in sections.items()}


@pytest.fixture(scope="module")
def banks():
    return _banks()


def test_there_are_the_four_shipped_paths():
    assert {p.stem for p in PATHS} >= {"mogong", "xunjiangong", "huahuijigong", "behaviour_safety_managers"}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_path_file_is_complete(path):
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    assert spec["title"] and spec["description"] and spec["units"]
    assert spec["audience"] in ("job_type", "managers")
    assert spec["gate"] in ("crew", "personal")
    assert spec.get("crew_level", "team") in ("team", "section")
    assert isinstance(spec["remediation_required"], bool) and spec["retest_wait_minutes"] >= 0
    if spec["audience"] == "job_type":
        assert spec["job_types"], "a job-type path names its job types"
        assert len(spec["topics"]) >= 4
    else:
        assert len(spec["topics"]) >= 3
    assert spec["practical"]["title"] and spec["practical"]["description"]
    titles = [t["title"] for t in spec["topics"]]
    assert len(set(titles)) == len(titles)
    for topic in spec["topics"]:
        assert 0 < topic["pass_percent"] <= 100 and topic["time_limit_minutes"] > 0
        assert topic["attempts_allowed"] >= 0 and topic["draw"]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_every_topic_has_its_text_and_enough_questions_with_their_source(path, banks):
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    for topic in spec["topics"]:
        article = SHIPPED / "articles" / topic["article"]
        assert article.is_file(), article
        sections = _sections(article)
        whole = unicodedata.normalize("NFKC", article.read_text(encoding="utf-8").replace("**", ""))
        text = sections.get(topic["section"], "") if topic.get("section") else whole
        assert text.strip(), (topic["title"], "no section", topic.get("section"))

        pool = []
        for rule in topic["draw"]:
            assert rule["bank"] in banks, rule["bank"]
            questions = [q for q in banks[rule["bank"]] if q.category == rule["category"]]
            assert rule["count"] >= 1
            assert len(questions) >= rule["count"], (topic["title"], rule["category"], len(questions))
            pool += questions
        assert len(pool) >= MIN_PER_TOPIC, (topic["title"], len(pool))
        for q in pool:
            # a short answer waits for a trainer's grading: the loop needs its result at once
            assert q.type != "short", (topic["title"], q.stem)
            assert q.source_excerpt, (topic["title"], q.stem)
            general = GENERAL.match(q.source_excerpt)
            if general:  # trade knowledge: the sentence must be in this topic's study text
                assert unicodedata.normalize("NFKC", general.group(1)) in text, (topic["title"], q.stem, general.group(1))
            else:
                assert q.source_excerpt.startswith("《劲旅》总第2153期"), (topic["title"], q.stem)


def test_knowledge_points_of_a_bank_belong_to_one_topic_only():
    seen: dict[tuple[str, str], str] = {}
    for path in PATHS:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        for topic in spec["topics"]:
            for rule in topic["draw"]:
                key = (rule["bank"], rule["category"])
                assert seen.setdefault(key, f"{path.stem}/{topic['title']}") == f"{path.stem}/{topic['title']}", key


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_the_banks_a_path_draws_from_name_its_study_text(path):
    """Loading the banks ties each to the articles of its ``# 文章：`` line: the
    path's study text must be one of them, or it never reaches the platform."""
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    articles_of = {}
    for bank_file in SHIPPED.glob("*.txt"):
        header = shipped.read_bank_header(bank_file.read_text(encoding="utf-8"))
        articles_of[header["title"]] = header["articles"]
    for topic in spec["topics"]:
        for rule in topic["draw"]:
            assert topic["article"] in articles_of[rule["bank"]], (rule["bank"], topic["article"])
