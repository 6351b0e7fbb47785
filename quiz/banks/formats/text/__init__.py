"""The Chinese text template (.txt), the format trainers paste from Word.

Reads what trainers really have (see ../shared/realworld-banks/FORMATS.md):
section headings (一、单选题 …), numbering ``1.`` ``1、`` ``1．`` ``（1）``,
options ``A.`` ``A、`` ``A)`` one per line, several on a line or glued to
the stem, answer lines (``答案：`` ``正确答案：`` ``参考答案：`` ``【答案】``),
answers glued to an option line, keys in the stem (``（D）`` ``（√）``),
``解析：`` ``难度：`` ``分值：`` ``分类：`` lines, a key list at the end of the
file, repeated page headers and leftover Word numbering (warnings).

The parser works in two passes: ``text.reader._Reader`` groups lines into
``_Block`` objects (one per question), then ``_finish`` here decides each
block's type and answer, so that a key list at the end can still fill in
answers. This module is that second pass: how an answer, a key in the stem,
points and the meta lines are interpreted, and what to tell the trainer when
they cannot be.

``export`` (``text.write``) writes the same template, so that export →
parse is the identity.
"""
from __future__ import annotations

import re

from flask_babel import gettext

from quiz.banks.formats.common import accept
from quiz.banks.formats.restore import Source, restore
from quiz.banks.types.single import letter, parse_letters
from quiz.banks.types.truefalse import parse_truefalse
# the format's export, where the registry and docx look for it
from quiz.banks.formats.text.reader import _Block, _join, _Reader, _where
from quiz.banks.formats.text.write import export, export_lines  # noqa: F401
from quiz.banks.types import get as get_type
from quiz.banks.types.base import Issue, ParseResult, QuestionData, Skipped
from quiz.banks.types.fill import blank_count, canonical_stem, split_answer_text
from quiz.banks.types.short import make_answer
from quiz.text import decode, normalize

NAME = "text"

# -- what an answer can be (the lines themselves are read by text.reader)
_STEM_KEY = re.compile(r"\(\s*([A-H](?:[\s,、]*[A-H])*)\s*\)")
_STEM_TF = re.compile(r"\(\s*(√|×|✓|✗|✔|✘|❌|正确|错误|对|错)\s*\)\s*[.。]?\s*$")
_STEM_POINTS = re.compile(r"\(\s*(\d+(?:\.\d+)?)\s*分\s*\)")
_CHOICE_KEY = re.compile(r"^\s*([A-Ha-h](?:[\s,、;/]*[A-Ha-h])*)(?![A-Za-z])\s*[.。,，;；:]?\s*(.*)$", re.S)
_TF_KEY = re.compile(r"^\s*(正确|错误|对|错|√|×|✓|✗|✔|✘|❌|true|false|是|否|T|F)(?![A-Za-z])[.。!！]?\s*(.*)$", re.S | re.I)
_DIFFICULTY_WORDS = {"易": 1, "容易": 1, "简单": 1, "较易": 2, "中": 3, "中等": 3, "一般": 3, "适中": 3,
                     "较难": 4, "难": 5, "困难": 5}
_LIST_SPLIT = re.compile(r"[、,，;；|]")


_LIST_ITEM = re.compile(r"^(?:[\u2460-\u24ff\u3220-\u3243\u3251-\u325f\u32b1-\u32bf]|\(\d{1,2}\)|\d{1,2}[).、]"
                        r"|[(（]?[一二三四五六七八九十]{1,2}[)）、]|[-•·▪])")
_SENTENCE_END = re.compile(r"[。！？；：.!?;:]$")


def _keeps_break(before: str, line: str) -> bool:
    """A line break inside a stem stays when the trainer meant one: the next line is
    a list item (① … ⑴ … (1) … 一、…) or the line before it ends a sentence. A line
    that only wraps in the middle of a sentence (a hard wrap from Word or a PDF) joins."""
    return bool(_LIST_ITEM.match(line) or _SENTENCE_END.search(before))


def _glue(before: str, after: str) -> bool:
    """Whether two pieces of text need a space between them once something between them is cut."""
    return bool(before and after and before[-1].isascii() and before[-1].isalnum()
                and after[0].isascii() and after[0].isalnum())


def _difficulty(value: str) -> int | None:
    value = value.strip().rstrip("。.")
    if value in _DIFFICULTY_WORDS:
        return _DIFFICULTY_WORDS[value]
    try:
        n = float(value)
    except ValueError:
        return None
    if n == int(n) and 1 <= n <= 5:
        return int(n)
    return None


