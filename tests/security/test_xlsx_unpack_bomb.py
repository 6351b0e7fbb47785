"""A small .xlsx that unpacks to far more than it weighs is refused at once, for banks and rosters.

Before: a 2 MB workbook whose sheet unpacks to 25 MB (or 190 MB) passed the
zip-bomb checks (its compression ratio is ordinary) and openpyxl read it
until the gunicorn timeout. Now what a spreadsheet may unpack to is capped
(``MAX_UNPACKED_MB``, default 20) and so are the rows and cells read
(``MAX_SHEET_ROWS``, ``MAX_SHEET_CELLS``); the refusal says what to do.
"""
from __future__ import annotations

import io
import time
import zipfile

import pytest

from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from tests.org.factories import login, make_user

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="题目" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def crafted_xlsx(rows: int) -> bytes:
    """A valid workbook whose one sheet has ``rows`` rows of varied cells (ordinary compression)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?><worksheet '
             'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for i in range(1, rows + 1):
        parts.append(f'<row r="{i}"><c r="A{i}"><v>{i * 7919 % 1000003}</v></c>'
                     f'<c r="B{i}" t="inlineStr"><is><t>工号{i * 31 % 99991}</t></is></c>'
                     f'<c r="C{i}"><v>{i * 104729 % 999983}</v></c></row>')
    parts.append("</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return out.getvalue()


def post_file(client, url: str, data: bytes, filename: str, **fields):
    """A multipart POST encoded in memory (the test client would spool a large body to a
    temporary file it never closes, which the warnings-as-errors setting reports)."""
    stream, _length, boundary = stream_encode_multipart({"file": FileStorage(io.BytesIO(data), filename), **fields},
                                                       use_tempfile=False)
    stream.seek(0)
    return client.post(url, data=stream.read(), content_type=f"multipart/form-data; boundary={boundary}")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = crafted_xlsx(200_000)  # ~28 MB unpacked, ~3 MB packed: a ratio any real file may have
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    assert unpacked > 25 * 1024 * 1024 and len(data) < 5 * 1024 * 1024
    assert unpacked / len(data) < 100  # not caught by a compression-ratio check
    return data


def test_bank_upload_of_an_oversized_sheet_is_refused_quickly(client, app, bomb):
    login(client, make_user(name="郭培训", roles={"trainer": [None]}))
    started = time.monotonic()
    r = post_file(client, "/banks/upload", bomb, "题库.xlsx", bank_id="0", new_title="炸弹", format="auto")
    elapsed = time.monotonic() - started
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "超过上限 20 MB" in page and "拆成几个文件" in page
    assert elapsed < 2, f"refusal took {elapsed:.1f} s"


def test_roster_upload_of_an_oversized_sheet_is_refused_quickly(client, app, bomb):
    login(client, make_user(name="管理员", roles={"admin": [None]}))
    started = time.monotonic()
    r = post_file(client, "/org/roster", bomb, "花名册.xlsx")
    elapsed = time.monotonic() - started
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "超过上限 20 MB" in page
    assert elapsed < 2, f"refusal took {elapsed:.1f} s"


def test_the_limits_are_settings_and_rows_and_cells_are_capped(client, app):
    login(client, make_user(name="郭培训", roles={"trainer": [None]}))
    small = crafted_xlsx(2_000)  # 6,000 cells, well under 20 MB
    saved = {k: app.config[k] for k in ("MAX_SHEET_CELLS", "MAX_SHEET_ROWS", "MAX_UNPACKED_MB")}
    try:
        app.config["MAX_SHEET_CELLS"] = 3_000
        r = client.post("/banks/upload", data={"file": (io.BytesIO(small), "题库.xlsx"), "bank_id": "0",
                                               "new_title": "多格", "format": "auto"},
                        content_type="multipart/form-data")
        assert "表格超过 3000 个单元格" in r.get_data(as_text=True)
        app.config["MAX_SHEET_CELLS"], app.config["MAX_SHEET_ROWS"] = 1_000_000, 500
        r = client.post("/banks/upload", data={"file": (io.BytesIO(small), "题库.xlsx"), "bank_id": "0",
                                               "new_title": "多行", "format": "auto"},
                        content_type="multipart/form-data")
        assert "表格超过 500 行" in r.get_data(as_text=True)
    finally:
        app.config.update(saved)



def test_a_big_but_real_bank_is_not_refused_for_the_empty_columns_readers_pad_rows_with():
    """A 10,000-question bank in the Excel template (18 columns, 180,000 cells) was refused as
    "over 500,000 cells": the reader pads every row to 64 columns and the empty padding was
    counted. Only cells up to the last one that holds something count; real cells still do."""
    import openpyxl

    from quiz.archives import CellBudget, UploadRefused
    from quiz.banks import formats

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案"])
    for n in range(1, 10_001):
        sheet.append(["单选", f"第 {n} 题：作业前必须做什么？", "办理作业票", "直接作业", "口头告知", "无需准备", "A"])
    out = io.BytesIO()
    book.save(out)
    result = formats.parse(out.getvalue(), "一万题.xlsx", "auto")
    assert len(result.questions) == 10_000

    budget = CellBudget()
    budget.max_cells = 10
    budget.take(("a", "b") + (None,) * 62)
    assert budget.cells == 2
    with pytest.raises(UploadRefused):
        for _ in range(5):
            budget.take(("a", "b", "c") + (None,) * 61)
