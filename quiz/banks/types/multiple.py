"""Multiple choice (多选题): options, two or more right.

``answer`` is the sorted list of right option indices; the response is the
sorted list of picked indices. Grading is all-or-nothing unless
``partial=True``: then a subset of the right options earns its share and any
wrong pick scores 0 (the usual Chinese exam rule, 少选得部分分，错选不得分).
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext

from quiz.banks.types.base import QuestionData
from quiz.banks.types.single import ChoiceType


class MultipleChoice(ChoiceType):
    name = "multiple"
    label = lazy_gettext("多选题")
    template = "types/multiple.html"
    title = "多选题"
    sheet_words = ("多选", "多选题", "多项选择", "多项选择题", "不定项", "不定项选择", "不定项选择题", "multiple",
                   "multiplechoice", "multi", "checkbox", "多择题")
    moodle_single = "false"

    def validate(self, q: QuestionData) -> list[str]:
        problems = self._validate_options(q)
        if not self._valid_indices(q) or len(q.answer) < 2:
            problems.append(
                gettext("多选题须有两个或以上正确选项：请把答案写成选项字母，如 ABD；只有一个正确选项时请改为单选题。")
            )
        return problems

    def grade(self, answer: Any, response: Any, *, partial: bool = False) -> float | None:
        if not self.is_answered(response):
            return 0.0
        right, picked = set(answer), set(response)
        if picked == right:
            return 1.0
        if partial and picked <= right and right:
            return len(picked) / len(right)
        return 0.0

    def _gift_mark(self, index: int, right: set[int]) -> str:
        return f"~%{_share(right)}%" if index in right else "~%-100%"

    def _fraction(self, index: int, right: set[int]) -> str:
        return _share(right) if index in right else "-100"


def _share(right: set[int]) -> str:
    """Each right option's percentage: 100 split evenly, written without trailing zeros."""
    return f"{100 / len(right):.5f}".rstrip("0").rstrip(".")


TYPE = MultipleChoice()
