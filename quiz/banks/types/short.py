"""Short answer (简答题): free text, graded by a trainer.

``answer`` is ``{"reference": str, "keywords": [str, ...]}``, both optional;
the response is the text typed. ``grade`` returns None: a trainer decides.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext

from quiz.banks.types.base import QuestionData, QuestionType
from quiz.text import fold


def make_answer(reference: str = "", keywords: list[str] | None = None) -> dict:
    return {"reference": reference or "", "keywords": list(keywords or [])}


class ShortAnswer(QuestionType):
    name = "short"
    label = lazy_gettext("简答题")
    has_options = False
    template = "types/short.html"
    title = "简答题"
    sheet_words = ("简答", "简答题", "问答", "问答题", "论述", "论述题", "主观", "主观题", "short", "shortanswer",
                   "essay", "名词解释")

    def validate(self, q: QuestionData) -> list[str]:
        problems = []
        if not q.stem.strip():
            problems.append(gettext("题干为空：请填写题目内容。"))
        a = q.answer
        if not (
            isinstance(a, dict)
            and isinstance(a.get("reference", ""), str)
            and isinstance(a.get("keywords", []), list)
            and all(isinstance(k, str) for k in a.get("keywords", []))
        ):
            problems.append(gettext("简答题的答案应为参考答案文字（可选）和关键词列表（可选）。"))
        return problems

    def grade(self, answer: Any, response: Any, *, partial: bool = False) -> float | None:
        return None

    def response_from_form(self, values: list[str]) -> Any:
        text = "\n".join(str(v) for v in values).strip()
        return text or None

    def is_answered(self, response: Any) -> bool:
        return isinstance(response, str) and bool(response.strip())

    def public_view(self, q: QuestionData, order: list[int] | None = None) -> dict:
        view = super().public_view(q, order)
        view["options"] = []
        return view

    def answer_from_text(self, q: QuestionData, text: str, keywords: list[str]) -> tuple[Any, str | None]:
        return make_answer(text, keywords), None

    def text_answer(self, q: QuestionData) -> str:
        return (q.answer or {}).get("reference", "")

    def text_extra_lines(self, q: QuestionData) -> list[str]:
        keywords = (q.answer or {}).get("keywords")
        return ["关键词：" + "、".join(keywords)] if keywords else []

    def sheet_answer(self, q: QuestionData) -> str:
        answer = q.answer or {}
        text = answer.get("reference", "") or ""
        if answer.get("keywords"):
            text = (text + "\n" if text else "") + "关键词：" + "、".join(answer["keywords"])
        return text

    def map_answer_text(self, answer: Any, change) -> Any:
        if isinstance(answer, dict) and answer.get("reference"):
            return {**answer, "reference": change(answer["reference"])}
        return answer

    def dedupe_answer(self, q: QuestionData) -> Any:
        return fold((q.answer or {}).get("reference", ""))

    def answer_display(self, q: QuestionData) -> str:
        a = q.answer or {}
        text = a.get("reference", "")
        if a.get("keywords"):
            text += ("\n" if text else "") + gettext("关键词：%(k)s", k="、".join(a["keywords"]))
        return text

    def gift_body(self, q: QuestionData, esc) -> str:
        return ""

    def gift_meta(self, q: QuestionData) -> dict:
        return {"reference": q.answer.get("reference", ""), "keywords": q.answer.get("keywords", [])}

    def answer_from_gift_meta(self, answer: Any, meta: dict) -> Any:
        return make_answer(meta.get("reference", ""), meta.get("keywords", []))

    def moodle_fill(self, el, q: QuestionData, sub) -> str:
        a = q.answer or {}
        sub(el, "responseformat", "plain")
        sub(el, "responserequired", "1")
        sub(el, "responsefieldlines", "10")
        sub(el, "attachments", "0")
        info = a.get("reference", "")
        if a.get("keywords"):
            info += "\n关键词：" + "、".join(a["keywords"])
        g = sub(el, "graderinfo", format="plain_text")
        sub(g, "text", info)
        return "essay"


TYPE = ShortAnswer()