def _finish(b: _Block, result: ParseResult) -> None:
    """Decide one block's type and answer; add a question, an error or a skip."""
    where = _where(b.line)
    stem = ""
    for part in (p.strip() for p in b.stem):
        if part:
            stem = (stem + "\n" + part if _keeps_break(stem, part) else _join(stem, part)) if stem else part
    raw = (b.answer or "").strip()
    from_stem = False
    points = b.default_points
    # "(2分)" is the question's points wherever it stands: before the stem, after it, before or after the key
    m = _STEM_POINTS.search(stem)
    if m:
        points = float(m.group(1))
        stem = (stem[: m.start()].rstrip(" ") + (" " if _glue(stem[: m.start()], stem[m.end():]) else "")
                + stem[m.end():].lstrip(" ")).strip()
    if b.answer is None:
        m = _STEM_TF.search(stem)
        if m and not b.options:
            raw = m.group(1)
            stem = (stem[: m.start()] + "( )" + stem[m.end():]).strip()
            from_stem = True
        else:
            keys = list(_STEM_KEY.finditer(stem))
            if keys and b.options:
                m = keys[-1]
                raw = m.group(1)
                stem = stem[: m.start()] + "( )" + stem[m.end():]
                from_stem = True
    section = b.section
    if b.number is None and not b.options and b.answer is None and not from_stem:
        if stem:
            result.warnings.append(Issue(where, gettext(
                "“%(text)s”不像题目（没有题号、选项和答案），已忽略。", text=stem[:30])))
        return
    if section and section.startswith("?"):
        result.skipped.append(Skipped(where, section[1:]))
        return
    if not stem:
        result.errors.append(Issue(where, gettext("第 %(n)s 题没有题干：请补上题目内容。", n=b.number or "?")))
        return
    explanation = "\n".join(e for e in b.explanation if e).strip()
    q = QuestionData(type="", stem=stem, where=where, category=b.category)
    answer_where = _where(b.answer_line or b.line)

    options = list(b.options)
    while options and not options[-1].strip():
        options.pop()
        result.warnings.append(Issue(where, gettext(
            "第 %(n)s 题的选项 %(letter)s 是空的，已删去。", n=b.number or "?", letter=letter(len(options)))))
    tf_pair = [parse_truefalse(o) for o in options]
    is_tf_options = b.tf_options or (len(options) == 2 and set(tf_pair) == {True, False}
                                      and all(normalize(o).strip("。.") in ("正确", "错误", "对", "错", "√", "×", "是", "否")
                                              for o in options))
    q_type = None
    extra = ""
    if is_tf_options and section in (None, "truefalse", "single"):
        q_type = "truefalse"
        m = _CHOICE_KEY.match(raw)
        value = None
        if m and options and len(m.group(1).strip()) == 1:
            idx = ord(m.group(1).strip().upper()) - 65
            if idx < len(options):
                value = tf_pair[idx]
                extra = m.group(2)
        if value is None:
            m = _TF_KEY.match(raw)
            if m:
                value = parse_truefalse(m.group(1))
                extra = m.group(2)
        if value is None:
            result.errors.append(Issue(answer_where, _no_answer_message(b, raw, "truefalse")))
            return
        q.answer = value
        options = []
    elif options and section not in ("fill", "short", "truefalse"):
        m = _CHOICE_KEY.match(raw)
        keys = parse_letters(m.group(1), len(options)) if m else None
        if not keys:
            result.errors.append(Issue(answer_where, _no_answer_message(b, raw, "choice", len(options))))
            return
        extra = m.group(2)
        q_type = "multiple" if len(keys) > 1 else "single"
        if section == "multiple" and len(keys) == 1:
            result.warnings.append(Issue(where, gettext(
                "多选题只有一个正确选项 %(key)s，已按单选题导入。", key=letter(keys[0]))))
        elif section == "single" and len(keys) > 1:
            result.warnings.append(Issue(where, gettext(
                "单选题给出了多个正确选项 %(key)s，已按多选题导入。", key="".join(letter(k) for k in keys))))
        q.answer = keys
    else:
        if options and section in ("fill", "short", "truefalse"):
            result.warnings.append(Issue(where, gettext("该题型不需要选项，选项已并入题干。")))
            stem = stem + "\n" + "\n".join(f"{letter(i)}. {o}" for i, o in enumerate(options))
            q.stem = stem
            options = []
        tf = _TF_KEY.match(raw) if raw else None
        if section == "truefalse" or (section is None and tf and not tf.group(2).strip()):
            if not tf:
                result.errors.append(Issue(answer_where, _no_answer_message(b, raw, "truefalse")))
                return
            q_type, q.answer, extra = "truefalse", parse_truefalse(tf.group(1)), tf.group(2)
        elif section in (None, "single", "multiple") and raw and _CHOICE_KEY.match(raw) and \
                not _CHOICE_KEY.match(raw).group(2).strip() and section != "fill":
            result.errors.append(Issue(answer_where, gettext(
                "第 %(n)s 题的答案是选项字母 %(key)s，但题目没有选项：请在题干下面逐行写出 A. B. C. … 选项。",
                n=b.number or "?", key=raw)))
            return
        elif section == "fill" or (section is None and raw and blank_count(stem)):
            n = blank_count(stem)
            if not raw:
                result.errors.append(Issue(answer_where, _no_answer_message(b, raw, "fill")))
                return
            q_type = "fill"
            q.stem = canonical_stem(stem)
            q.answer = split_answer_text(raw, max(n, 1))
        elif section == "short" or section is None:
            if section is None and not raw:
                result.errors.append(Issue(answer_where, _no_answer_message(b, raw, "any")))
                return
            q_type = "short"
            q.answer = make_answer(raw, [])
        else:
            result.errors.append(Issue(answer_where, _no_answer_message(b, raw, "choice", 0)))
            return
    q.type = q_type
    q.options = options
    if q_type != "fill":
        q.stem = stem
    if extra.strip():
        explanation = (extra.strip() + ("\n" + explanation if explanation else ""))
    q.explanation = explanation
    q.points = points
    for key, (ln, value) in b.meta.items():
        _apply_meta(q, key, value, _where(ln), result)
    accept(result, q, where)


