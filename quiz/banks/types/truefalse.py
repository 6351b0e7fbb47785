"""True/false (判断题): no options; ``answer`` is ``True`` or ``False``.

The phone shows two choices, 正确 and 错误; the stored response is a bool.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext, pgettext

from quiz.banks.types.base import QuestionData, QuestionType
from quiz.text import normalize

TRUE_TEXT = "正确"
FALSE_TEXT = "错误"

_TRUE_WORDS = {"对", "正确", "√", "✔", "✓", "t", "true", "是", "yes", "y", "1", "a", "对的"}
_FALSE_WORDS = {"错", "错误", "×", "✗", "✘", "❌", "x", "f", "false", "否", "no", "n", "0", "b", "错的"}


def parse_truefalse(value: str) -> bool | None:
    """Read a true/false key as trainers write it; None when it is not one.

    Accepts 对/错, 正确/错误, √/×, ✔/❌, T/F, true/false, 1/0 and A/B (A = 正确),
    with or without brackets and a trailing full stop.
    """
    word = normalize(str(value)).strip(" ()（）[]【】。.").lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


class TrueFalse(QuestionType):
    name = "truefalse"
    label = lazy_gettext("判断题")
    has_options = False
    template = "types/truefalse.html"
    title = "判断题"
    sheet_words = ("判断", "判断题", "是非", "是非题", "对错题", "truefalse", "tf", "judge", "judgement", "boolean",
                   "判断正误")
    counts_options = True

    def validate(self, q: QuestionData) -> list[str]:
        problems = []
        if not q.stem.strip():
            problems.append(gettext("题干为空：请填写题目内容。"))
        if not isinstance(q.answer, bool):
            problems.append(gettext("判断题的答案须为“正确”或“错误”（也可写 对/错、√/×）。"))
        if q.options:
            problems.append(gettext("判断题不需要选项：请删除选项。"))
        return problems

    def grade(self, answer: Any, response: Any, *, partial: bool = False) -> float | None:
        if not isinstance(response, bool):
            return 0.0
        return 1.0 if response is bool(answer) else 0.0

    def response_from_form(self, values: list[str]) -> Any:
        for v in values:
            v = str(v).strip().lower()
            if v in ("true", "1", "t", "正确"):
                return True
            if v in ("false", "0", "f", "错误"):
                return False
        return None

    def is_answered(self, response: Any) -> bool:
        return isinstance(response, bool)

    def public_view(self, q: QuestionData, order: list[int] | None = None) -> dict:
        view = super().public_view(q, order)
        view["options"] = [("true", pgettext("判断题的选项", "正确")), ("false", pgettext("判断题的选项", "错误"))]
        return view

    def answer_display(self, q: QuestionData) -> str:
        # as the phone showed the choice (True / False in English), not the import keyword
        return pgettext("判断题的选项", "正确") if q.answer else pgettext("判断题的选项", "错误")

    def answer_from_text(self, q: QuestionData, text: str, keywords: list[str]) -> tuple[Any, str | None]:
        value = parse_truefalse(text)
        return (value, None) if value is not None else (None, gettext("判断题答案请写“正确”或“错误”。"))

    def text_answer(self, q: QuestionData) -> str:
        return TRUE_TEXT if q.answer else FALSE_TEXT

    def analysis_options(self, q: QuestionData) -> list[tuple[str, str, bool]]:
        return [("", gettext("正确"), q.answer is True), ("", gettext("错误"), q.answer is not True)]

    def chosen_options(self, response: Any) -> list[int]:
        if response is True:
            return [0]
        if response is False:
            return [1]
        return []

    def gift_body(self, q: QuestionData, esc) -> str:
        return "TRUE" if q.answer else "FALSE"

    def moodle_fill(self, el, q: QuestionData, sub) -> str:
        for value in (True, False):
            ans = sub(el, "answer", fraction="100" if q.answer is value else "0", format="moodle_auto_format")
            sub(ans, "text", "true" if value else "false")
        return "truefalse"


TYPE = TrueFalse()
