from quiz.banks import formats
from quiz.banks.formats import gift

SAMPLE = r"""// comment
$CATEGORY: $course$/top/安全/电解

::Q1:: 哪个正确？ {
	~甲 #不对
	=乙
	####因为乙
}

::Q2:: 地球是平的。{F}

::Q3:: 安全第一、{=预防为主 =预防}、综合治理。

::Q4:: 选出所有正确的 {~%50%甲 ~%50%乙 ~%-100%丙}

::Q5:: 谈谈体会。{}

::Q6:: 2+2? {#4:0}

::Q7:: 配对 {=甲 -> 1 =乙 -> 2}

带\{花括号\}和\:冒号 {=是}
"""


def test_gift_types_categories_skips():
    assert formats.detect("q.txt", SAMPLE.encode()) == "gift"
    r = gift.parse(SAMPLE.encode())
    assert r.errors == []
    kinds = [q.type for q in r.questions]
    assert kinds == ["single", "truefalse", "fill", "multiple", "short", "fill"]
    q1, q2, q3, q4, q5, q6 = r.questions
    assert q1.category == "安全/电解" and q1.answer == [1] and q1.explanation == "因为乙"
    assert q2.answer is False
    assert q3.stem == "安全第一、____、综合治理。" and q3.answer == [["预防为主", "预防"]]
    assert q4.answer == [0, 1]
    assert q6.stem.startswith("带{花括号}和:冒号")
    assert [s.type for s in r.skipped] == ["数值题", "匹配题"]
    assert all(s.where.startswith("第 ") for s in r.skipped)


def test_gift_unclosed_brace_is_an_error():
    r = gift.parse(b"::a:: stem {=x\n")
    assert r.errors and "花括号" in r.errors[0].message
