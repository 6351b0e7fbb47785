"""Draft questions from an article, offline and rule-based.

A pure core (no Flask, no database): ``generate(text)`` splits the text into
sentences (``sentences``), segments them with jieba extended by the
platform's terms (``segment``), scores each for testable facts (``facts``)
and makes drafts of every question type from the best (``make``). Every
draft carries the sentence it came from, a knowledge point and a difficulty,
and validates through the question-type registry. Nothing here writes:
``quiz.banks.draft_service`` feeds the drafts a trainer accepts through the
same import path as an uploaded file.

``reading`` turns an uploaded .docx / .txt / .md / .pdf into text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from quiz.banks.drafts import segment
from quiz.banks.drafts.facts import Candidate, build_pools, good_answer, score
from quiz.banks.drafts.make import Draft, Maker, fold
from quiz.banks.drafts.sentences import Document, Sentence, split


MIN_SCORE = 1.0
TYPE_ORDER = {"single": 0, "fill": 1, "truefalse": 2, "multiple": 3}
_QUOTED = re.compile(r"[“\"]([^“”\"]{2,16})[”\"]|\*\*([^*\n]{2,12}?)[：:。]?\*\*")


@dataclass
class Result:
    doc: Document
    drafts: list[Draft] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    rejected_skipped: int = 0
    backend: str = "rules"  # or "llm" (quiz.banks.drafts.llm)
    notice: str = ""  # why the language-model backend was not used, when it was asked for

    def source_sentences(self) -> set[int]:
        """Indices of the sentences at least one draft comes from (highlighted on the review page)."""
        return {d.sentence.index for d in self.drafts}


def generate(text: str, *, known_terms=(), max_drafts: int | None = None, rejected=frozenset()) -> Result:
    """Drafts from ``text``, best first within the limit, then in the order of the text.

    ``known_terms``: terms the platform already uses (bank categories, quoted
    phrases, job types, fill-in answers), taught to jieba and used as
    distractors. ``rejected``: keys (``Draft.key``) a trainer rejected for
    this article; they are not proposed again.
    """
    doc = split(text or "")
    terms = list(dict.fromkeys([t for t in known_terms if t] + [m.group(1) or m.group(2) for m in _QUOTED.finditer(text or "")]))
    segment.add_terms(terms)
    known = set(terms)
    words_of = {s.index: segment.lcut(s.text) for s in doc.sentences}
    pools = build_pools(doc, words_of, terms)
    maker = Maker(doc, pools, words_of)
    result = Result(doc=doc)
    seen_text: set[str] = set()
    candidates: dict[int, Candidate] = {}
    for s in doc.sentences:
        key = fold(s.text)
        if key in seen_text:  # PDF text repeats paragraphs; one set of drafts is enough
            continue
        seen_text.add(key)
        if len(s.text) < 20 and not re.search(r"[。！？!?；;.]$", s.text):
            continue  # a headline, caption or masthead line, not a statement
        c = score(s, words_of[s.index], pools, known)
        if c.score >= MIN_SCORE and c.facts:
            candidates[s.index] = c
    result.candidates = list(candidates.values())

    made: list[Draft] = []
    for n, c in enumerate(result.candidates):
        primary = c.facts[0]
        secondary = next((f for f in c.facts[1:] if not f.overlaps(primary)
                          and (f.kind != primary.kind or f.kind == "term")), None)
        first_single = n % 3 != 2
        d = maker.single(c, primary) if first_single else maker.fill(c, primary)
        made.append(d or (maker.fill(c, primary) if first_single else maker.single(c, primary)))
        if secondary is not None:
            made.append(maker.fill(c, secondary) if first_single else
                        (maker.single(c, secondary) or maker.fill(c, secondary)))
        made.append(maker.truefalse(c, primary, false=n % 2 == 1))
        made.append(maker.multiple_inline(c))
    for i in range(len(doc.enumerations)):
        made.append(maker.multiple_enumeration(i, candidates))

    seen: set[str] = set()
    for d in made:
        if d is None or well_formed(d):
            continue
        same_stem = f"{d.type}:{fold(d.stem)}"  # one blank in one place is one question, whatever the options
        if d.key in seen or same_stem in seen:
            continue
        seen.update((d.key, same_stem))
        if d.key in rejected:
            result.rejected_skipped += 1
            continue
        result.drafts.append(d)
    result.drafts = limit(result.drafts, max_drafts)
    return result


def limit(found: list[Draft], max_drafts: int | None) -> list[Draft]:
    """The ``max_drafts`` best drafts (all when None), in the order of the text.

    Spread over the text: the best draft of each sentence comes before the
    second-best of any, so a limit covers as many facts as it can.
    """
    if max_drafts is not None and len(found) > max_drafts:
        rank: dict[int, int] = {}
        order = []
        for d in sorted(found, key=lambda d: -d.score):
            n = rank.get(d.sentence.index, 0)
            rank[d.sentence.index] = n + 1
            order.append((n, -d.score, d))
        order.sort(key=lambda t: (t[0], t[1]))
        keep = {id(t[2]) for t in order[:max(max_drafts, 0)]}
        found = [d for d in found if id(d) in keep]
    return sorted(found, key=lambda d: (d.sentence.index, TYPE_ORDER.get(d.type, 9)))


def well_formed(d: Draft) -> list[str]:
    """What is wrong with a draft (empty when it may be shown): the registry's checks,
    a blank worth asking, distractors distinct from the answer and of its kind."""
    from quiz.banks import types as qtypes

    problems = list(qtypes.validate(d.question()))
    if d.type == "fill":
        for alts in d.answer:
            if not alts or not all(good_answer(a) for a in alts):
                problems.append("blank is a stop word, punctuation or a single character")
    if d.type in ("single", "multiple"):
        folded = [fold(o) for o in d.options]
        if len(set(folded)) != len(folded) or not all(folded):
            problems.append("options repeat or are empty")
        right = [d.options[i] for i in d.answer] if isinstance(d.answer, list) else []
        if not all(good_answer(o) for o in right):
            problems.append("the right option is not worth asking")
        if d.type == "single" and right:
            numeric = [bool(re.search(r"\d|[一二三四五六七八九十百千]", o)) and _is_quantity(o) for o in d.options]
            if _is_quantity(right[0]) and not all(numeric):
                problems.append("a number's distractors must be numbers")
    if d.type == "truefalse" and not isinstance(d.answer, bool):
        problems.append("true/false needs a bool")
    return problems


def _is_quantity(text: str) -> bool:
    from quiz.banks.drafts.numbers import find_quantities

    found = find_quantities(text)
    return len(found) == 1 and found[0].start == 0 and found[0].end == len(text)
