"""The text of a file uploaded to draft questions from: .docx, .txt/.md (UTF-8 or GBK), text-layer .pdf.

Pure: bytes in, text out. Word headings become Markdown ``#`` headings and
Word list paragraphs ``- `` items, so that the sentence splitter keeps the
knowledge points. A PDF without a text layer (a scan) raises
``UnreadableFile`` with a message saying what to do.
"""
from __future__ import annotations

import io
import re
from pathlib import PurePath

from flask_babel import gettext

from quiz.text import UnreadableFile, decode

EXTENSIONS = (".docx", ".txt", ".md", ".pdf")
MIN_PDF_CHARS = 20


def text_of(data: bytes, filename: str) -> str:
    """The text of an uploaded article file; ``UnreadableFile`` saying what to do when it has none."""
    ext = PurePath(filename or "").suffix.lower()
    if ext in (".txt", ".md", ".text", ""):
        text = decode(data)
    elif ext == ".docx":
        text = _docx(data)
    elif ext == ".pdf":
        text = _pdf(data)
    elif ext == ".doc":
        raise UnreadableFile(gettext("旧版 Word（.doc）文件无法读取：请在 Word 中另存为 .docx 后上传。"))
    else:
        raise UnreadableFile(gettext("不支持“%(ext)s”文件：请上传 .docx、.txt、.md 或带文字的 .pdf 文件。", ext=ext))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not re.search(r"[\u4e00-\u9fffA-Za-z]", text):
        raise UnreadableFile(gettext("文件里没有可读的文字：请检查文件内容后重新上传。"))
    return text


def _docx(data: bytes) -> str:
    import docx  # python-docx

    from quiz.banks.formats import check_zip

    check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a bad package
        raise UnreadableFile(gettext("Word 文件无法打开：请在 Word 中重新另存为 .docx 后上传。")) from exc
    lines = []
    for p in document.paragraphs:
        text = p.text.strip()
        if not text:
            lines.append("")
            continue
        style = (p.style.name if p.style is not None else "") or ""
        m = re.match(r"^(?:Heading|标题)\s*(\d)", style)
        if m or style == "Title":
            lines += ["", "#" * (int(m.group(1)) + 1 if m else 1) + " " + text, ""]
        elif "List" in style or "列表" in style:
            lines.append("- " + text)
        else:
            lines += [text, ""]
    for table in document.tables:
        for row in table.rows:
            lines += [" ".join(c.text.strip() for c in row.cells if c.text.strip()), ""]
    return "\n".join(lines)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableFile(gettext("PDF 文件无法打开：请检查文件是否完整，或另存为 .docx 后上传。")) from exc
    text = "\n\n".join(pages)
    if len(re.sub(r"\s", "", text)) < MIN_PDF_CHARS:
        raise UnreadableFile(gettext(
            "这个 PDF 没有文字层（可能是扫描件或图片）：请上传带文字的 PDF，或先做文字识别（OCR），"
            "也可以把文字复制到 .docx 或 .txt 文件中上传。"))
    return text
