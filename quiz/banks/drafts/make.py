"""Drafts of every question type from scored sentences.

Pure. From each candidate sentence (``facts.Candidate``):

* fill-in: the key fact blanked (``____``); the answer accepts its variants
  (30秒 | 30 | 三十秒 | 三十);
* single choice: the same kind of blank with three distractors of the fact's
  kind (near numbers for a number, other quoted phrases for a quoted phrase,
  words of the same part of speech from the same text for a term);
* true/false: the sentence as written (正确), or with a number or term swapped
  for a sibling (错误) — never a negation alone;
* multiple choice: from an enumeration, the items as options with items of
  another list of the same text (or the platform's banks) as the wrong ones.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from quiz.banks.drafts import numbers, segment
from quiz.banks.drafts.facts import Candidate, Fact, Pools, good_answer, stable
from quiz.banks.drafts.sentences import Document, Sentence
from quiz.banks.types.base import QuestionData

BLANK = "____"
CHOICE_BLANK = "（  ）"
LETTERS = "ABCDEFGH"


_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """How two drafts or answers are compared: NFKC, no spaces or punctuation, case folded."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", str(text))).casefold()


def _display(text: str) -> str:
    from quiz.banks.formats.common import display

    return display(text)


@dataclass
class Draft:
    """A proposed question and the sentence it came from."""

    type: str
    stem: str
    options: list[str]
    answer: Any
    sentence: Sentence
    knowledge_point: str
    difficulty: int
    score: float
    kind: str  # what was asked: number, date, quote, book, definition, term, enumeration, statement
    explanation: str = ""
    blank: str = ""  # the text blanked or swapped (the fact)
    features: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable identity of the question (type, stem and answer folded): rejections remember it."""
        answer = self.answer
        if self.type in ("single", "multiple"):
            answer = sorted(fold(self.options[i]) for i in self.answer)
        elif self.type == "fill":
            answer = [sorted(fold(a) for a in alts) for alts in self.answer]
        payload = json.dumps([self.type, fold(self.stem), answer], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]

    def source_excerpt(self, title: str = "") -> str:
        """The sentence with the article, paragraph and place it came from, as 原文 of the question."""
        where = f"《{title}》" if title else ""
        return f"{where}{self.sentence.where}：{_display(self.sentence.text)}"

    def question(self, title: str = "", category: str | None = None) -> QuestionData:
        """The draft as ordinary question data, with its source excerpt filled."""
        return QuestionData(type=self.type, stem=self.stem, options=list(self.options), answer=_copy(self.answer),
                            explanation=self.explanation, source_excerpt=self.source_excerpt(title),
                            category=(self.knowledge_point if category is None else category)[:100],
                            difficulty=self.difficulty)

    def as_json(self, title: str = "") -> dict:
        """What ``flask banks draft --json`` prints for one draft."""
        return {"type": self.type, "stem": self.stem, "options": self.options, "answer": self.answer,
                "source": {"sentence": _display(self.sentence.text), "paragraph": self.sentence.paragraph,
                           "sentence_number": self.sentence.number, "start": self.sentence.start,
                           "end": self.sentence.end, "excerpt": self.source_excerpt(title)},
                "knowledge_point": self.knowledge_point, "difficulty": self.difficulty,
                "score": round(self.score, 2), "key": self.key}


def _copy(value):
    return json.loads(json.dumps(value))


def _clean_end(text: str) -> str:
    """A sentence as a stem: a trailing semicolon or comma becomes a full stop."""
    text = text.strip()
    if re.search(r"[；;，,：:]$", text):
        text = text[:-1] + "。"
    return text


def _clause_body(text: str) -> str:
    """A numbered clause without its marker: 一要充分发挥… -> 充分发挥…"""
    return re.sub(r"^(?:[（(][一二三四五六七八九十]{1,2}[)）]|[一二三四五六七八九十][是要抓把查看防]|第[一二三四五六七八九十]{1,2}[，,、]|"
                  r"[①②③④⑤⑥⑦⑧⑨⑩])", "", text).strip()


def _blanked(text: str, fact: Fact, mark: str) -> str:
    return _display(_clean_end(text[:fact.start] + mark + text[fact.end:]))


def _difficulty(base: int, sentence: Sentence, fact_kind: str) -> int:
    d = base
    if len(sentence.text) > 70:
        d += 1
    if fact_kind in ("number", "date") and base >= 2:
        d += 1
    if fact_kind == "quote":
        d -= 1
    return max(1, min(5, d))


class Maker:
    """Builds the drafts of one document; keeps the pools and what was already made."""

    def __init__(self, doc: Document, pools: Pools, words_of: dict[int, list[str]]):
        self.doc = doc
        self.pools = pools
        self.words_of = words_of

    # -- distractors -----------------------------------------------------------
    def distractors(self, fact: Fact, sentence: Sentence, count: int = 3) -> list[str]:
        """``count`` wrong answers of the same kind as ``fact``; fewer when the text has too few."""
        salt = stable(sentence.text + fact.answer)
        if fact.quantity is not None:
            siblings = [q for q in self.pools.quantities if q.text != fact.answer]
            out = numbers.near(fact.quantity, siblings, count, salt)
        elif fact.kind == "quote":
            out = self._like(fact.answer, self.pools.quotes, sentence, count, salt)
        elif fact.kind == "book":
            out = self._like(fact.answer, self.pools.books, sentence, count, salt, tolerance=8)
        else:
            pool = self.pools.verbs if fact.pos == "verb" else self.pools.nouns
            ranked = [w for w, _n in pool.most_common()]
            out = self._like(fact.answer, ranked, sentence, count, salt)
        return _distinct(fact.answer, out)[:count]

    def _like(self, answer: str, pool, sentence: Sentence, count: int, salt: int, tolerance: int = 1) -> list[str]:
        want = max(count * 3, 9)
        folded = set(fold(answer))
        candidates = []
        for w in pool:  # most frequent first: stop once there are enough to rotate through
            if (w != answer and abs(len(w) - len(answer)) <= tolerance and w not in sentence.text
                    and answer not in w and w not in answer and good_answer(w) and not set(fold(w)) >= folded):
                candidates.append(w)
                if len(candidates) >= want:
                    break
        if len(candidates) <= count:
            return candidates
        r = salt % len(candidates)  # rotated by the sentence, so that drafts vary
        return candidates[r:] + candidates[:r]

    # -- the four kinds of draft -------------------------------------------------
    def fill(self, c: Candidate, fact: Fact) -> Draft | None:
        variants = [v for v in dict.fromkeys(fact.variants or [fact.answer]) if good_answer(v)]
        if not variants:
            return None
        stem = _blanked(c.sentence.text, fact, BLANK)
        if stem.count(BLANK) != 1 or len(fold(stem)) < 6:
            return None
        return Draft("fill", stem, [], [variants], c.sentence, self.point(c, fact), _difficulty(3, c.sentence, fact.kind),
                     c.score + fact.weight, fact.kind, explanation=_display(c.sentence.text), blank=fact.answer,
                     features=c.features)

    def single(self, c: Candidate, fact: Fact) -> Draft | None:
        wrong = self.distractors(fact, c.sentence)
        if len(wrong) < 3:
            return None
        right_at = stable(c.sentence.text + fact.answer + "single") % 4
        options = list(wrong[:3])
        options.insert(right_at, fact.answer)
        stem = _blanked(c.sentence.text, fact, CHOICE_BLANK)
        return Draft("single", stem, [_display(o) for o in options], [right_at], c.sentence, self.point(c, fact),
                     _difficulty(2, c.sentence, fact.kind), c.score + fact.weight, fact.kind,
                     explanation=_display(c.sentence.text), blank=fact.answer, features=c.features)

    def truefalse(self, c: Candidate, fact: Fact | None, false: bool) -> Draft | None:
        text = c.sentence.text
        if c.sentence.clause is not None:
            text = _clause_body(text)
            fact = None if fact is None else _shift(fact, len(c.sentence.text) - len(text))
        if false and fact is not None:
            wrong = self.distractors(fact, c.sentence, 1)
            if wrong and wrong[0] != fact.answer:
                stem = _display(_clean_end(text[:fact.start] + wrong[0] + text[fact.end:]))
                expl = f"{_display(c.sentence.text)}（原句为“{fact.answer}”，不是“{wrong[0]}”）"
                return Draft("truefalse", stem, [], False, c.sentence, self.point(c, fact),
                             _difficulty(2, c.sentence, fact.kind), c.score + fact.weight * 0.8, fact.kind,
                             explanation=expl, blank=fact.answer, features=c.features)
        stem = _display(_clean_end(text))
        if len(fold(stem)) < 8:
            return None
        return Draft("truefalse", stem, [], True, c.sentence, self.point(c, fact), _difficulty(1, c.sentence, "statement"),
                     c.score, "statement", explanation=_display(c.sentence.text), features=c.features)

    def multiple_inline(self, c: Candidate) -> Draft | None:
        """A list A、B、C、D of one sentence: which of these are in it."""
        if not c.items or c.items_span is None:
            return None
        items = c.items
        others = [i for i in self.pools.list_items if i not in items and fold(i) not in {fold(x) for x in items}
                  and abs(len(i) - sum(map(len, items)) / len(items)) <= 3 and i not in c.sentence.text]
        if not others:
            return None
        salt = stable(c.sentence.text + "multiple")
        right = items[:4]
        wrong_n = 1 if len(right) >= 4 or len(others) == 1 else 2
        r = salt % len(others)
        wrong = (others[r:] + others[:r])[:wrong_n]
        a, b = c.items_span
        stem = _display(_clean_end(c.sentence.text[:a] + CHOICE_BLANK + c.sentence.text[b:]))
        if len(items) > 4:
            stem = _display(_clean_end(c.sentence.text[:a] + CHOICE_BLANK + "等" + c.sentence.text[b:]))
        return self._multiple(c, stem, right, wrong, salt, "enumeration")

    def multiple_enumeration(self, enum_index: int, candidates: dict[int, Candidate]) -> Draft | None:
        """The clauses 一要…二要… or the items of a list: which of these does the text name."""
        enum = self.doc.enumerations[enum_index]
        heads = []
        for idx in enum.sentences:
            head = _head(_clause_body(self.doc.sentences[idx].text))
            if head and good_answer(head) and head not in heads:
                heads.append(head)
        if len(heads) < 2:
            return None
        others = []
        for j, other in enumerate(self.doc.enumerations):
            if j == enum_index:
                continue
            for idx in other.sentences:
                head = _head(_clause_body(self.doc.sentences[idx].text))
                if head and head not in heads and head not in others and good_answer(head):
                    others.append(head)
        if not others:
            others = [q for q in self.pools.quotes if q not in heads and all(q not in h for h in heads)
                      and all(h not in q for h in heads)]
        if not others:
            return None
        first = self.doc.sentences[enum.sentences[0]]
        c = candidates.get(first.index)
        if c is None:
            return None
        lead = re.sub(r"[：:，,；;。\s]+$", "", enum.lead or "") or (enum.heading or "")
        if not lead:
            return None
        salt = stable(lead + "enumeration")
        right = heads[:4]
        r = salt % len(others)
        wrong = (others[r:] + others[:r])[:1 if len(right) >= 4 else 2]
        stem = _display(f"{lead}。下列属于其中内容的有{CHOICE_BLANK}。" if len(lead) > 12
                        else f"下列属于“{lead}”内容的有{CHOICE_BLANK}。")
        return self._multiple(c, stem, right, wrong, salt, "enumeration")

    def _multiple(self, c: Candidate, stem: str, right: list[str], wrong: list[str], salt: int, kind: str) -> Draft | None:
        options = right + wrong
        if len(set(map(fold, options))) != len(options) or len(right) < 2 or not wrong:
            return None
        order = sorted(range(len(options)), key=lambda i: stable(f"{salt}:{options[i]}"))
        shuffled = [options[i] for i in order]
        answer = sorted(shuffled.index(r) for r in right)
        return Draft("multiple", stem, [_display(o) for o in shuffled], answer, c.sentence, self.point(c, None),
                     _difficulty(3, c.sentence, kind), c.score + 1.5, kind, explanation=_display(c.sentence.text),
                     blank="、".join(right), features=c.features)

    def point(self, c: Candidate, fact: Fact | None) -> str:
        """The suggested knowledge point: the nearest heading, else the key term."""
        if c.sentence.heading:
            return c.sentence.heading
        if fact is not None and fact.kind in ("quote", "term", "definition"):
            return fact.answer[:100]
        return ""


def _shift(fact: Fact, by: int) -> Fact | None:
    if fact.start - by < 0:
        return None
    return Fact(fact.kind, fact.answer, fact.start - by, fact.end - by, fact.weight, fact.variants, fact.quantity,
                fact.pos)


def _head(text: str) -> str:
    """The short head of an item: before its colon, else its first clause (at most 20 characters)."""
    text = text.strip()
    m = re.match(r"^([^：:，,。；;]{2,16})[：:]", text)
    if m:
        return m.group(1).strip()
    first = re.split(r"[，,。；;：:]", text, maxsplit=1)[0].strip()
    return first if 2 <= len(first) <= 20 else ""


def _distinct(answer: str, options: list[str]) -> list[str]:
    seen = {fold(answer)}
    out = []
    for o in options:
        if fold(o) and fold(o) not in seen:
            seen.add(fold(o))
            out.append(o)
    return out
