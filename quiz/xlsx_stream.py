"""A small streaming .xlsx writer for big row-oriented sheets (the heads' whole-company report).

Measured on the whole-company report of ``bench/reports.py`` (about 600,000
cells): XlsxWriter's constant-memory mode spends most of its time in per-cell
Python (argument checks, dimension bookkeeping, one file write per cell), so
this writer builds each row's XML with one f-string per cell and streams it,
a few thousand rows at a time, into a deflated zip member (``zipfile``, a fast
compression level). Memory stays flat apart from the compressed file itself.

What it writes, and only that:

- every sheet: a bold header row on a light fill, frozen below the header,
  an auto filter over the header and the rows written, column widths;
- text as inline strings (never a formula, a URL or a number: a title typed
  as ``=HYPERLINK(…)`` stays that text, and gets Excel's "quote prefix" flag,
  as ``quiz.spreadsheet`` does for every xlsx the app writes); characters XML
  forbids are written as Excel's ``_xHHHH_`` escapes (what Excel itself and
  XlsxWriter do), text longer than Excel's 32,767 characters is cut there;
- ``int``/``float`` as numbers (a column may have a number format, e.g.
  ``"0.0%"``), ``bool`` as booleans, ``date``/``datetime`` (naive) as Excel
  dates with the column's number format or ``yyyy-mm-dd`` / ``yyyy-mm-dd hh:mm``;
- ``None`` and ``""``: no cell at all (Excel shows the same).

Sheets are written one after another: opening a sheet closes the one before.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from openpyxl.utils import get_column_letter

from quiz.spreadsheet import RISKY_START

MAX_TEXT = 32767  # Excel's limit on the characters of one cell
MAX_ROWS = 1048576
MAX_COLUMNS = 16384
FLUSH_ROWS = 2000  # rows joined and compressed at a time
COMPRESS_LEVEL = 1  # deflate: the fastest level; the sheets are repetitive, the file stays a few MB

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_EPOCH = datetime(1899, 12, 30)  # Excel's day 0 (1900 date system, past the 1900 leap-year bug)

# a text that needs more than its characters: XML specials, characters XML 1.0 forbids (and CR, which
# XML parsers turn into LF), text that looks like an Excel escape, lone surrogates, edge whitespace
_SLOW_TEXT = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]|_x[0-9A-Fa-f]{4}_|^\s|\s$").search
_EXCEL_ESCAPE = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# fixed cell styles (cellXfs): 0 the default, 1 the header, 2 text with the quote prefix; number formats after
_HEADER_STYLE = 1
_QUOTED_STYLE = 2
_FIXED_STYLES = 3


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def text_xml(value: str) -> str:
    """The ``<t>`` element for one text (escaped as Excel expects); the slow path of ``StreamSheet.append``."""
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    value = _SURROGATE.sub("\ufffd", value)
    value = _EXCEL_ESCAPE.sub(r"_x005F\1", value)  # a literal "_x0041_" must not turn into "A"
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _FORBIDDEN.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    if value[:1].isspace() or value[-1:].isspace():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def column_width(width: float) -> float:
    """A width in characters as Excel stores it (the cell padding added), as XlsxWriter computes it."""
    if width <= 0:
        return 0
    if width < 1:
        pixels = int(width * 12 + 0.5)
    else:
        pixels = int(width * 7 + 0.5) + 5
    return int(pixels / 7 * 256) / 256


class StreamBook:
    """An .xlsx file written sheet after sheet, row after row, into memory; ``getvalue()`` closes it."""

    def __init__(self, compresslevel: int = COMPRESS_LEVEL):
        self.out = io.BytesIO()
        self.zip = zipfile.ZipFile(self.out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self.sheets: list[StreamSheet] = []
        self.formats: dict[str, int] = {}  # number format code -> style index
        self.current: StreamSheet | None = None
        self.closed = False
        self.zip.writestr("_rels/.rels", _XML + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))

    def style(self, number_format: str) -> int:
        """The style index of a number format (registered on first use)."""
        if number_format not in self.formats:
            self.formats[number_format] = _FIXED_STYLES + len(self.formats)
        return self.formats[number_format]

    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[float] = (),
              number_formats: dict[int, str] | None = None) -> StreamSheet:
        """A new sheet with its header row written; ``number_formats``: column index -> format code."""
        if self.closed:
            raise ValueError("the workbook is closed")
        if self.current is not None:
            self.current.close()
        if not title or len(title) > 31 or _SHEET_TITLE_FORBIDDEN.search(title) or title.startswith("'") \
                or title.endswith("'"):
            raise ValueError(f"not a sheet title Excel accepts: {title!r}")
        if title.casefold() in {s.title.casefold() for s in self.sheets}:
            raise ValueError(f"two sheets titled {title!r}")
        if not headers or len(headers) > MAX_COLUMNS:
            raise ValueError("a sheet needs between 1 and 16,384 headers")
        sheet = StreamSheet(self, len(self.sheets) + 1, title, list(headers), list(widths), number_formats or {})
        self.sheets.append(sheet)
        self.current = sheet
        return sheet

    def getvalue(self) -> bytes:
        """Close the workbook (the last sheet, the workbook, styles and content types) and return the file."""
        if not self.closed:
            self.close()
        return self.out.getvalue()

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
        if not self.sheets:
            raise ValueError("a workbook needs at least one sheet")
        self.closed = True
        sheets, names = [], []
        for s in self.sheets:
            sheets.append(f'<sheet name="{_attr(s.title)}" sheetId="{s.index}" r:id="rId{s.index}"/>')
            quoted = "'" + s.title.replace("'", "''") + "'"
            names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{s.index - 1}" hidden="1">'
                         f'{_attr(quoted)}!$A$1:${get_column_letter(len(s.headers))}${s.rows + 1}</definedName>')
        self.zip.writestr("xl/workbook.xml", _XML + (
            f'<workbook {_NS} {_NS_R}><bookViews><workbookView/></bookViews>'
            f'<sheets>{"".join(sheets)}</sheets><definedNames>{"".join(names)}</definedNames>'
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'))
        rels = [f'<Relationship Id="rId{s.index}" Type="{_REL}/worksheet" Target="worksheets/sheet{s.index}.xml"/>'
                for s in self.sheets]
        rels.append(f'<Relationship Id="rId{len(self.sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>')
        self.zip.writestr("xl/_rels/workbook.xml.rels", _XML + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{"".join(rels)}</Relationships>'))
        self.zip.writestr("xl/styles.xml", _XML + self._styles())
        overrides = [f'<Override PartName="/xl/worksheets/sheet{s.index}.xml" ContentType="{_CT}.worksheet+xml"/>'
                     for s in self.sheets]
        self.zip.writestr("[Content_Types].xml", _XML + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f'{"".join(overrides)}</Types>'))
        self.zip.close()

    def _styles(self) -> str:
        num_fmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{_attr(code)}"/>'
                           for i, code in enumerate(self.formats))
        xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
               '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
               'applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>',
               '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>']
        xfs += [f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                for i in range(len(self.formats))]
        return (f'<styleSheet {_NS}>'
                + (f'<numFmts count="{len(self.formats)}">{num_fmts}</numFmts>' if self.formats else "")
                + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
                '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
                '<fills count="3"><fill><patternFill patternType="none"/></fill>'
                '<fill><patternFill patternType="gray125"/></fill>'
                '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE7F3"/><bgColor indexed="64"/>'
                '</patternFill></fill></fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                '</styleSheet>')


class StreamSheet:
    """One sheet being written: ``append`` rows, then ``close`` (or open the next sheet)."""

    def __init__(self, book: StreamBook, index: int, title: str, headers: list[str], widths: list[float],
                 number_formats: dict[int, str]):
        self.book = book
        self.index = index
        self.title = title
        self.headers = headers
        self.rows = 0  # data rows written (the header is row 1)
        self.closed = False
        self.letters = [get_column_letter(i + 1) for i in range(len(headers))]
        self.number_formats = number_formats
        # per column: ' s="N"' for numbers with a format, "" otherwise
        self.number_styles = [f' s="{book.style(number_formats[i])}"' if i in number_formats else ""
                              for i in range(len(headers))]
        self.stream = book.zip.open(f"xl/worksheets/sheet{index}.xml", "w")
        self.buffer: list[str] = []
        view = ' tabSelected="1"' if index == 1 else ""
        cols = "".join(f'<col min="{i}" max="{i}" width="{column_width(w)}" customWidth="1"/>'
                       for i, w in enumerate(widths, start=1) if w)
        self.buffer.append(
            f'{_XML}<worksheet {_NS} {_NS_R}><sheetViews><sheetView{view} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")
        header = "".join(f'<c r="{letter}1" s="{_HEADER_STYLE}" t="inlineStr"><is>{text_xml(str(text))}</is></c>'
                         for letter, text in zip(self.letters, headers))
        self.buffer.append(f'<row r="1">{header}</row>')

    def append(self, values: Sequence[Any]) -> None:
        """One row; more values than headers is an error, fewer leaves the rest empty.

        A value the writer refuses (``ValueError``/``TypeError``) leaves the sheet as it was.
        """
        if len(values) > len(self.letters):
            raise ValueError(f"{len(values)} values for {len(self.letters)} columns")
        if self.closed:
            raise ValueError("the sheet is closed")
        r = self.rows + 2  # the header is row 1
        if r > MAX_ROWS:
            raise ValueError("more rows than Excel shows")
        parts = [f'<row r="{r}">']
        add = parts.append
        slow_text = _SLOW_TEXT
        for letter, style, value in zip(self.letters, self.number_styles, values):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                t = text_xml(value) if slow_text(value) or len(value) > MAX_TEXT else f"<t>{value}</t>"
                if value.startswith(RISKY_START):
                    add(f'<c r="{letter}{r}" s="{_QUOTED_STYLE}" t="inlineStr"><is>{t}</is></c>')
                else:
                    add(f'<c r="{letter}{r}" t="inlineStr"><is>{t}</is></c>')
            elif kind is int:
                add(f'<c r="{letter}{r}"{style}><v>{value}</v></c>')
            elif kind is float:
                if not math.isfinite(value):
                    raise ValueError(f"Excel has no number {value!r}")
                add(f'<c r="{letter}{r}"{style}><v>{value!r}</v></c>')
            elif value is None:
                continue
            else:
                add(self._other(letter, r, value))
        parts.append("</row>")
        self.buffer.append("".join(parts))
        self.rows += 1  # only now: a refused value leaves the sheet as it was
        if len(self.buffer) >= FLUSH_ROWS:
            self._flush()

    def _other(self, letter: str, r: int, value: Any) -> str:
        col = self.letters.index(letter)
        if isinstance(value, bool):
            return f'<c r="{letter}{r}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float)):  # subclasses (IntEnum, numpy's float64…)
            if not math.isfinite(value):
                raise ValueError(f"Excel has no number {value!r}")
            return f'<c r="{letter}{r}"{self.number_styles[col]}><v>{float(value)!r}</v></c>'
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                raise ValueError("Excel has no time zones: convert the datetime to local time and drop its tzinfo")
            serial = (value - _EPOCH).total_seconds() / 86400
            default = DATETIME_FORMAT
        elif isinstance(value, date):
            serial = (value - _EPOCH.date()).days
            default = DATE_FORMAT
        else:
            raise TypeError(f"no xlsx cell for {type(value).__name__}")
        if serial < 61:
            raise ValueError("Excel's dates start in March 1900")
        style = self.book.style(self.number_formats.get(col, default))
        return f'<c r="{letter}{r}" s="{style}"><v>{serial!r}</v></c>'

    def _flush(self) -> None:
        self.stream.write("".join(self.buffer).encode("utf-8"))
        self.buffer.clear()

    def close(self) -> None:
        """Write the auto filter over the header and every row written, and close the sheet's zip member."""
        if self.closed:
            return
        self.closed = True
        last = f"{self.letters[-1]}{self.rows + 1}"
        self.buffer.append(f'</sheetData><autoFilter ref="A1:{last}"/>'
                           '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                           '</worksheet>')
        self._flush()
        self.stream.close()
        if self.book.current is self:
            self.book.current = None
