"""An article's text as sentences, each knowing its paragraph, place and heading.

Pure: no Flask, no database. The text may be the Markdown-ish body of an
article (``## `` headings, ``- `` list items, ``**bold**``), a plain text
file, or text pulled out of a Word or PDF file (Western punctuation, odd
line breaks). Sentences end at Chinese and Western sentence marks and at
semicolons; numbered clauses (（一）（二）, 一是/二是, 一要/二要, ①②) start a
new sentence, and the clauses of one paragraph form an ``Enumeration``, as
do the items of one Markdown list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

CN_DIGITS = "一二三四五六七八九十"
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s{0,6}(?:[-*+•·]|\d{1,2}[.、)）]|[（(]\d{1,2}[)）])\s+|^\s{0,6}\d{1,2}[、)）]")
# a sentence ends after 。！？；… (and their Western forms; a dot only before a space or the end)
_END = re.compile(r"(?:[。！？!?；;]|…{1,2}|\.(?=\s|$))[”’」』)）]*")
# numbered clauses that start a new sentence when they follow punctuation (or open the paragraph)
_CLAUSE = re.compile(
    rf"(?:(?<=^)|(?<=[，,：:；;。.!！?？\s]))"
    rf"(?P<marker>[（(][{CN_DIGITS}]{{1,2}}[)）]|[{CN_DIGITS}](?:是|要|抓|把|查|看|防)|第[{CN_DIGITS}]{{1,2}}[，,、]"
    rf"|[①②③④⑤⑥⑦⑧⑨⑩])"
)
_ORDINAL = {ch: i + 1 for i, ch in enumerate(CN_DIGITS)} | {ch: i + 1 for i, ch in enumerate("①②③④⑤⑥⑦⑧⑨⑩")}
_EMPHASIS = re.compile(r"\*\*|__")
_TRAILING_NOTE = re.compile(r"[（(][^（）()]{0,20}(?:知识|内容|说明)[^（）()]{0,10}[)）]\s*$")
MIN_CHARS = 6


@dataclass
class Sentence:
    """One sentence of the text.

    ``start``/``end`` are offsets in the (line-joined) text the splitter was
    given; ``paragraph`` counts paragraphs from 1 (headings excluded);
    ``number`` is the sentence's place in its paragraph, from 1; ``heading``
    is the nearest heading above it ("" before the first).
    """

    index: int
    text: str
    paragraph: int
    number: int
    start: int
    end: int
    heading: str = ""
    list_item: bool = False
    clause: int | None = None  # ordinal of a numbered clause (一要 -> 1)
    enumeration: int | None = None  # index in Document.enumerations

    @property
    def where(self) -> str:
        return f"第{self.paragraph}段第{self.number}句"


@dataclass
class Enumeration:
    """Items listed together: the clauses 一要…二要… of a paragraph or the items of a list."""

    lead: str  # the sentence that introduces them ("魏成文提出六点要求"), may be ""
    sentences: list[int] = field(default_factory=list)  # Sentence.index of each item
    heading: str = ""


@dataclass
class Document:
    text: str
    sentences: list[Sentence] = field(default_factory=list)
    enumerations: list[Enumeration] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    paragraphs: int = 0


def clean_heading(text: str) -> str:
    """A heading as a knowledge point: no emphasis, no trailing note in brackets, at most 100 characters."""
    text = _EMPHASIS.sub("", text).strip().strip("#").strip()
    text = _TRAILING_NOTE.sub("", text).strip()
    return text[:100]


def _blocks(text: str):
    """(kind, lines, offset) for each heading line and each paragraph of the text.

    A paragraph ends at a blank line, a heading or (for list items) the next
    list item; PDF text, where one paragraph is broken over many short lines,
    is joined back when a line does not end a sentence.
    """
    offset = 0
    current: list[tuple[str, int]] = []
    kind = "para"

    def flush():
        nonlocal current
        if current:
            block = (kind, current)
            current = []
            return block
        return None

    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        start = offset
        offset += len(raw)
        if not line.strip():
            block = flush()
            if block:
                yield block
            continue
        m = _HEADING.match(line)
        if m:
            block = flush()
            if block:
                yield block
            yield ("heading", [(m.group(2), start + m.start(2))])
            continue
        if _LIST_ITEM.match(line):
            block = flush()
            if block:
                yield block
            kind = "item"
            current = [(line, start)]
            continue
        if not current:
            kind = "para"
        current.append((line, start))
    block = flush()
    if block:
        yield block


def _strip_marks(line: str) -> tuple[str, int]:
    """A list item without its bullet or number: (text, characters dropped in front)."""
    m = _LIST_ITEM.match(line)
    return (line[m.end():], m.end()) if m else (line, 0)


def _split(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph's text."""
    cuts = {0, len(text)}
    for m in _END.finditer(text):
        cuts.add(m.end())
    for m in _CLAUSE.finditer(text):
        cuts.add(m.start("marker"))
    spans = []
    points = sorted(cuts)
    for a, b in zip(points, points[1:]):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
    return spans