def _apply_meta(q: QuestionData, key: str, value: str, where: str, result: ParseResult) -> None:
    if key in ("难度", "难度系数"):
        d = _difficulty(value)
        if d is None and value:
            result.warnings.append(Issue(where, gettext(
                "难度“%(v)s”无法识别，已忽略：请写 1–5 的整数，或 易/较易/中等/较难/难。", v=value)))
        q.difficulty = d
    elif key in ("分值", "分数", "得分"):
        try:
            q.points = float(value.rstrip("分").strip())
        except ValueError:
            result.warnings.append(Issue(where, gettext("分值“%(v)s”不是数字，已忽略。", v=value)))
    elif key in ("分类", "类别", "知识点", "章节"):
        q.category = value
    elif key == "标签":
        q.tags = [t.strip() for t in _LIST_SPLIT.split(value) if t.strip()]
    elif key in ("工种", "岗位"):
        q.job_types = [t.strip() for t in _LIST_SPLIT.split(value) if t.strip()]
    elif key in ("出处", "来源", "原文"):
        q.source_excerpt = value
    elif key in ("关键词", "得分点") and q.type == "short":
        q.answer["keywords"] = [t.strip() for t in _LIST_SPLIT.split(value) if t.strip()]


def _no_answer_message(b: _Block, raw: str, kind: str, options: int = 0) -> str:
    n = b.number or "?"
    if not raw:
        return gettext("第 %(n)s 题没有答案：请在题目后加一行“答案：…”，或在题干括号里写出答案。", n=n)
    if kind == "truefalse":
        return gettext("第 %(n)s 题是判断题，但答案“%(a)s”不是 正确/错误：请写 正确、错误、对、错、√ 或 ×。",
                       n=n, a=raw[:20])
    if kind == "choice":
        last = letter(max(options, 1) - 1)
        return gettext("第 %(n)s 题的答案“%(a)s”不是 A–%(last)s 之间的选项字母：请改成选项字母，如 B 或 ACD。",
                       n=n, a=raw[:20], last=last)
    return gettext("第 %(n)s 题无法判断题型：请在前面加题型标题（如“一、单选题”），或补全选项和答案。", n=n)


_REGION_LINES = 80  # a question's text never runs longer than this; bounds the alignment's work


def _restore(q: QuestionData, region) -> None:
    """What NFKC folded, given back where the source had it (``restore``): ``（）`` ``①`` ``℃``."""
    q.stem = restore(q.stem, region)
    q.options = [restore(o, region) for o in q.options]
    q.explanation = restore(q.explanation, region)
    q.answer = get_type(q.type).map_answer_text(q.answer, lambda text: restore(text, region))


def parse_text(text: str) -> ParseResult:
    """Parse the text template from a str (already decoded)."""
    text = text.replace("^*^", "\n")
    # "#" starts a comment line (the shipped banks' header: # 题库：… # 文章：… # 工种：…);
    # it is blanked, not dropped, so line numbers in messages stay right
    source = Source(["" if line.lstrip().startswith("#") else line for line in text.splitlines()])
    reader = _Reader(source.lines)
    reader.read()
    reader.apply_keys()
    result = ParseResult(format=NAME, warnings=list(reader.warnings))
    blocks = reader.blocks
    for i, block in enumerate(blocks):
        before = len(result.questions)
        _finish(block, result)
        if len(result.questions) > before:
            last = blocks[i + 1].line - 1 if i + 1 < len(blocks) else len(source.lines)
            _restore(result.questions[-1], source.region(block.line, min(last, block.line + _REGION_LINES)))
    if not result.questions and not result.errors and not result.skipped:
        result.errors.append(Issue(gettext("整个文件"), gettext(
            "没有找到题目：请按模板书写，每题以“1.”这样的题号开头，选项写成“A.”，答案写成“答案：B”。")))
    return result


def parse(data: bytes, filename: str = "") -> ParseResult:
    return parse_text(decode(data))

