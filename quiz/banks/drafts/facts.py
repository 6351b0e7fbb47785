"""What in a sentence is worth asking: scored facts and the pools distractors come from.

Pure. A sentence scores for the testable facts it holds:

=================  ======  ==========================================
feature            weight  found by
=================  ======  ==========================================
number with unit   3       至少30秒, 75%, 800余名, 四个阶段 (numbers.py)
date               1.5     2023年2月20日, 10月底
definition         3       是指, 主要是指, 就是, 指的是, 叫做, 称为
quoted phrase      3       “五个不放过”, “一岗双责”; 《书名》 2
prohibition        2.5     严禁, 不得, 禁止, 不准, 不能, 不要
obligation         2       必须, 应当, 应该, 务必, 须, 要
condition→action   2       如果/一旦/发现/遇到 … 立即/马上/应/要
enumeration        1.5     一要…二要…, （一）（二）, list items, A、B、C
known term         2       a term the platform's banks already use
key term           1       a content word rare in the text
=================  ======  ==========================================

Each fact is a span of the sentence that a blank can replace; the sentence's
score is the sum of its features' weights, less a penalty for very short or
very long sentences and for questions.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from quiz.banks.drafts import numbers, segment
from quiz.banks.drafts.sentences import Document, Sentence

_QUOTE = re.compile(r"[“\"「『]([^“”\"「」『』]{2,16})[”\"」』]")
_BOOK = re.compile(r"《([^《》]{2,30})》")
_DEFINITION = re.compile(r"(?:主要)?(?:是指|指的是|就是|叫做|称为|称作|即是)")
_DEF_BEFORE = re.compile(r"([^，,：:；;。、“”\s]{2,16})(?:主要)?(?:是指|指的是|就是)$")
_DEF_AFTER = re.compile(r"^(?:叫做|称为|称作)[“\"]?([^，,。；;”\"]{2,12})")
_PROHIBITION = re.compile(r"严禁|不得|禁止|不准|不能|不要|不许|杜绝")
_OBLIGATION = re.compile(r"必须|应当|应该|务必|(?<![必无])须|要求|(?<![主重需只想纲摘概简扼])要(?![求素点是])")
_CONDITION = re.compile(r"(?:如果|若|一旦|发现|遇到|出现|当[^，,。]{1,20}时)")
_ACTION = re.compile(r"(?:立即|马上|立刻|及时|应|要|必须|须|就)")
_INLINE_LIST = re.compile(r"(?:[^，,：:；;。、“”()（）\s]{1,16}、){2,}[^，,：:；;。、“”()（）\s]{1,20}")
_LIST_END = re.compile(r"(?:等|都|组成|构成|是|的|方面|几项|几个|之前|之后)$")


@dataclass
class Fact:
    """A span of a sentence a blank can replace, with what it is."""

    kind: str  # number, date, quote, book, definition, term
    answer: str
    start: int
    end: int
    weight: float
    variants: list[str] = field(default_factory=list)
    quantity: numbers.Quantity | None = None
    pos: str = ""  # noun / verb for terms

    def overlaps(self, other: Fact) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass
class Candidate:
    sentence: Sentence
    score: float
    features: list[str]
    facts: list[Fact]
    items: list[str] = field(default_factory=list)  # an inline list A、B、C of the sentence
    items_span: tuple[int, int] | None = None


@dataclass
class Pools:
    """Where distractors come from: the same article first, then the platform's banks."""

    quantities: list[numbers.Quantity] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    books: list[str] = field(default_factory=list)
    nouns: Counter = field(default_factory=Counter)
    verbs: Counter = field(default_factory=Counter)
    known: list[str] = field(default_factory=list)
    list_items: list[str] = field(default_factory=list)
    doc_freq: Counter = field(default_factory=Counter)
    sentences: int = 1


