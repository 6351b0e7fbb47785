"""Fill in the blank (填空题): one or more blanks, several accepted answers each.

Canonical stored form of a blank: ``____`` (four ASCII underscores) in the
stem. Parsers turn every blank marker they meet, ``（ ）``, ``(  )``, ``()``,
a run of three or more underscores, or ``{{1}}``, into ``____``; the phone
page puts one input box where each ``____`` stands.

``answer`` is ``[["accepted", "also accepted"], ...]``, one list per blank,
in the order the blanks appear. A response is ``["typed", ...]``, one string
per blank. Comparison folds width, case, spaces and look-alikes (NFKC).
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext, lazy_gettext

from quiz.banks.types.base import NotExpressible, QuestionData, QuestionType
from quiz.text import fold, normalize

BLANK = "____"
BLANK_RE = re.compile(r"_{3,}|\{\{\s*\d+\s*\}\}|[(（][ \t\u3000\u00a0]*[)）]")
# In the text template: blanks are separated by ；, alternatives by |.
BLANK_SEP = "；"
ALT_SEP = "|"


def canonical_stem(stem: str) -> str:
    """Every blank marker in ``stem`` replaced by ``____``."""
    return BLANK_RE.sub(BLANK, stem)


def blank_count(stem: str) -> int:
    return len(BLANK_RE.findall(stem))


def split_stem(stem: str) -> list[str]:
    """The stem's text around its blanks: ``len(parts) == blank_count + 1``."""
    return BLANK_RE.split(stem)


def split_answer_text(value: str, blanks: int) -> list[list[str]]:
    """``答案：`` text of a fill question to one list of alternatives per blank.

    Blanks are separated by ；/; (or, when that does not give one part per
    blank, by 、，,); alternatives within a blank by ``|``.
    """
    value = normalize(value)
    parts = [p.strip() for p in re.split(r"[;；]", value) if p.strip()]
    if blanks > 1 and len(parts) != blanks:
        other = [p.strip() for p in re.split(r"[、,，]", value) if p.strip()]
        if len(other) == blanks:
            parts = other
    if blanks == 1 and len(parts) > 1:
        parts = [value.strip()]
    return [[a.strip() for a in p.split(ALT_SEP) if a.strip()] for p in parts]


class FillIn(QuestionType):
    name = "fill"
    label = lazy_gettext("填空题")
    has_options = False
    template = "types/fill.html"
    title = "填空题"
    sheet_words = ("填空", "填空题", "fill", "fillblank", "blank", "completion", "gapfill")

    def validate(self, q: QuestionData) -> list[str]:
        problems = []
        n = blank_count(q.stem)
        if not q.stem.strip():
            problems.append(gettext("题干为空：请填写题目内容。"))
        if n == 0:
            problems.append(gettext("填空题题干中没有空格：请在要填的位置写 ____ 或（ ）。"))
        answer = q.answer
        if not (
            isinstance(answer, list)
            and all(isinstance(a, list) and a and all(isinstance(s, str) and s.strip() for s in a) for a in answer)
        ):
            problems.append(gettext("填空题须为每个空格给出答案：多个空格用“；”分隔，同一空格的多个可接受答案用“|”分隔。"))
        elif n and len(answer) != n:
            problems.append(
                gettext("题干有 %(blanks)s 个空格，但给出了 %(answers)s 个答案：请让两者一致（多个空格的答案用“；”分隔）。",
                        blanks=n, answers=len(answer))
            )
        return problems

    def grade(self, answer: Any, response: Any, *, partial: bool = False) -> float | None:
        if not answer:
            return 0.0
        given = response if isinstance(response, list) else []
        right = 0
        for i, accepted in enumerate(answer):
            typed = given[i] if i < len(given) else ""
            if typed and fold(typed) in {fold(a) for a in accepted}:
                right += 1
        return right / len(answer)

    def response_from_form(self, values: list[str]) -> Any:
        cleaned = [str(v).strip() for v in values]
        return cleaned if any(cleaned) else None

    def is_answered(self, response: Any) -> bool:
        return isinstance(response, list) and any(str(v).strip() for v in response)

    def public_view(self, q: QuestionData, order: list[int] | None = None) -> dict:
        view = super().public_view(q, order)
        view["options"] = []
        view["parts"] = split_stem(q.stem)
        view["blanks"] = len(view["parts"]) - 1
        return view

    def answer_from_text(self, q: QuestionData, text: str, keywords: list[str]) -> tuple[Any, str | None]:
        q.stem = canonical_stem(q.stem)
        blanks = max(len(re.findall(r"____", q.stem)), 1)
        return (split_answer_text(text, blanks), None) if text else (None, gettext("请填写每个空格的答案。"))

    def text_answer(self, q: QuestionData) -> str:
        return BLANK_SEP.join(ALT_SEP.join(alts) for alts in (q.answer or []))

    def dedupe_answer(self, q: QuestionData) -> Any:
        return [sorted(fold(a) for a in alts) for alts in (q.answer or [])]

    def answer_display(self, q: QuestionData) -> str:
        return BLANK_SEP.join(" / ".join(alts) for alts in (q.answer or []))

    def gift_body(self, q: QuestionData, esc) -> str:
        if len(q.answer or []) != 1:
            raise NotExpressible(gettext("多空填空题无法用 GIFT 表示，已略过：%(stem)s", stem=q.stem.replace("\n", " ")))
        return " ".join("=" + esc(a) for a in q.answer[0])

    def gift_question(self, q: QuestionData, esc, general: str) -> str:
        body = self.gift_body(q, esc)
        parts = split_stem(q.stem)
        return esc(parts[0]) + "{" + body + general + "}" + esc(parts[1])

    def moodle_text(self, q: QuestionData, cloze_escape) -> str:
        stem = q.stem
        if len(q.answer) != 1:
            for alts in q.answer:
                cloze = "{1:SHORTANSWER:" + "~".join("=" + cloze_escape(a) for a in alts) + "}"
                stem = stem.replace(BLANK, cloze, 1)
        return stem

    def moodle_fill(self, el, q: QuestionData, sub) -> str:
        if len(q.answer or []) != 1:
            return "cloze"  # the exporter writes the blanks into the question text
        sub(el, "usecase", "0")
        for alt in q.answer[0]:
            ans = sub(el, "answer", fraction="100", format="moodle_auto_format")
            sub(ans, "text", alt)
        return "shortanswer"


TYPE = FillIn()
