"""Moodle XML, parsed with defusedxml; categories become ``category``.

multichoice → single/multiple, truefalse → truefalse, shortanswer → fill
(accepted answers are those with fraction 100), essay → short (graderinfo is
the reference), cloze made only of short-answer blanks → fill. Other types
(matching, numerical, calculated, drag-and-drop …) are reported as skipped
with the line of their ``<question>``. Malformed XML is one error with its
line, never a crash; HTML named entities such as ``&uarr;`` (undefined in
XML, fatal to a parser) are replaced by their characters with a warning.
"""
from __future__ import annotations

import html
import html.entities
import re
import xml.etree.ElementTree as ET

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from flask_babel import gettext

from quiz.banks.formats.common import accept
from quiz.banks.types import get as get_type
from quiz.banks.types.base import Issue, ParseResult, QuestionData, Skipped
from quiz.banks.types.fill import BLANK, blank_count
from quiz.banks.types.short import make_answer
from quiz.text import decode, normalize

NAME = "moodlexml"
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_CLOZE = re.compile(r"\{(\d*):(SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC|[A-Z_]+):((?:\\.|[^}])*)\}")
_TYPE_LABELS = {"matching": "匹配题", "numerical": "数值题", "calculated": "计算题", "calculatedsimple": "计算题",
                "calculatedmulti": "计算题", "ddwtos": "拖放题", "gapselect": "下拉选词题", "ordering": "排序题",
                "randomsamatch": "随机匹配题", "ddmarker": "拖放标记题", "ddimageortext": "拖放图片题"}


def _where(n: int) -> str:
    return gettext("第 %(n)s 行", n=n)


def _fix_entities(text: str, result: ParseResult) -> str:
    seen: dict[str, int] = {}

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name in _XML_ENTITIES or name not in html.entities.name2codepoint:
            return m.group(0)
        if name not in seen:
            seen[name] = text.count("\n", 0, m.start()) + 1
        return chr(html.entities.name2codepoint[name])

    fixed = _ENTITY.sub(sub, text)
    for name, line in seen.items():
        result.warnings.append(Issue(_where(line), gettext(
            "XML 中的 HTML 实体 &%(name)s; 不合规范，已替换为对应字符。", name=name)))
    return fixed


def _plain(el, fmt: str | None = None) -> str:
    if el is None:
        return ""
    t = el.find("text")
    raw = (t.text if t is not None else el.text) or ""
    fmt = fmt or el.get("format", "html")
    if fmt in ("html", "moodle_auto_format", "markdown") and re.search(r"<[A-Za-z/!]", raw):
        raw = re.sub(r"<br\s*/?>|</p>|</div>", "\n", raw, flags=re.I)
        raw = re.sub(r"<[^>]+>", "", raw)
    raw = html.unescape(raw) if fmt != "plain_text" else raw
    return "\n".join(normalize(line) for line in raw.strip().split("\n")).strip()


def _fraction(a) -> float:
    try:
        return float(a.get("fraction", "0"))
    except ValueError:
        return 0.0


