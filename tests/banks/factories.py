"""Banks and questions for every test: plain callables with overridable defaults,
and the sample files the import tests share."""
from __future__ import annotations

import itertools

from quiz.banks import importing, services
from quiz.banks.models import Bank, Question, QuestionRevision
from quiz.banks.types.base import ParseResult, QuestionData
from quiz.extensions import db

_n = itertools.count(1)

# one question of every type, with its right answer and a response that is right
SAMPLES = {
    "single": dict(stem="单选题干", options=["甲", "乙", "丙", "丁"], answer=[2]),
    "multiple": dict(stem="多选题干", options=["甲", "乙", "丙", "丁"], answer=[0, 2]),
    "truefalse": dict(stem="判断题干", options=[], answer=True),
    "fill": dict(stem="填空：____ 和 ____", options=[], answer=[["一", "壹"], ["二"]]),
    "short": dict(stem="简答题干", options=[], answer={"reference": "参考答案", "keywords": ["关键"]}),
}
RIGHT = {"single": [2], "multiple": [0, 2], "truefalse": True, "fill": ["壹", "二"], "short": "我的回答"}
WRONG = {"single": [1], "multiple": [0, 1], "truefalse": False, "fill": ["三", "四"], "short": "我的回答"}


def make_bank(title: str | None = None, **kw) -> Bank:
    bank = Bank(title=title or f"题库{next(_n)}", **kw)
    db.session.add(bank)
    db.session.flush()
    return bank


def make_question(bank: Bank, type: str = "single", *, stem: str | None = None, options=None, answer=None,
                  explanation: str = "解析", category: str = "", difficulty=None, **kw) -> Question:
    sample = SAMPLES[type]
    content = dict(type=type, stem=stem or f"{sample['stem']} {next(_n)}",
                   options=list(sample["options"] if options is None else options),
                   answer=sample["answer"] if answer is None else answer, explanation=explanation,
                   category=category, difficulty=difficulty, **kw)
    question = Question(bank=bank, revision=1, **content)
    db.session.add(question)
    db.session.flush()
    revision = QuestionRevision(question_id=question.id, number=1, **content)
    db.session.add(revision)
    db.session.flush()
    question.current_revision_id = revision.id
    db.session.flush()
    return question


def every_type_bank(**question_kw) -> tuple[Bank, list[Question]]:
    bank = make_bank()
    return bank, [make_question(bank, t, **question_kw) for t in SAMPLES]


def imported_bank(title="安全题库", n=3, job_types=()) -> Bank:
    """A bank made through the services as a trainer's import makes it: ``n`` single-choice questions
    in two categories, committed."""
    bank = services.create_bank(title, job_types=services.job_types_named(job_types))
    questions = [QuestionData(type="single", stem=f"第{i}题 题干", options=["甲", "乙"], answer=[i % 2],
                              category="分类一" if i % 2 else "分类二", difficulty=1 + i % 5, job_types=["磨工"] if i == 0 else [],
                              where=f"第 {i} 行") for i in range(n)]
    importing.import_questions(bank, ParseResult(format="text", questions=questions))
    db.session.commit()
    return bank


# -- sample files ---------------------------------------------------------------------------------------------------

# A small text-template bank the CLI and page tests share: one question of
# three types, and the same with one question that has no answer.
GOOD = """一、单选题
1. 安全帽应当怎样佩戴？
A. 随便戴
B. 系好下颏带
答案：B
解析：不系下颏带，坠落时帽子会脱落。

二、判断题
1. 进入受限空间前必须检测气体。
答案：正确

三、填空题
1. 动火作业前要办理____。
答案：动火作业票|动火证
"""
BAD = GOOD + """
四、单选题
2. 这道题没有答案
A. 甲
B. 乙
"""

# A GBK text bank as authors write them: full-width punctuation, circled numbers, points in brackets.
GBK_BANK = """一、单项选择题（每题1分）
1．下列物质中属于两性氧化物的是（ C ）（2分）
A．氧化钠（Na2O）
B．氧化镁（MgO）
C．氧化铝（Al2O3）
D．二氧化硅（SiO2）
2．（2分）焙烧炉正常运行时，下列做法正确的是（　）
A．打开观察孔（须戴面罩）
B．温度超过1100℃时继续加料
答案：A
3．下列说法中正确的有几项？（2分）（ B ）
①进入有限空间前必须先通风、检测；
②作业面积小于10㎡时可以不设监护人；
③动火作业要办理作业票……
A．一项
B．两项
C．三项
4．巡检时发现皮带跑偏，应（ A ）
A．停机调整（按规程）
B．用手拨正（带电）
"""
