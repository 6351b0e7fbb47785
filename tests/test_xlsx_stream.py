"""The streaming .xlsx writer (``quiz.xlsx_stream``): every file is opened with openpyxl, as a head's Excel
would open it: text stays the text typed (never a formula), numbers and dates stay numbers and dates,
every sheet has its bold frozen header, filter and widths."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, timedelta, timezone
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from quiz.xlsx_stream import MAX_TEXT, StreamBook


def excel_text(value: str | None) -> str | None:
    """What Excel shows for a stored text: ``_xHHHH_`` is the character HHHH (openpyxl leaves it as stored)."""
    if value is None:
        return None
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def one_sheet(rows: list[list], headers: list[str] | None = None, **kwargs) -> openpyxl.Workbook:
    book = StreamBook()
    sheet = book.sheet("表", headers or [f"列{i}" for i in range(max(len(r) for r in rows))], **kwargs)
    for row in rows:
        sheet.append(row)
    return openpyxl.load_workbook(io.BytesIO(book.getvalue()))


def values(ws) -> list[tuple]:
    return list(ws.iter_rows(min_row=2, values_only=True))


def test_markup_characters_stay_the_text_typed():
    ws = one_sheet([["<b>粗体</b>", "A & B", 'say "hi" > \'there\'', "]]>"]]).active
    assert values(ws) == [("<b>粗体</b>", "A & B", 'say "hi" > \'there\'', "]]>")]
    assert all(cell.data_type == "s" for cell in ws[2])


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x.example/","点击查看成绩")', "=1+1", "+SUM(1,2)", "-2+3",
                                  "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_looks_like_a_formula_stays_text_with_the_quote_prefix(text):
    book = StreamBook()
    book.sheet("表", ["标题", "次数"]).append([text, 3])
    data = book.getvalue()
    cell = openpyxl.load_workbook(io.BytesIO(data)).active["A2"]
    assert (excel_text(cell.value), cell.data_type, cell.quotePrefix) == (text, "s", True)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")  # no formula anywhere


def test_plain_text_has_no_quote_prefix():
    cell = one_sheet([["王氧", "1-2班"]]).active["A2"]
    assert (cell.value, cell.quotePrefix) == ("王氧", False)


def test_characters_xml_forbids_are_written_as_excel_escapes():
    text = "a\x00b\x01c\x08d\x0be\x0cf\x1fg\ufffeh\uffffi"
    book = StreamBook()
    book.sheet("表", ["文本"]).append([text])
    data = book.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "_x0000_" in xml and "_x001F_" in xml and "\x01" not in xml
    cell = openpyxl.load_workbook(io.BytesIO(data)).active["A2"]  # the XML parses
    assert excel_text(cell.value) == text


def test_line_breaks_tabs_edge_spaces_and_excel_escape_lookalikes_survive():
    texts = ["第一行\n第二行", "a\r\nb", "\t缩进", "  两边空格  ", "\u3000全角空格", "_x0041_ 不是 A", "x_x005F_y"]
    ws = one_sheet([texts]).active
    assert [excel_text(v) for v in values(ws)[0]] == texts
    book = StreamBook()
    book.sheet("表", ["文本"]).append(["  两边空格  "])
    with zipfile.ZipFile(io.BytesIO(book.getvalue())) as z:  # Excel trims edge spaces unless told not to
        assert '<t xml:space="preserve">  两边空格  </t>' in z.read("xl/worksheets/sheet1.xml").decode()


def test_chinese_and_emoji_text():
    texts = ["电解铝厂安全培训（第二期）", "班组：一班·早班", "合格 ✅ 🎉", "𠀀𪚥"]
    assert values(one_sheet([texts]).active) == [tuple(texts)]


def test_a_lone_surrogate_becomes_the_replacement_character():
    assert values(one_sheet([["a\ud800b"]]).active) == [("a\ufffdb",)]


def test_very_long_text_is_cut_at_excels_limit():
    long = "安" * (MAX_TEXT + 5000)
    ws = one_sheet([[long, "下一格"]]).active
    assert values(ws) == [("安" * MAX_TEXT, "下一格")]


def test_numbers_stay_numbers_with_their_column_format():
    rows = [[0, 1, -7, 2 ** 40, 0.1 + 0.2, 1e-7, 0.6899999999999999, 2 / 3, True, False]]
    ws = one_sheet(rows, number_formats={7: "0.0%"}).active
    got = values(ws)[0]
    assert got == tuple(rows[0])
    assert [type(v) for v in got[:4]] == [int] * 4 and isinstance(got[4], float)
    assert isinstance(got[8], bool)
    assert ws["H2"].number_format == "0.0%" and ws["E2"].number_format == "General"
    assert ws["H2"].data_type == "n"


def refused_then_closed(book: StreamBook, sheet, row: list, error=ValueError) -> list[tuple]:
    """Append a row the writer refuses; the rows before it are still the file's."""
    sheet.append(["之前"])
    with pytest.raises(error):
        sheet.append(row)
    sheet.append(["之后"])
    return values(openpyxl.load_workbook(io.BytesIO(book.getvalue())).active)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_number_excel_has_not_is_refused(bad):
    book = StreamBook()
    sheet = book.sheet("表", ["数"])
    assert refused_then_closed(book, sheet, [bad]) == [("之前",), ("之后",)]


