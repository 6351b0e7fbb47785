"""Single choice (单选题): options, exactly one right.

``answer`` is ``[i]``, the 0-based index of the right option; the stored
response is ``[i]`` too.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext, lazy_gettext

from quiz.banks.types.base import QuestionData, QuestionType
from quiz.text import fold, normalize

MAX_OPTIONS = 10
_LETTERS = re.compile(r"^[A-Za-z](?:[\s,，、;；/]*[A-Za-z])*$")


def parse_letters(value: str, option_count: int | None = None) -> list[int] | None:
    """Read an answer key such as ``B``, ``A,C,D``, ``ACD``, ``Ｄ``, `` b `` to indices.

    Returns sorted unique 0-based indices, or None when ``value`` is not a
    letter key or names an option beyond ``option_count``.
    """
    text = normalize(str(value)).strip(" ()（）[]【】。.")
    if not text or not _LETTERS.match(text):
        return None
    indices = sorted({ord(ch.upper()) - ord("A") for ch in text if ch.isalpha()})
    if option_count is not None and indices and indices[-1] >= option_count:
        return None
    return indices


def letter(index: int) -> str:
    """0 -> 'A'."""
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
    counts_options = True

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

    def answer_from_text(self, q: QuestionData, text: str, keywords: list[str]) -> tuple[Any, str | None]:
        keys = parse_letters(text, len(q.options))
        return (keys, None) if keys else (None, gettext("答案请写选项字母（如 B 或 ACD），且不超过选项个数。"))

    def text_answer(self, q: QuestionData) -> str:
        return "".join(letter(i) for i in (q.answer or []))

    def sheet_answer(self, q: QuestionData) -> str:
        return "".join(letter(i) for i in sorted(q.answer or []))

    def dedupe_answer(self, q: QuestionData) -> Any:
        # the right options' texts: indices alone would make "B" of one file equal "B" of another question
        options = list(q.options or [])
        return sorted(fold(options[i]) for i in (q.answer or []) if isinstance(i, int) and 0 <= i < len(options))

    def analysis_options(self, q: QuestionData) -> list[tuple[str, str, bool]]:
        right = q.answer or []
        return [(letter(i), text, i in right) for i, text in enumerate(q.options)]

    def chosen_options(self, response: Any) -> list[int]:
        # stored responses hold the original option indices, whatever order the phone showed
        if isinstance(response, bool) or response is None:
            return []
        picked = response if isinstance(response, list) else [response]
        return [v for v in picked if isinstance(v, int) and not isinstance(v, bool)]

    def _fraction(self, index: int, right: set[int]) -> str:
        """The Moodle ``fraction`` of option ``index``."""
        raise NotImplementedError

    def response_from_form(self, values: list[str]) -> Any:
        picked = sorted(set(i for i in _ints(values) if i >= 0))
        return picked or None

    def is_answered(self, response: Any) -> bool:
        return isinstance(response, list) and len(response) > 0

    #: Moodle's <single>: one right option
    moodle_single = "true"

    def gift_body(self, q: QuestionData, esc) -> str:
        right = set(q.answer or [])
        lines = [self._gift_mark(i, right) + esc(t) for i, t in enumerate(q.options)]
        return "\n".join("\t" + line for line in lines)

    def _gift_mark(self, index: int, right: set[int]) -> str:
        """What a GIFT answer line of option ``index`` starts with."""
        raise NotImplementedError

    def moodle_fill(self, el, q: QuestionData, sub) -> str:
        right = set(q.answer or [])
        sub(el, "single", self.moodle_single)
        sub(el, "shuffleanswers", "true")
        sub(el, "answernumbering", "ABCD")
        for i, text in enumerate(q.options):
            ans = sub(el, "answer", fraction=self._fraction(i, right), format="plain_text")
            sub(ans, "text", text)
        return "multichoice"


class SingleChoice(ChoiceType):
    name = "single"
    label = lazy_gettext("单选题")
    template = "types/single.html"
    one_right_option = True
    title = "单选题"
    sheet_words = ("单选", "单选题", "单项选择", "单项选择题", "单择题", "选择", "选择题", "single", "singlechoice",
                   "radio", "单选择题")

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

    def _gift_mark(self, index: int, right: set[int]) -> str:
        return "=" if index in right else "~"

    def _fraction(self, index: int, right: set[int]) -> str:
        return "100" if index in right else "0"


TYPE = SingleChoice()
