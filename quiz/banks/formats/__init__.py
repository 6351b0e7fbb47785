"""Import/export formats: one module per format, one registry.

``parse(data, filename, format="auto")`` returns a ``ParseResult``;
``export(questions, format)`` returns bytes. A format's module is imported
when it is first used (``docx`` imports this package's ``check_zip``).

Uploads that cannot be read at all raise ``UnreadableFile`` with a message
saying what to do: a legacy Word ``.doc``, an unknown binary, a broken zip,
or a zip bomb (checked before python-docx or openpyxl opens the file).
"""
from __future__ import annotations

import importlib
import io
import zipfile
from pathlib import PurePath

from flask_babel import gettext

from quiz.banks.types import get as get_type
from quiz.banks.types.base import ParseResult, QuestionData
from quiz.i18n import N_
from quiz.text import UnreadableFile

# name -> (module, file extensions it reads)
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "text": ("quiz.banks.formats.text", (".txt", ".text", ".md")),
    "docx": ("quiz.banks.formats.docx", (".docx",)),
    "sheet": ("quiz.banks.formats.sheet", (".xlsx", ".xlsm", ".xls", ".csv")),
    "gift": ("quiz.banks.formats.gift", (".gift",)),
    "aiken": ("quiz.banks.formats.aiken", ()),
    "moodlexml": ("quiz.banks.formats.moodlexml", (".xml",)),
}
# what each format is called on the pages trainers read (not the module names)
LABELS = {"text": N_("文本模板"), "docx": N_("Word 文档"), "sheet": N_("Excel 表格"), "gift": N_("GIFT（Moodle 文本）"),
          "aiken": N_("Aiken 文本"), "moodlexml": N_("Moodle XML")}


def format_label(name: str, filename: str = "") -> str:
    """A format as people call it: "Excel 表格", "CSV 表格", "文本模板", "Word 文档" …"""
    if name == "sheet" and PurePath(filename or "").suffix.lower() == ".csv":
        return gettext("CSV 表格")
    return gettext(LABELS[name]) if name in LABELS else name


EXPORT_EXTENSIONS = {"text": ".txt", "docx": ".docx", "sheet": ".xlsx", "gift": ".gift",
                     "aiken": ".txt", "moodlexml": ".xml"}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def module(name: str):
    """The module of format ``name``; ``UnreadableFile`` for a name that is no format."""
    if name not in FORMATS:
        raise UnreadableFile(gettext("不支持的格式“%(name)s”。", name=name))
    return importlib.import_module(FORMATS[name][0])


def check_zip(data: bytes) -> None:
    """Refuse a zip bomb or a broken zip before anything decompresses it (``quiz.archives``)."""
    from quiz.archives import UploadRefused, check_zip as check

    try:
        check(data)
    except UploadRefused as exc:
        raise UnreadableFile(str(exc)) from exc


def detect(filename: str, data: bytes) -> str:
    """Which format a file is in, from its name and first bytes."""
    ext = PurePath(filename or "").suffix.lower()
    head = data[:4096]
    if ext == ".doc" or (head.startswith(_OLE) and ext not in (".xls",)):
        raise UnreadableFile(gettext("这是旧版 Word（.doc）文件：请在 Word 中另存为 .docx 后重新上传。"))
    if head.startswith(b"PK\x03\x04"):
        if ext in (".xlsx", ".xlsm"):
            return "sheet"
        if ext == ".docx":
            return "docx"
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile as exc:
            raise UnreadableFile(gettext("文件已损坏，无法打开：请重新保存后上传。")) from exc
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "sheet"
        raise UnreadableFile(gettext("无法识别的压缩文件：请上传 .docx、.xlsx、.xls、.csv 或 .txt 题库。"))
    if ext == ".xls" or head.startswith(_OLE):
        return "sheet"
    for name, (_, exts) in FORMATS.items():
        if ext in exts and name not in ("docx",):
            if name == "moodlexml" and b"<quiz" not in data[:65536] and b"<question" not in data[:65536]:
                raise UnreadableFile(gettext(
                    "这个 XML 文件不是 Moodle XML 题库（例如 IMS QTI）：请导出为 Moodle XML、GIFT 或 Excel 后重新上传。"))
            if name == "text":
                return _sniff_text(data) or "text"
            return name
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(gettext("无法识别的文件类型：请上传 .docx、.xlsx、.xls、.csv、.txt、GIFT 或 Moodle XML 题库。"))
    sniffed = _sniff_text(data)
    if sniffed:
        return sniffed
    if ext in ("", ".txt") or ext not in (".pdf", ".zip", ".rar", ".7z", ".png", ".jpg", ".jpeg", ".ppt", ".pptx"):
        return "text"
    raise UnreadableFile(gettext("无法识别的文件类型：请上传 .docx、.xlsx、.xls、.csv、.txt、GIFT 或 Moodle XML 题库。"))


def _sniff_text(data: bytes) -> str | None:
    """Tell GIFT, Aiken and Moodle XML apart from the Chinese template by content."""
    import re

    from quiz.text import decode

    try:
        text = decode(data[:65536])
    except UnreadableFile:
        return None
    stripped = text.lstrip("\ufeff \r\n\t")
    if stripped.startswith("<?xml") or stripped.startswith("<quiz"):
        return "moodlexml" if "<quiz" in text or "<question" in text else None
    if re.search(r"^\s*ANSWER\s*:\s*[A-Z]\s*$", text, re.M) and not re.search(r"答案", text):
        return "aiken"
    if re.search(r"\{\s*(?:[=~]|T\b|F\b|TRUE\b|FALSE\b|#)", text) and (
            re.search(r"^\s*::", text, re.M) or re.search(r"^\s*[=~]", text, re.M) or "$CATEGORY" in text):
        return "gift"
    return None


def parse(data: bytes, filename: str = "", format: str = "auto") -> ParseResult:
    """Parse an uploaded file; ``UnreadableFile`` when it cannot be read at all."""
    name = detect(filename, data) if format == "auto" else format
    if name == "docx" or (name == "sheet" and data[:4] == b"PK\x03\x04"):
        check_zip(data)
    result = module(name).parse(data, filename)
    for q in result.questions:
        _restore_punctuation(q)
    return result


def _restore_punctuation(q: QuestionData) -> None:
    """Full-width punctuation back in what workers read (see ``common.display``)."""
    from quiz.banks.formats.common import display

    q.stem = display(q.stem)
    q.options = [display(o) for o in q.options]
    q.explanation = display(q.explanation)
    q.source_excerpt = display(q.source_excerpt)
    q.answer = get_type(q.type).map_answer_text(q.answer, display)


def export(questions: list[QuestionData], format: str) -> bytes:
    """The questions written in ``format``."""
    return module(format).export(questions)
