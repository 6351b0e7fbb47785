"""XXE, billion laughs and zip bombs in every uploaded format that carries XML or a zip.

Moodle XML, .docx and .xlsx banks and .xlsx rosters: an external entity
pointing at /etc/passwd is never resolved, an entity expansion bomb is
refused, and archives that unpack to far more than they weigh are refused
before anything is decompressed. Every refusal is a message on the form, not
a 500.
"""
from __future__ import annotations

import io
import zipfile

import pytest

from tests.org.factories import login, make_user

XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>")
WORD_XML = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            '<w:p><w:r><w:t>一、单选题</w:t></w:r></w:p><w:p><w:r><w:t>1. &{ent};题干</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>A. 甲</w:t></w:r></w:p><w:p><w:r><w:t>B. 乙</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>答案：A</w:t></w:r></w:p></w:body></w:document>')


def docx(prolog: str, ent: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        zf.writestr("word/document.xml", prolog + WORD_XML.format(ent=ent))
    return out.getvalue()


def xlsx(prolog: str, ent: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["题型", "题目", "选项A", "选项B", "正确答案"])
    book.active.append(["单选题", "MARK", "甲", "乙", "A"])
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = with_prolog(data, prolog, ent)
            elif info.filename == "xl/sharedStrings.xml" and b"MARK" in data:
                data = with_prolog(data, prolog, ent)
            dst.writestr(info, data)
    return out.getvalue()


def with_prolog(data: bytes, prolog: str, ent: str) -> bytes:
    text = data.decode()
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[1]
    return (prolog + text.replace("MARK", f"&{ent};")).encode()


def moodle(prolog: str, ent: str) -> bytes:
    return (prolog + f'<quiz><question type="truefalse"><name><text>q</text></name><questiontext format="html">'
            f'<text>&{ent};</text></questiontext><answer fraction="100"><text>true</text></answer>'
            '<answer fraction="0"><text>false</text></answer></question></quiz>').encode()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<" + b"a" * (60 * 1024 * 1024) + b"/>")
        zf.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


@pytest.fixture
def trainer(client):
    login(client, make_user(name="郭培训", roles={"trainer": [None]}))
    return client


def upload(client, data: bytes, filename: str):
    return client.post("/banks/upload", data={"file": (io.BytesIO(data), filename), "bank_id": "0",
                                              "new_title": "攻击", "format": "auto"},
                       content_type="multipart/form-data")


def shows(client, response) -> str:
    if response.status_code == 302:
        response = client.get(response.headers["Location"])
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("make,filename", [(moodle, "q.xml"), (docx, "q.docx"), (xlsx, "q.xlsx")])
def test_external_entities_are_never_resolved(trainer, make, filename):
    page = shows(trainer, upload(trainer, make(XXE, "xxe"), filename))
    assert "root:" not in page and "/bin/" not in page


@pytest.mark.parametrize("make,filename", [(moodle, "q.xml"), (docx, "q.docx"), (xlsx, "q.xlsx")])
def test_entity_expansion_bombs_are_refused(trainer, make, filename):
    page = shows(trainer, upload(trainer, make(LAUGHS, "i"), filename))
    assert "哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈" not in page


def test_roster_with_external_entity_is_not_resolved(client):
    login(client, make_user(name="管理员", roles={"admin": [None]}))
    data = xlsx(XXE, "xxe")
    r = client.post("/org/roster", data={"file": (io.BytesIO(data), "花名册.xlsx")}, content_type="multipart/form-data")
    assert "root:" not in shows(client, r)


@pytest.mark.parametrize("filename", ["q.docx", "q.xlsx"])
def test_zip_bombs_are_refused_before_unpacking(trainer, filename):
    page = shows(trainer, upload(trainer, zip_bomb(), filename))
    assert "压缩炸弹" in page or "超过上限" in page or "无法" in page