def parse(data: bytes, filename: str = "") -> ParseResult:
    result = ParseResult(format=NAME)
    text = decode(data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # decoded already: drop the encoding claim
    text = _fix_entities(text, result)
    try:
        root = SafeET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        result.errors.append(Issue(_where(line), gettext(
            "XML 格式错误（%(detail)s）：文件不是完整的 Moodle XML，请在 Moodle 中重新导出，或修正该行后上传。",
            detail=str(exc).split(":")[0])))
        return result
    except DefusedXmlException:
        result.errors.append(Issue(gettext("整个文件"), gettext(
            "XML 中含有实体或 DTD 定义，出于安全原因已拒绝：请在 Moodle 中重新导出。")))
        return result
    if root.tag != "quiz":
        result.errors.append(Issue(_where(1), gettext("根元素不是 <quiz>：这不是 Moodle XML 题库。")))
        return result
    lines = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<question[\s>]", text)]
    category = ""
    for k, qel in enumerate(root.findall("question")):
        where = _where(lines[k] if k < len(lines) else 1)
        qtype = qel.get("type", "")
        if qtype == "category":
            path = _plain(qel.find("category"), "plain_text")
            path = re.sub(r"^\$(?:course|system|module|cat\d*)\$/", "", path)
            category = re.sub(r"^top(?:/|$)", "", path)
            continue
        if qtype == "description":
            continue
        stem = _plain(qel.find("questiontext"))
        q = QuestionData(type="", stem=stem, where=where, category=category,
                         explanation=_plain(qel.find("generalfeedback")))
        grade = qel.findtext("defaultgrade")
        if grade:
            try:
                q.points = float(grade)
            except ValueError:
                pass
        q.tags = [normalize(t.findtext("text") or "") for t in qel.findall("tags/tag")] + \
                 [normalize(t.findtext("text") or t.text or "") for t in qel.findall("tag")]
        q.tags = [t for t in q.tags if t]
        answers = qel.findall("answer")
        if qtype == "multichoice":
            q.options = [_plain(a) for a in answers]
            q.answer = [i for i, a in enumerate(answers) if _fraction(a) > 0]
            q.type = "single" if len(q.answer) == 1 else "multiple"
        elif qtype == "truefalse":
            right = [a for a in answers if _fraction(a) >= 100]
            word = _plain(right[0], "plain_text").lower() if right else ""
            q.type, q.answer = "truefalse", word in ("true", "正确", "对", "yes")
            if not right:
                q.answer = None
        elif qtype == "shortanswer":
            q.type = "fill"
            accepted = [_plain(a, "plain_text") for a in answers if _fraction(a) >= 100]
            q.answer = [[a for a in accepted if a]]
            if blank_count(q.stem) == 0:
                q.stem = q.stem + BLANK
        elif qtype == "essay":
            info = _plain(qel.find("graderinfo"))
            keywords: list[str] = []
            m = re.search(r"\n?关键词:(.*)$", info)
            if m:
                keywords = [w for w in re.split(r"[、,，;；]", m.group(1)) if w.strip()]
                info = info[: m.start()].strip()
            q.type, q.answer = "short", make_answer(info, keywords)
        elif qtype in ("cloze", "multianswer"):
            subs = list(_CLOZE.finditer(stem))
            if not subs or any(s.group(2) not in ("SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC")
                               for s in subs):
                result.skipped.append(Skipped(where, gettext("完形填空（含选择或数值空）")))
                continue
            q.type = "fill"
            q.answer = [_cloze_answers(s.group(3)) for s in subs]
            q.stem = _CLOZE.sub(BLANK, stem)
        else:
            result.skipped.append(Skipped(where, _TYPE_LABELS.get(qtype, qtype or "?")))
            continue
        accept(result, q, where)
    if not result.questions and not result.errors and not result.skipped:
        result.errors.append(Issue(gettext("整个文件"), gettext("没有找到 Moodle XML 题目。")))
    return result


def _cloze_answers(body: str) -> list[str]:
    out = []
    for alt in re.split(r"(?<!\\)~", body):
        m = re.match(r"^\s*(=|%100%)(.*)$", alt, re.S)
        if not m:
            continue
        value = re.split(r"(?<!\\)#", m.group(2))[0]
        value = re.sub(r"\\(.)", r"\1", value)
        if value.strip():
            out.append(normalize(value))
    return out


def _cloze_escape(text: str) -> str:
    return re.sub(r"([\\}~#=%])", r"\\\1", text)


def _sub(parent, tag, text=None, **attrs):
    el = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        el.text = str(text)
    return el


def export(questions: list[QuestionData]) -> bytes:
    quiz = ET.Element("quiz")
    category = None
    for n, q in enumerate(questions, 1):
        if q.category != category:
            category = q.category
            c = _sub(quiz, "question", type="category")
            _sub(_sub(c, "category"), "text", "$course$/top" + (f"/{category}" if category else ""))
        t = get_type(q.type)
        el = _sub(quiz, "question")
        _sub(_sub(el, "name"), "text", q.stem.replace("\n", " ")[:40] or str(n))
        stem = t.moodle_text(q, _cloze_escape)
        _sub(_sub(el, "questiontext", format="plain_text"), "text", stem)
        _sub(_sub(el, "generalfeedback", format="plain_text"), "text", q.explanation or "")
        if q.points is not None:
            _sub(el, "defaultgrade", f"{q.points:g}")
        kind = t.moodle_fill(el, q, _sub)
        el.set("type", kind)
        if q.tags:
            tags = _sub(el, "tags")
            for tag in q.tags:
                _sub(_sub(tags, "tag"), "text", tag)
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8", xml_declaration=False) + b"\n"
