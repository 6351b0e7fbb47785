"""The key list at the end of a text file: ``参考答案`` then ``1.B 2.C 3-5.ADC`` or one key a line.

Pure helpers of ``reader._Reader``: whether a bare ``参考答案`` line starts
such a list, the keys one line of it holds, and matching the keys to the
questions that have no answer yet (by number, and by section when the list
has section headings).
"""
from __future__ import annotations

import re

_KEY_ITEM = re.compile(r"(\d{1,4})\s*[.、:)]?\s*([A-Ha-h]+|√|×|✓|✗|对|错|正确|错误)(?![A-Za-z])")
_KEY_RANGE = re.compile(r"(\d{1,4})\s*[-~—]+\s*(\d{1,4})\s*[.、:]?\s*([A-Ha-h√×]+)")
_KEY_BARE = re.compile(r"^([A-Ha-h]{1,8}|√|×|对|错|正确|错误)$")


def key_list_ahead(ahead: list[str], open_question: bool) -> bool:
    """Whether the non-blank lines ``ahead`` of a bare 参考答案 line are a key list
    (rather than the one key of the question still open, ``open_question``)."""
    if not ahead:
        return False
    first = ahead[0]
    if _KEY_ITEM.match(first) and re.match(r"^\d", first):
        return True
    bare = 0
    for line in ahead:
        if _KEY_BARE.match(line):
            bare += 1
        else:
            break
    return bare >= 2 or not open_question


def keys_on_line(line: str) -> list[tuple[str | None, str]] | None:
    """The (question number or None, key) pairs of one line; None when it holds no key."""
    if _KEY_BARE.match(line):
        return [(None, line)]
    found = False
    out: list[tuple[str | None, str]] = []
    for a, b, keys in _KEY_RANGE.findall(line):
        found = True
        a, b = int(a), int(b)
        for k, n in enumerate(range(a, b + 1)):
            if k < len(keys):
                out.append((str(n), keys[k]))
    line = _KEY_RANGE.sub(" ", line)
    for n, key in _KEY_ITEM.findall(line):
        found = True
        out.append((n, key))
    return out if found else None


def match_keys(blocks, keys: list[tuple[int, str | None, str | None, str]]) -> list[tuple[int, str]]:
    """Give each (line, section, number, key) to the first block without an answer it fits.

    Returns the (line, what was written) of the keys that fit no question.
    """
    unmatched = []
    pending = [b for b in blocks if b.answer is None]
    for ln, section, number, key in keys:
        target = None
        for b in pending:
            if (number is None or b.number == number) and (
                    section is None or b.section == section or number is None):
                target = b
                break
        if target is None:
            unmatched.append((ln, f"{number or ''}{key}"))
            continue
        target.answer = key
        target.answer_line = ln
        pending.remove(target)
    return unmatched
