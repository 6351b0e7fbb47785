import io
import zipfile

import docx
import pytest

from quiz.banks import formats
from quiz.text import UnreadableFile


def make_docx(paragraphs, table=None):
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=1)
        for i, row in enumerate(table):
            t.cell(i, 0).text = row
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_paragraphs_and_tables():
    data = make_docx(["一、单选题", "1.税务机关公文种类主要有（ D ）。", "A. 9种    B.10种    C. 12种    D. 13种", "难度系数：3", "二、判断题"],
                     table=["2.地球是圆的。（√）"])
    r = formats.parse(data, "bank.docx")
    assert r.format == "docx" and r.errors == []
    single, tf = r.questions
    assert single.answer == [3] and single.options == ["9种", "10种", "12种", "13种"] and single.difficulty == 3
    assert tf.type == "truefalse" and tf.answer is True


def test_zip_bomb_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"\0" * (300 * 1024 * 1024))
    with pytest.raises(UnreadableFile, match="压缩炸弹"):
        formats.parse(buf.getvalue(), "bomb.docx")


def test_broken_zip():
    with pytest.raises(UnreadableFile):
        formats.parse(b"PK\x03\x04broken", "x.docx")


def test_export_is_a_docx_that_parses_back():
    r = formats.parse(make_docx(["1.甲", "A.a", "B.b", "答案：A"]), "b.docx")
    again = formats.parse(formats.export(r.questions, "docx"), "again.docx")
    assert [(q.stem, q.options, q.answer) for q in again.questions] == [("甲", ["a", "b"], [0])]