def clause_ordinal(text: str) -> int | None:
    """1 for a sentence that opens with 一要/一是/（一）/①, 2 for 二…; None otherwise."""
    m = _CLAUSE.match(text)
    if not m:
        return None
    marker = m.group("marker")
    for ch in marker:
        if ch in _ORDINAL:
            return _ORDINAL[ch]
    return None


def split(text: str) -> Document:
    """Split ``text`` into sentences with their paragraph, place and heading.

    Headings are not sentences; they become the ``heading`` of the
    sentences below them. Sentences shorter than ``MIN_CHARS`` characters
    of content are dropped (page numbers, captions, stray marks).
    """
    doc = Document(text=text)
    heading = ""
    paragraph = 0
    list_enum: Enumeration | None = None
    last_lead = ""
    last_heading = ""
    for kind, lines in _blocks(text):
        if kind == "heading":
            heading = clean_heading(lines[0][0])
            doc.headings.append(heading)
            list_enum = None
            continue
        paragraph += 1
        # join the block's lines into one paragraph text, keeping offsets
        pieces: list[tuple[str, int]] = []
        for i, (line, start) in enumerate(lines):
            if i == 0 and kind == "item":
                line, dropped = _strip_marks(line)
                start += dropped
            pieces.append((line, start))
        joined = ""
        offsets: list[int] = []
        for line, start in pieces:
            if joined and re.search(r"[A-Za-z0-9]$", joined) and re.match(r"^[A-Za-z0-9]", line.lstrip()):
                joined += " "
                offsets.append(start)
            stripped = line.strip()
            lead = len(line) - len(line.lstrip())
            joined += stripped
            offsets.extend(range(start + lead, start + lead + len(stripped)))
        plain, keep = _drop_emphasis(joined)
        offsets = [offsets[i] for i in keep]
        if kind == "item":
            if list_enum is None:
                list_enum = Enumeration(lead=last_lead if last_heading == heading else "", heading=heading)
                doc.enumerations.append(list_enum)
        else:
            list_enum = None
        clause_enum: Enumeration | None = None
        number = 0
        spans = _split(plain)
        fragment = ""
        for n, (a, b) in enumerate(spans):
            sentence_text = plain[a:b]
            if len(re.sub(r"[\W_]", "", sentence_text)) < MIN_CHARS:
                fragment = sentence_text  # 看什么：一是… : the lead of the clauses that follow
                continue
            number += 1
            s = Sentence(index=len(doc.sentences), text=sentence_text, paragraph=paragraph, number=number,
                         start=offsets[a], end=offsets[b - 1] + 1, heading=heading, list_item=kind == "item")
            s.clause = clause_ordinal(sentence_text)
            if kind == "item" and n == 0 and list_enum is not None:
                list_enum.sentences.append(s.index)
                s.enumeration = doc.enumerations.index(list_enum)
            elif s.clause is not None:
                if s.clause == 1 or clause_enum is None:
                    previous = doc.sentences[-1].text if doc.sentences and doc.sentences[-1].paragraph == paragraph \
                        else ""
                    clause_enum = Enumeration(lead=fragment or previous or last_lead, heading=heading)
                    doc.enumerations.append(clause_enum)
                clause_enum.sentences.append(s.index)
                s.enumeration = doc.enumerations.index(clause_enum)
            doc.sentences.append(s)
            fragment = ""
        if kind != "item" and doc.sentences and doc.sentences[-1].paragraph == paragraph:
            last_lead = doc.sentences[-1].text
            last_heading = heading
    doc.paragraphs = paragraph
    doc.enumerations = [e for e in doc.enumerations if len(e.sentences) >= 2]
    for s in doc.sentences:
        s.enumeration = None
    for i, e in enumerate(doc.enumerations):
        for idx in e.sentences:
            doc.sentences[idx].enumeration = i
    return doc


def _drop_emphasis(text: str) -> tuple[str, list[int]]:
    """``text`` without ``**``/``__`` and the indices of the characters kept."""
    keep = []
    out = []
    i = 0
    while i < len(text):
        if text.startswith("**", i) or text.startswith("__", i):
            i += 2
            continue
        keep.append(i)
        out.append(text[i])
        i += 1
    return "".join(out), keep