def stable(text: str) -> int:
    """A number that is the same for the same text in every run (Python's hash() is salted)."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)


def good_answer(text: str) -> bool:
    """A blank worth asking: some text, not a stop word, not punctuation, not one common character."""
    core = re.sub(r"[\W_]", "", text or "")
    if not core:
        return False
    if len(core) < 2 and not re.search(r"\d", core):
        return False
    return core not in segment.STOP_WORDS


def inline_list(text: str, words: list[str]) -> tuple[list[str], tuple[int, int]] | None:
    """The items of a list written A、B、C和D in ``text``, with the list's span; None when there is none.

    The first item starts at a word boundary as long as the other items; the
    last one stops before 和/及 (which join it), at 等, or at the verb after it.
    """
    m = _INLINE_LIST.search(text)
    if not m:
        return None
    raw = m.group(0).split("、")
    for i, chunk in enumerate(raw[1:-1], start=1):  # a list ends at the first chunk that goes on past its item
        if re.search(r"等|是否|组成|构成|都|方面|之前|在内", chunk):
            raw = raw[:i + 1]
            break
    list_end = m.start() + len("、".join(raw))
    middle = [r for r in raw[1:-1]]
    longest = max([len(r) for r in middle] + [len(raw[-1]) if len(raw) == 2 else 4])
    # first item: the last word of the first chunk, with the words before it while it is shorter than the others
    first_chunk = raw[0]
    shortest = min(len(r) for r in raw[1:])
    end = m.start() + len(first_chunk)
    spans = _word_spans(words, text)
    first_start = None
    for a, b, w in reversed(spans):
        if b > end or a < m.start():
            continue
        if first_start is not None and (end - first_start >= shortest or w in segment.STOP_WORDS
                                        or segment.kind_of(segment.tag(w)) == "verb" and len(w) > 1):
            break
        first_start = a
    if first_start is None:
        return None
    first = re.sub(r"^[由把将被对从在向为与和及是有]", "", text[first_start:m.start() + len(first_chunk)])
    # last item: up to 等 / a boundary word, split off a final 和/及 item
    last = raw[-1]
    last_end = list_end
    cut = re.search(r"等|是否|组成|构成|都|方面|之前|在内", last)
    if cut:
        last = last[:cut.start()]
        last_end = list_end - len(raw[-1]) + cut.start()
    extra = []
    joined = re.split(r"以及|和|及|与|或", last, maxsplit=1)
    if len(joined) == 2 and joined[0] and joined[1] and len(joined[1]) <= longest + 2:
        last, extra = joined[0], [joined[1]]
    if len(last) > longest + 2:
        return None
    items = [first] + middle + [last] + extra
    items = [i.strip() for i in items]
    if items and max(map(len, items)) > 2.5 * min(map(len, items)) + 1:
        return None  # a list of things of one kind has items of about one length
    if len(items) < 3 or any(not good_answer(i) or len(i) > 20 for i in items) or len(set(items)) != len(items):
        return None
    return items, (first_start, last_end)


def _word_spans(words: list[str], text: str) -> list[tuple[int, int, str]]:
    spans, pos = [], 0
    for w in words:
        spans.append((pos, pos + len(w), w))
        pos += len(w)
    return spans if pos == len(text) else [(i, i + 1, ch) for i, ch in enumerate(text)]


def build_pools(doc: Document, words_of: dict[int, list[str]], known_terms) -> Pools:
    """Distractor pools of a document: its numbers, quoted phrases, nouns and verbs, list items."""
    pools = Pools(sentences=max(len(doc.sentences), 1))
    seen_quotes: set[str] = set()
    for s in doc.sentences:
        pools.quantities.extend(numbers.find_quantities(s.text))
        for m in _QUOTE.finditer(s.text):
            if m.group(1) not in seen_quotes:
                seen_quotes.add(m.group(1))
                pools.quotes.append(m.group(1))
        for m in _BOOK.finditer(s.text):
            if m.group(1) not in pools.books:
                pools.books.append(m.group(1))
        words = words_of[s.index]
        for w in set(words):
            pools.doc_freq[w] += 1
        for w in words:
            if not segment.is_content_word(w):
                continue
            kind = segment.kind_of(segment.tag(w))
            if kind == "noun":
                pools.nouns[w] += 1
            elif kind == "verb":
                pools.verbs[w] += 1
        found = inline_list(s.text, words)
        if found:
            pools.list_items.extend(i for i in found[0] if i not in pools.list_items)
    pools.known = [t for t in known_terms if t]
    for t in pools.known:
        if t not in seen_quotes and 2 <= len(t) <= 12:
            pools.quotes.append(t) if _looks_like_phrase(t) else None
    return pools


def _looks_like_phrase(term: str) -> bool:
    """Platform terms that read as named phrases (五个不放过, 三必管): a numeral inside, or four characters and more."""
    return bool(re.search(r"[一二三四五六七八九十两]", term)) and len(term) >= 3


def score(sentence: Sentence, words: list[str], pools: Pools, known: set[str]) -> Candidate:
    """The sentence's features, facts and score (see the table above)."""
    text = sentence.text
    facts: list[Fact] = []
    features: list[str] = []
    total = 0.0

    head = re.match(r"^[^，,：:。；;]{2,8}[：:]", text)
    for q in numbers.find_quantities(text):
        if head and q.end < head.end() and q.chinese:
            continue  # 五个挺在：… a name, not a count
        if any(k.start() <= q.start < k.end() for k in _QUOTE.finditer(text)):
            continue  # inside a quoted phrase: the phrase is the fact
        if q.kind == "date":
            facts.append(Fact("date", q.text, q.start, q.end, 1.5, numbers.variants(q), q))
        else:
            facts.append(Fact("number", q.text, q.start, q.end, 3.0, numbers.variants(q), q))
    if any(f.kind == "number" for f in facts):
        features.append("number")
        total += 3
    elif facts:
        features.append("date")
        total += 1.5

    for m in _QUOTE.finditer(text):
        phrase = m.group(1)
        if good_answer(phrase) and not re.fullmatch(r"[\d\W]+", phrase):
            facts.append(Fact("quote", phrase, m.start(1), m.end(1), 3.0, [phrase]))
    for m in _BOOK.finditer(text):
        facts.append(Fact("book", m.group(1), m.start(1), m.end(1), 2.0, [m.group(1), f"《{m.group(1)}》"]))
    if any(f.kind == "quote" for f in facts):
        features.append("quote")
        total += 3
    elif any(f.kind == "book" for f in facts):
        features.append("quote")
        total += 2

    for m in _DEFINITION.finditer(text):
        before = _DEF_BEFORE.search(text[:m.end()])
        after = _DEF_AFTER.search(text[m.start():])
        if after and good_answer(after.group(1)):
            a = m.start() + after.start(1)
            facts.append(Fact("definition", after.group(1), a, a + len(after.group(1)), 3.0, [after.group(1)]))
        elif before:
            term = _trim_term(before.group(1), words)
            if term and good_answer(term) and term[0] not in "这那它其该此":
                a = text.rfind(term, 0, m.start() + 1)
                if a >= 0:
                    facts.append(Fact("definition", term, a, a + len(term), 3.0, [term]))
        features.append("definition")
        total += 3
        break

    if _PROHIBITION.search(text):
        features.append("prohibition")
        total += 2.5
    elif _OBLIGATION.search(text):
        features.append("obligation")
        total += 2
    cond = _CONDITION.search(text)
    if cond and _ACTION.search(text, cond.end()):
        features.append("condition")
        total += 2

    found = inline_list(text, words)
    items, items_span = ([], None) if not found else found
    if sentence.enumeration is not None or items:
        features.append("enumeration")
        total += 1.5

    # terms: the platform's known terms first, then rare content words
    taken = [(f.start, f.end) for f in facts]
    pos = 0
    spans = []
    for w in words:
        spans.append((w, pos, pos + len(w)))
        pos += len(w)
    modal = _PROHIBITION.search(text) or _OBLIGATION.search(text)
    action_at = None
    if "condition" in features:
        act = _ACTION.search(text, cond.end())
        action_at = act.end() if act else None
    term_facts = []
    previous = ""
    for w, a, b in spans:
        after_name, previous = segment.tag(previous).startswith("nr") and len(previous) == 1, w
        if any(a < y and x < b for x, y in taken) or not segment.is_content_word(w) or after_name:
            continue  # (after_name: 魏|成文 is a person's name cut in two)
        tag = segment.tag(w)
        kind = segment.kind_of(tag)
        if tag in ("nr", "ns", "nt", "nrt", "nrfg") and w not in known:
            continue  # names of people, places and bodies make poor blanks
        if w in known:
            weight, kind = 2.0, kind or "noun"
        elif w[0] in "这那它其该此":
            continue
        elif kind in ("noun", "verb"):
            df = pools.doc_freq.get(w, 1)
            weight = 0.5 + min(math.log((pools.sentences + 1) / df), 3) / 3
            if kind == "noun" and len(w) >= 3:
                weight += 0.3
            if kind == "verb":
                weight -= 0.4
            if modal and a >= modal.end() and a - modal.end() <= 6:
                weight += 0.6  # the thing one must (not) do
            if action_at is not None and 0 <= a - action_at <= 4:
                weight += 0.8  # the action a condition calls for
        else:
            continue
        term_facts.append(Fact("term", w, a, b, weight, [w], pos=kind))
    term_facts.sort(key=lambda f: -f.weight)
    facts.extend(term_facts[:4])
    if any(f.kind == "term" and f.answer in known for f in facts):
        features.append("known term")
        total += 2
    elif term_facts:
        total += 1

    length = len(re.sub(r"[\W_]", "", text))
    if length < 10:
        total -= 1.5
    elif length > 140:
        total -= 1
    if text.rstrip().endswith(("？", "?")):
        total -= 2
    facts.sort(key=lambda f: -f.weight)
    return Candidate(sentence, total, features, facts, items, items_span)


def _trim_term(chunk: str, words: list[str]) -> str:
    """The defined term at the end of ``chunk``: its last one or two words."""
    for lead in ("所谓", "这里的", "本文的"):
        if chunk.startswith(lead):
            chunk = chunk[len(lead):]
    return chunk
