"""Writing the text template: questions back to the lines ``text.parse`` reads.

One section per type (一、单选题 …), numbered questions, options ``A.``,
``答案：`` in the type's own text form, then the 解析 / 难度 / 分值 / 分类 /
标签 / 工种 / 出处 lines. Export → parse is the identity (tests/banks/
test_roundtrip.py); ``docx`` writes the same lines into a Word file.
"""
from __future__ import annotations

from quiz.banks.types import all_types, get as get_type
from quiz.banks.types.base import QuestionData
from quiz.banks.types.single import letter


_CN_ORDINALS = "一二三四五六七八九十"


def export_lines(questions: list[QuestionData]) -> list[str]:
    """The template as lines; one section per type, in registry order."""
    out: list[str] = []
    section = 0
    for qtype in all_types():
        group = [q for q in questions if q.type == qtype.name]
        if not group:
            continue
        if out:
            out.append("")
        out.append(f"{_CN_ORDINALS[section]}、{qtype.title}")
        section += 1
        for n, q in enumerate(group, 1):
            out.extend(question_lines(q, n))
            out.append("")
    return out


def question_lines(q: QuestionData, n: int) -> list[str]:
    t = get_type(q.type)
    lines = [f"{n}. {q.stem}"]
    for i, opt in enumerate(q.options if t.has_options else []):
        lines.append(f"{letter(i)}. {opt}")
    lines.append("答案：" + t.text_answer(q))
    if q.explanation:
        lines.append("解析：" + q.explanation)
    lines.extend(t.text_extra_lines(q))
    if q.difficulty is not None:
        lines.append(f"难度：{q.difficulty}")
    if q.points is not None:
        lines.append("分值：" + (f"{q.points:g}"))
    if q.category:
        lines.append("分类：" + q.category)
    if q.tags:
        lines.append("标签：" + "、".join(q.tags))
    if q.job_types:
        lines.append("工种：" + "、".join(q.job_types))
    if q.source_excerpt:
        lines.append("出处：" + q.source_excerpt)
    return lines


def export(questions: list[QuestionData]) -> bytes:
    """The Chinese text template, UTF-8 with BOM (Notepad on Windows reads it)."""
    return ("\ufeff" + "\r\n".join(export_lines(questions)) + "\r\n").encode("utf-8")