def test_dates_and_datetimes_are_excel_dates():
    day, moment = date(2026, 11, 30), datetime(2026, 11, 30, 8, 15)
    ws = one_sheet([[day, moment, moment]], number_formats={2: "yyyy/mm/dd hh:mm:ss"}).active
    assert values(ws) == [(datetime(2026, 11, 30), moment, moment)]
    assert [c.number_format for c in ws[2]] == ["yyyy-mm-dd", "yyyy-mm-dd hh:mm", "yyyy/mm/dd hh:mm:ss"]
    assert all(c.is_date for c in ws[2])


def test_a_datetime_with_a_time_zone_is_refused():
    book = StreamBook()
    sheet = book.sheet("表", ["时间"])
    aware = datetime(2026, 11, 30, tzinfo=timezone(timedelta(hours=8)))
    assert refused_then_closed(book, sheet, [aware]) == [("之前",), ("之后",)]


def test_other_types_are_refused():
    book = StreamBook()
    sheet = book.sheet("表", ["值"])
    assert refused_then_closed(book, sheet, [object()], TypeError) == [("之前",), ("之后",)]


def test_none_and_empty_text_are_no_cell_and_keep_the_columns_and_rows():
    ws = one_sheet([[None, "乙", "", 4], ["甲"], [None, None, "", None], ["丁"]]).active
    assert values(ws) == [(None, "乙", None, 4), ("甲", None, None, None), (None, None, None, None),
                          ("丁", None, None, None)]
    assert ws["A5"].value == "丁" and ws.auto_filter.ref == "A1:D5"


def test_more_values_than_headers_is_an_error():
    book = StreamBook()
    sheet = book.sheet("表", ["一"])
    assert refused_then_closed(book, sheet, [1, 2]) == [("之前",), ("之后",)]


def test_several_sheets_each_with_a_bold_frozen_filtered_header_and_widths():
    book = StreamBook()
    first = book.sheet("汇总", ["单位", "通过率"], [28, 10], {1: "0.0%"})
    first.append(["电解厂", 0.5])
    first.append(["铸造厂", 0.25])
    second = book.sheet("明细", ["工号", "姓名", "最近作答"], [12, 10, 17])  # opening it closes the first
    for i in range(5000):  # more than one flush of buffered rows
        second.append([f"E{i:05d}", "张三", "2026-11-30 08:15"])
    book.sheet("空表", ["无数据"])
    wb = openpyxl.load_workbook(io.BytesIO(book.getvalue()))
    assert wb.sheetnames == ["汇总", "明细", "空表"]
    for ws, ref in zip(wb.worksheets, ["A1:B3", "A1:C5001", "A1:A1"]):
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == ref
        assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb == "FFDDE7F3"
        assert ws["A1"].data_type == "s"
    summary, detail = wb["汇总"], wb["明细"]
    assert round(summary.column_dimensions["A"].width) == 29 and summary.column_dimensions["A"].width >= 28
    assert detail.column_dimensions["C"].width >= 17
    assert summary["B2"].number_format == "0.0%" and summary["B2"].value == 0.5
    assert not summary["A2"].font.b
    assert detail.max_row == 5001 and detail["A5001"].value == "E04999"
    # the workbook names each filter's range, as Excel writes it
    with zipfile.ZipFile(io.BytesIO(book.getvalue())) as z:
        names = z.namelist()
        workbook_xml = z.read("xl/workbook.xml").decode()
        for name in names:  # every part is well-formed XML
            ElementTree.fromstring(z.read(name))
    assert "'明细'!$A$1:$C$5001" in workbook_xml
    assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/styles.xml",
            "xl/worksheets/sheet3.xml"} <= set(names)


@pytest.mark.parametrize("title", ["", "a" * 32, "a/b", "a[1]", "x:y", "'引号'"])
def test_a_sheet_title_excel_refuses_is_refused(title):
    with pytest.raises(ValueError):
        StreamBook().sheet(title, ["一"])


def test_two_sheets_with_one_title_are_refused():
    book = StreamBook()
    book.sheet("明细", ["一"])
    with pytest.raises(ValueError):
        book.sheet("明细", ["二"])
    assert openpyxl.load_workbook(io.BytesIO(book.getvalue())).sheetnames == ["明细"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=12))
def test_any_text_reads_back_as_typed(texts):
    ws = one_sheet([texts, ["下一行"]]).active
    got = [excel_text(v) for v in values(ws)[0]][:len(texts)]
    assert got == [t or None for t in texts]
    for cell, text in zip(ws[2], texts):
        if text:
            assert cell.data_type == "s"
            assert cell.quotePrefix == text.startswith(("=", "+", "-", "@", "\t", "\r"))
