from quiz.banks import formats
from quiz.banks.formats import aiken


def test_aiken_basic_and_detect():
    data = b"What is 2+2?\nA. 3\nB) 4\nC)5\nANSWER: B\n\nNo answer here\nA. x\nB. y\n"
    assert formats.detect("q.txt", data) == "aiken"
    r = aiken.parse(data)
    assert [(q.stem, q.options, q.answer) for q in r.questions] == [("What is 2+2?", ["3", "4", "5"], [1])]
    assert r.errors and r.errors[0].where == "第 7 行" and "ANSWER" in r.errors[0].message


def test_aiken_too_few_options_and_out_of_range():
    r = aiken.parse(b"Q1\nA. only\nANSWER: A\n\nQ2\nA. a\nB. b\nANSWER: D\n")
    assert not r.questions and len(r.errors) == 2
