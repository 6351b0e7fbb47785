"""The Chinese text template inside a Word .docx (paragraphs and tables).

The document is turned into lines, in reading order (paragraphs, then each
table row cell by cell), and read by the text-template parser, so every rule
of ``text.py`` applies. Word's automatic list numbering is not part of the
text; a numbered paragraph that does not start with a number gets its list
number written in front of it, so that questions numbered by Word are found.

The zip is checked for bombs before python-docx opens it.
"""
from __future__ import annotations

import io
import re

from flask_babel import gettext

from quiz.banks.formats import check_zip
from quiz.banks.formats import text as text_format
from quiz.banks.types.base import ParseResult, QuestionData
from quiz.text import UnreadableFile

NAME = "docx"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_STARTS_NUMBERED = re.compile(r"^\s*(?:\d|[（(]\d|[A-HＡ-Ｈ][.、．:：)）]|[一二三四五六七八九十]+、|答案|正确答案|参考答案|解析|【)")


def _text_of(p) -> str:
    parts = []
    for node in p.iter():
        if node.tag == _W + "t":
            parts.append(node.text or "")
        elif node.tag == _W + "tab":
            parts.append("\t")
        elif node.tag in (_W + "br", _W + "cr"):
            parts.append("\n")
    return "".join(parts)


def document_lines(data: bytes) -> list[str]:
    """The document's text as lines, Word list numbers written out."""
    import docx  # python-docx

    check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a bad package
        raise UnreadableFile(gettext("Word 文件无法打开：请在 Word 中重新另存为 .docx 后上传。")) from exc
    lines: list[str] = []
    counters: dict[tuple[str, str], int] = {}

    def paragraph(p) -> None:
        text = _text_of(p)
        num = p.find(f"{_W}pPr/{_W}numPr")
        if num is not None and text.strip() and not _STARTS_NUMBERED.match(text):
            num_id = num.find(f"{_W}numId")
            ilvl = num.find(f"{_W}ilvl")
            key = (num_id.get(f"{_W}val") if num_id is not None else "",
                   ilvl.get(f"{_W}val") if ilvl is not None else "0")
            counters[key] = counters.get(key, 0) + 1
            text = f"{counters[key]}. {text}"
        lines.extend(text.split("\n"))

    for child in document.element.body.iterchildren():
        if child.tag == _W + "p":
            paragraph(child)
        elif child.tag == _W + "tbl":
            for row in child.iter(_W + "tr"):
                for cell in row.iter(_W + "tc"):
                    for p in cell.iter(_W + "p"):
                        paragraph(p)
                lines.append("")
    return lines


def parse(data: bytes, filename: str = "") -> ParseResult:
    result = text_format.parse_text("\n".join(document_lines(data)))
    result.format = NAME
    return result


def export(questions: list[QuestionData]) -> bytes:
    """The text template as a Word document, one paragraph per line."""
    import docx

    document = docx.Document()
    for line in text_format.export_lines(questions):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
