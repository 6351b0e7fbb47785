"""Give back what NFKC folded, where the source had it: ``（）：`` ``①②③`` ``℃`` ``㎡`` ``…``.

The text template is parsed on NFKC-normalised lines (so ``Ａ．`` is an
option marker and ``答案：`` an answer line), which turns ``（`` into ``(``,
``①`` into ``1``, ``㎡`` into ``m2``. What a worker reads must be what the
trainer wrote, so the parser keeps, for each normalised line, what each of
its characters was in the source, and ``restore`` puts the source's
characters back into a parsed text by aligning it with its source lines.
Nothing is guessed: a character comes back only where the source had it.

Folded for good (they are the same text): full-width letters and digits,
spaces, zero-width characters and the radical look-alikes of
``common.normalize``. Given back: every other character NFKC changes (full-
width punctuation, circled and parenthesised numbers, ℃, ㎡, ², …).
Circled numbers inside a line stay unfolded even in the lines the parser
reads, so that ``①我决定…`` stays a line of the stem; one opening a line
before ``、`` or ``.`` (``①、下列…``) numbers a question and is folded.

Pure: no Flask, no database.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from quiz.text import RADICAL_TABLE, ZERO_WIDTH, normalize

_KEEP_FOLDED = re.compile(r"[\u2e80-\u2fdf]")  # radicals: look-alikes of ordinary characters


def restorable(ch: str) -> bool:
    """Whether ``ch`` is a character NFKC changes that a reader should see as written."""
    if _KEEP_FOLDED.match(ch) or ZERO_WIDTH.match(ch):
        return False
    if unicodedata.category(ch) in ("Lu", "Ll", "Lt", "Lo", "Lm", "Nd", "Zs", "Cc", "Cf"):
        return False
    return unicodedata.normalize("NFKC", ch) != ch


def circled(ch: str) -> bool:
    """①…⑳, ⑴…⒇, ⒈…⒛, ㈠…㈩ and the like: list markers inside a question's text."""
    return (restorable(ch) and unicodedata.category(ch) in ("No", "So")
            and unicodedata.normalize("NFKC", ch)[:1] in "(0123456789")


_SPACE_SET = frozenset(" \t\u00a0\u3000" + "".join(chr(c) for c in range(0x2002, 0x200b)))


@functools.lru_cache(maxsize=8192)
def _char(ch: str) -> tuple[str, bool, bool, bool]:
    """(what normalize makes of ``ch``, whether it is given back, whether it is a circled
    number, whether it simply stays as it is)."""
    if ZERO_WIDTH.match(ch):
        return "", False, False, False
    folded = unicodedata.normalize("NFKC", ch).translate(RADICAL_TABLE)
    keep = restorable(ch)
    return folded, keep, circled(ch), folded == ch and ch not in _SPACE_SET and not keep


def fold_line(line: str) -> tuple[str, list[str]]:
    """``line`` as the parser reads it, and per character of that, the source's text there.

    The parser's form is ``normalize(line)`` with circled numbers kept. The
    second list has, for each character of it, what to show instead: the
    source's character for the first character of a restorable one (``"㎡"``
    for ``m``), ``""`` for the rest of its expansion (``"2"``), else the
    character itself. When NFKC does not fold character by character
    (combining marks), the line is returned as ``normalize`` gives it and
    nothing is restored.
    """
    plain = normalize(line)
    if line.isascii():
        return plain, list(plain)
    chars: list[str] = []
    shown: list[str] = []
    kept_circled = False
    # "①、" or "⑾." opening a line numbers a question (real banks do this): folded, so the parser sees "1、"
    opening = re.match(r"^\s*(\S)\s*[、.．]", line)
    number_at = opening.start(1) if opening and _char(opening.group(1))[2] else -1
    for at, ch in enumerate(line):
        folded, keep, is_circled, simple = _char(ch)
        if simple:
            chars.append(ch)
            shown.append(ch)
            continue
        if is_circled and at != number_at:
            chars.append(ch)
            shown.append(ch)
            kept_circled = True
            continue
        for k, c in enumerate(folded):
            if c in _SPACE_SET:
                if chars and chars[-1] == " ":
                    continue
                c = " "
            chars.append(c)
            shown.append((ch if k == 0 else "") if keep else c)
    while chars and chars[0] == " ":
        chars.pop(0)
        shown.pop(0)
    while chars and chars[-1] == " ":
        chars.pop()
        shown.pop()
    text = "".join(chars)
    back = "".join(_char(c)[0] if _char(c)[2] else c for c in text) if kept_circled else text
    if back != plain:  # NFKC composed across characters: restore nothing
        return plain, list(plain)
    return text, shown


class Source:
    """The parser's lines of a file, each with what its characters were in the source."""

    def __init__(self, lines: list[str]):
        self.lines: list[str] = []
        self.shown: list[list[str]] = []
        for line in lines:
            text, shown = fold_line(line)
            self.lines.append(text)
            self.shown.append(shown)

    def region(self, first: int, last: int) -> tuple[str, list[str]]:
        """Lines ``first``..``last`` (1-based, inclusive) joined by line breaks, with their shown text."""
        text: list[str] = []
        shown: list[str] = []
        for i in range(max(first, 1) - 1, min(last, len(self.lines))):
            if text:
                text.append("\n")
                shown.append("\n")
            text.append(self.lines[i])
            shown.extend(self.shown[i])
        return "".join(text), shown


def restore(text: str, region: tuple[str, list[str]]) -> str:
    """``text`` (parsed from ``region``'s lines) with the source's characters given back.

    ``text`` is walked beside the region's parser form: equal characters take
    what the source had there; where they differ (a ``( )`` put where a key
    stood, a wrapped line joined, "(2分)" cut out) the walk finds its place
    again a few characters on, and characters that come from nowhere in the
    source are left as they are. Linear in the length of the text.
    """
    source, shown = region
    if not text or not source:
        return text
    start = source.find(text)
    if start >= 0:  # the usual case: an option, a one-line stem
        return "".join(shown[start:start + len(text)])
    out = list(text)
    i, j = 0, max(source.find(text[:_SYNC]), 0)
    while i < len(text) and j < len(source):
        if text[i] == source[j]:
            out[i] = shown[j]
            i += 1
            j += 1
            continue
        k = source.find(text[i:i + _SYNC], j, j + _WINDOW + _SYNC)
        if k > j:
            j = k
        else:
            i += 1  # not in the source here: left as it is
    return "".join(out)


_SYNC = 3  # characters that must agree to find the place again
_WINDOW = 40  # how far ahead in the source the place may be
