"""Bounds on what an uploaded Office file may unpack to: one place for banks and rosters.

An .xlsx or .docx is a zip. A 200 KB file can unpack to hundreds of MB, and
openpyxl would then keep a worker busy until the server's timeout. Before any
reader opens a zip, ``open_zip`` refuses it when it is broken, has too many
members, unpacks to more than ``MAX_UNPACKED_MB`` (default 20 MB) in all, or
has a member that compresses suspiciously well. While a sheet is read,
``CellBudget`` stops after ``MAX_SHEET_ROWS`` rows or ``MAX_SHEET_CELLS``
cells. Every refusal is an ``UploadRefused`` whose text says what to do; the
callers turn it into their own "unreadable file" error.

Pure: the limits come from the Flask app's settings when there is one, else
from the defaults here.
"""
from __future__ import annotations

import io
import zipfile

from flask import current_app, has_app_context
from flask_babel import gettext as _

DEFAULT_UNPACKED_MB = 20
DEFAULT_ROWS = 100_000      # a 20,000-person roster or a 10,000-question bank is far below
DEFAULT_CELLS = 500_000     # read in about a second; a crafted sheet stops here
MAX_MEMBERS = 2000
MAX_RATIO = 100             # per member, once it is bigger than RATIO_FLOOR
RATIO_FLOOR = 2 * 1024 * 1024


class UploadRefused(ValueError):
    """The upload is refused before or while it is read; ``str(exc)`` says why and what to do."""


def _setting(name: str, default: int) -> int:
    if has_app_context():
        return int(current_app.config.get(name) or default)
    return default


def max_unpacked_bytes() -> int:
    return _setting("MAX_UNPACKED_MB", DEFAULT_UNPACKED_MB) * 1024 * 1024


def open_zip(data: bytes) -> zipfile.ZipFile:
    """``data`` as an open ZipFile, or ``UploadRefused`` before anything is decompressed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadRefused(_("文件已损坏，无法打开：请在 Excel 或 Word 中打开后重新保存，再上传。")) from exc
    if len(members) > MAX_MEMBERS:
        archive.close()
        raise UploadRefused(_("文件结构异常（压缩包内文件过多），已拒绝：请用 Excel 或 Word 重新保存后上传。"))
    limit = max_unpacked_bytes()
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size / max(info.compress_size, 1) > MAX_RATIO:
            archive.close()
            raise UploadRefused(_("文件解压后异常巨大，疑似“压缩炸弹”，已拒绝：请上传正常保存的文件。"))
    if total > limit:
        archive.close()
        raise UploadRefused(_(
            "文件解压后有 %(size)d MB，超过上限 %(mb)d MB，已拒绝：请删除无关的工作表、图片或空白行后重新保存，"
            "或拆成几个文件分别上传。", size=max(total // (1024 * 1024), 1), mb=limit // (1024 * 1024)))
    return archive


def office_kind(archive: zipfile.ZipFile) -> str | None:
    """Which Office document an opened zip is: ``"xlsx"`` (a workbook), ``"docx"`` (a Word
    document) or ``None``; callers say in their own words what they wanted instead."""
    names = {info.filename for info in archive.infolist()}
    if "xl/workbook.xml" in names or any(n.endswith("workbook.xml") for n in names):
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return None


def check_zip(data: bytes) -> None:
    """``open_zip`` for callers that only want the check."""
    open_zip(data).close()


class CellBudget:
    """Counts the rows and cells read from one file; refuses past the limits."""

    def __init__(self) -> None:
        self.max_rows = _setting("MAX_SHEET_ROWS", DEFAULT_ROWS)
        self.max_cells = _setting("MAX_SHEET_CELLS", DEFAULT_CELLS)
        self.rows = 0
        self.cells = 0

    def take(self, row) -> None:
        """Count one row: its cells up to the last one that holds something (readers pad rows
        to a fixed width with empty cells, which cost nothing and are not the file's)."""
        self.rows += 1
        n = len(row)
        while n and row[n - 1] in (None, ""):
            n -= 1
        self.cells += n
        if self.rows > self.max_rows:
            raise UploadRefused(_("表格超过 %(n)d 行，已拒绝：请删除空白行或拆成几个文件分别上传。", n=self.max_rows))
        if self.cells > self.max_cells:
            raise UploadRefused(_("表格超过 %(n)d 个单元格，已拒绝：请删除无关的列、空白行或工作表后再上传。",
                                  n=self.max_cells))

    def rows_of(self, rows):
        """Yield ``rows``, counting each."""
        for row in rows:
            self.take(row)
            yield row
