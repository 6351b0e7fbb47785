"""Aiken: Moodle's simplest format, single-answer multiple choice only.

A one-line stem, options ``A.`` or ``A)`` (Moodle also takes ``A)Text``),
then ``ANSWER: X``. Like Moodle, a question with fewer than two options or
no ANSWER line is reported and the rest of the file is still read.
"""
from __future__ import annotations

import re

from flask_babel import gettext

from quiz.banks.types import get as get_type
from quiz.banks.types.base import Issue, ParseResult, QuestionData
from quiz.banks.types.single import letter
from quiz.text import decode, normalize

NAME = "aiken"
_OPTION = re.compile(r"^([A-Z])\s*[.)]\s*(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*([A-Z])\s*$", re.I)


def _where(n: int) -> str:
    return gettext("第 %(n)s 行", n=n)


def parse(data: bytes, filename: str = "") -> ParseResult:
    result = ParseResult(format=NAME)
    stem, stem_line, options = None, 0, []

    def reset():
        nonlocal stem, options
        stem, options = None, []

    for n, raw in enumerate(decode(data).splitlines(), 1):
        line = normalize(raw)
        if not line:
            continue
        m = _ANSWER.match(line)
        if m:
            if stem is None:
                result.errors.append(Issue(_where(n), gettext("ANSWER 行前面没有题目：请检查题干和选项。")))
            elif len(options) < 2:
                result.errors.append(Issue(_where(stem_line), gettext(
                    "这道题的选项少于两个：请逐行写出 A. B. … 选项。")))
            else:
                idx = ord(m.group(1).upper()) - 65
                if idx >= len(options):
                    result.errors.append(Issue(_where(n), gettext(
                        "答案 %(a)s 超出了选项范围 A–%(last)s：请改正 ANSWER 行。",
                        a=m.group(1), last=letter(len(options) - 1))))
                else:
                    result.questions.append(QuestionData(
                        type="single", stem=stem, options=options, answer=[idx], where=_where(stem_line)))
            reset()
            continue
        m = _OPTION.match(line)
        if m and stem is not None and ord(m.group(1)) - 65 == len(options):
            options.append(m.group(2).strip())
            continue
        if stem is not None and not options:
            stem += "\n" + line  # Moodle wants one line; keep what follows the stem
            continue
        if stem is not None:
            result.errors.append(Issue(_where(stem_line), gettext(
                "这道题缺少“ANSWER: X”行：请在选项后加上答案。")))
        stem, stem_line, options = line, n, []
    if stem is not None:
        result.errors.append(Issue(_where(stem_line), gettext("这道题缺少“ANSWER: X”行：请在选项后加上答案。")))
    if not result.questions and not result.errors:
        result.errors.append(Issue(gettext("整个文件"), gettext("没有找到 Aiken 格式的题目。")))
    return result


def export(questions: list[QuestionData]) -> bytes:
    """Single-choice questions only (all that Aiken can say); others are left out."""
    out = []
    for q in questions:
        if not get_type(q.type).one_right_option:
            continue
        out.append(q.stem.replace("\n", " "))
        out.extend(f"{letter(i)}. {o}" for i, o in enumerate(q.options))
        out.append(f"ANSWER: {letter(q.answer[0])}")
        out.append("")
    return "\n".join(out).encode("utf-8")
