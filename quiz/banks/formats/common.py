"""Helpers every format module shares: restoring punctuation, accepting a question.

Pure functions. Anything that reads "what a trainer typed" goes through
``quiz.text.normalize`` first, so that full-width letters, U+3000, NBSP and
look-alike Kangxi radicals compare equal to what the trainer meant.
"""
from __future__ import annotations

import re

from quiz.banks.types import get
from quiz.banks.types.base import Issue
from quiz.text import normalize

_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u201c\u201d\u2018\u2019"
_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_ASCII_PUNCT_NEAR_CJK = re.compile(
    rf"(?<=[{_CJK}])\s?([,:;?!()])|([,:;?!()])(?=\s?[{_CJK}])"
)


def display(text: str) -> str:
    """Give Chinese text back its full-width punctuation after ``normalize``.

    NFKC turns ``，：；？！（）`` into ASCII, which parsers want and workers
    should not see: ``下列说法正确的是( )?`` reads as ``下列说法正确的是（ ）？``.
    Only punctuation touching a Chinese character changes, so ``1,000``,
    ``A.B`` and English sentences stay as they were.
    """
    if not text:
        return text

    def full(match: re.Match) -> str:
        mark = match.group(1) or match.group(2)
        whole = match.group(0)
        return whole.replace(mark, _FULL[mark])

    previous = None
    while previous != text:  # "( )" needs two passes: "(" then ")" after it
        previous = text
        text = _ASCII_PUNCT_NEAR_CJK.sub(full, text)
    return text


def accept(result, q, where: str) -> bool:
    """Add ``q`` to ``result`` if the type registry finds it valid; else record
    each problem as an error at ``where``. Returns whether it was added."""
    problems = get(q.type).validate(q)
    if problems:
        result.errors.extend(Issue(where, p) for p in problems)
        return False
    result.questions.append(q)
    return True
