"""Single choice (单选题): options, exactly one right.

``answer`` is ``[i]``, the 0-based index of the right option; the stored
response is ``[i]`` too.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext

from quiz.banks.types.base import QuestionData, QuestionType

MAX_OPTIONS = 10


def letter(index: int) -> str:
    """0 -> 'A' (as formats.common.letter; kept here to avoid an import cycle)."""
    return chr(ord("A") + index)


def _ints(values: list[str]) -> list[int]:
    out = []
    for v in values:
        try:
            out.append(int(str(v).strip()))
        except (TypeError, ValueError):
            continue
    return out


class ChoiceType(QuestionType):
    """What single and multiple choice share: options and letter keys."""

    has_options = True

    def _validate_options(self, q: QuestionData) -> list[str]:
        problems = []
        if not q.stem.strip():
            problems.append(gettext("题干为空：请填写题目内容。"))
        if len(q.options) < 2:
            problems.append(gettext("选项少于两个：请至少给出 A、B 两个选项。"))
        if len(q.options) > MAX_OPTIONS:
            problems.append(gettext("选项多于 %(n)s 个：请删减选项。", n=MAX_OPTIONS))
        for i, text in enumerate(q.options):
            if not str(text).strip():
                problems.append(gettext("选项 %(letter)s 为空：请填写或删除该选项。", letter=letter(i)))
        return problems

    def _valid_indices(self, q: QuestionData) -> bool:
        return (
            isinstance(q.answer, list)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in q.answer)
            and all(0 <= i < len(q.options) for i in q.answer)
            and q.answer == sorted(set(q.answer))
        )

    def text_answer(self, q: QuestionData) -> str:
        return "".join(letter(i) for i in (q.answer or []))

    def response_from_form(self, values: list[str]) -> Any:
        picked = sorted(set(i for i in _ints(values) if i >= 0))
        return picked or None

    def is_answered(self, response: Any) -> bool:
        return isinstance(response, list) and len(response) > 0

    def gift_body(self, q: QuestionData, esc) -> str:
        right = set(q.answer or [])
        if self.name == "single":
            lines = [("=" if i in right else "~") + esc(t) for i, t in enumerate(q.options)]
        else:
            share = 100 / len(right) if right else 0
            pct = f"{share:.5f}".rstrip("0").rstrip(".")
            lines = [
                (f"~%{pct}%" if i in right else "~%-100%") + esc(t) for i, t in enumerate(q.options)
            ]
        return "\n".join("\t" + line for line in lines)

    def moodle_fill(self, el, q: QuestionData, sub) -> str:
        right = set(q.answer or [])
        sub(el, "single", "true" if self.name == "single" else "false")
        sub(el, "shuffleanswers", "true")
        sub(el, "answernumbering", "ABCD")
        for i, text in enumerate(q.options):
            if self.name == "single":
                frac = "100" if i in right else "0"
            else:
                frac = f"{100 / len(right):.5f}".rstrip("0").rstrip(".") if i in right else "-100"
            ans = sub(el, "answer", fraction=frac, format="plain_text")
            sub(ans, "text", text)
        return "multichoice"


class SingleChoice(ChoiceType):
    name = "single"
    label = lazy_gettext("单选题")
    template = "types/single.html"

    def validate(self, q: QuestionData) -> list[str]:
        problems = self._validate_options(q)
        if not self._valid_indices(q) or len(q.answer) != 1:
            problems.append(gettext("单选题须有且只有一个正确选项：请把答案写成一个选项字母，如 B。"))
        return problems

    def grade(self, answer: Any, response: Any, *, partial: bool = False) -> float | None:
        if not self.is_answered(response):
            return 0.0
        return 1.0 if sorted(response) == sorted(answer) else 0.0

    def response_from_form(self, values: list[str]) -> Any:
        picked = super().response_from_form(values)
        return picked[:1] if picked else None


TYPE = SingleChoice()
