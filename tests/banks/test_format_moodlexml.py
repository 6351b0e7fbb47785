from quiz.banks import formats
from quiz.banks.formats import moodlexml

XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/安全</text></category></question>
  <question type="multichoice">
    <name><text>q</text></name>
    <questiontext format="html"><text><![CDATA[<p>哪个&nbsp;正确？</p>]]></text></questiontext>
    <generalfeedback><text>因为</text></generalfeedback>
    <defaultgrade>2</defaultgrade>
    <single>false</single>
    <answer fraction="50"><text>甲</text></answer>
    <answer fraction="50"><text>乙</text></answer>
    <answer fraction="-100"><text>丙</text></answer>
  </question>
  <question type="shortanswer">
    <questiontext><text>首都是</text></questiontext>
    <answer fraction="100"><text>北京</text></answer>
    <answer fraction="100"><text>Beijing</text></answer>
    <answer fraction="50"><text>京</text></answer>
  </question>
  <question type="essay"><questiontext><text>谈谈</text></questiontext>
    <graderinfo format="html"><text>参考</text></graderinfo></question>
  <question type="matching"><questiontext><text>配对</text></questiontext></question>
  <question type="truefalse"><questiontext><text>对吗 &rarr;</text></questiontext>
    <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>
</quiz>
"""


def test_moodle_types_and_categories():
    assert formats.detect("q.xml", XML.encode()) == "moodlexml"
    r = moodlexml.parse(XML.encode())
    assert r.errors == []
    m, fill, short, tf = r.questions
    assert (m.type, m.answer, m.category, m.points, m.explanation) == ("multiple", [0, 1], "安全", 2.0, "因为")
    assert m.stem == "哪个 正确?"
    assert fill.type == "fill" and fill.answer == [["北京", "Beijing"]] and fill.stem == "首都是____"
    assert short.answer["reference"] == "参考"
    assert tf.answer is True and tf.stem.endswith("→")
    assert [s.type for s in r.skipped] == ["匹配题"] and r.skipped[0].where.startswith("第 ")
    assert any("rarr" in w.message for w in r.warnings)


def test_malformed_xml_gives_the_line():
    r = moodlexml.parse(b"<quiz>\n<question type=multichoice>\n</quiz>")
    assert r.errors[0].where == "第 2 行" and "XML" in r.errors[0].message


def test_entity_expansion_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><quiz>&b;</quiz>'
    r = moodlexml.parse(bomb)
    assert r.errors and not r.questions


def test_cloze_multi_blank_roundtrip():
    from quiz.banks.types.base import QuestionData
    q = QuestionData("fill", "甲____乙____", answer=[["一", "壹"], ["二"]])
    back = moodlexml.parse(moodlexml.export([q]))
    assert back.questions[0].answer == q.answer and back.questions[0].stem == q.stem
