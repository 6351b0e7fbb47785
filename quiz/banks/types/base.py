"""The shapes every question type, parser and exporter agree on.

Pure data: no Flask, no database. A parser turns a file into a
``ParseResult`` holding ``QuestionData`` objects; the database layer copies
those fields onto ``Question`` / ``QuestionRevision`` rows; the grader and the
exporters read the same fields back.

Answer encoding, per type (all JSON-serialisable, stored as-is in the DB):

=============  ===========================================================
type           ``answer``
=============  ===========================================================
``single``     ``[i]``: list with the 0-based index of the right option
``multiple``   ``[i, j, ...]``: sorted 0-based indices, two or more
``truefalse``  ``True`` or ``False``
``fill``       ``[["accepted", "also accepted"], [...]]``: one list per blank
``short``      ``{"reference": str, "keywords": [str, ...]}`` (may be empty)
=============  ===========================================================

``options`` holds option texts without their letters (``["正确", "错误"]`` is
never stored for true/false: that type has no options).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TYPE_NAMES = ("single", "multiple", "truefalse", "fill", "short")


@dataclass
class QuestionData:
    type: str
    stem: str
    options: list[str] = field(default_factory=list)
    answer: Any = None
    explanation: str = ""
    source_excerpt: str = ""
    category: str = ""
    tags: list[str] = field(default_factory=list)
    difficulty: int | None = None  # 1..5
    points: float | None = None
    job_types: list[str] = field(default_factory=list)
    where: str = ""  # where it was found in the file: "第 12 行", "工作表 Sheet1 第 5 行"


@dataclass
class Issue:
    """An error or warning found in a file.

    ``where`` says where (line, or sheet and cell); ``message`` says what is
    wrong and what to do about it, in the user's language.
    """

    where: str
    message: str

    def as_dict(self) -> dict:
        return {"where": self.where, "message": self.message}


@dataclass
class Skipped:
    """A question of a type the platform does not have (matching, numerical ...)."""

    where: str
    type: str

    def as_dict(self) -> dict:
        return {"where": self.where, "type": self.type}


@dataclass
class ParseResult:
    format: str
    questions: list[QuestionData] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_type(self) -> dict[str, int]:
        counts = {name: 0 for name in TYPE_NAMES}
        for q in self.questions:
            counts[q.type] = counts.get(q.type, 0) + 1
        return counts


class NotExpressible(ValueError):
    """A file format cannot say this question; ``str(exc)`` tells the person which and why."""


class QuestionType:
    """One kind of question: validates, grades, renders and exports itself.

    Subclasses live one per module in ``quiz.banks.types`` and are registered
    in ``REGISTRY`` there (the CTFd flag-classes pattern). Everything that
    depends on the type asks the registry; nobody else branches on a name.
    """

    name: str = ""
    label: Any = ""
    has_options: bool = False
    template: str = ""
    #: what the files call the type: the text template's section heading and
    #: the sheet's 题型 cell (Chinese in every language, like the templates)
    title: str = ""
    #: other words a sheet's 题型 column may hold for this type (matched after
    #: spaces, "_" and "-" are removed and letters lowered)
    sheet_words: tuple[str, ...] = ()
    #: whether item analysis counts how often each of ``analysis_options`` was chosen
    counts_options: bool = False
    #: the answer is exactly one of the options (all that Aiken can say)
    one_right_option: bool = False

    # -- checking and grading ---------------------------------------------
    def validate(self, q: QuestionData) -> list[str]:
        """Messages (in the user's language) saying what to fix; empty when fine."""
        raise NotImplementedError

    def grade(self, answer: Any, response: Any, *, partial: bool = False) -> float | None:
        """Fraction 0..1 of the points; None when a trainer has to grade it."""
        raise NotImplementedError

    def response_from_form(self, values: list[str]) -> Any:
        """Posted form values to the stored response JSON (None when blank)."""
        raise NotImplementedError

    def is_answered(self, response: Any) -> bool:
        raise NotImplementedError

    # -- rendering ---------------------------------------------------------
    def public_view(self, q: QuestionData, order: list[int] | None = None) -> dict:
        """What the phone may see: never the answer or the explanation.

        ``order`` is the display order of the options (original indices);
        ``options`` is a list of ``(original index, text)`` in that order.
        """
        indices = list(order) if order is not None else list(range(len(q.options)))
        return {
            "type": self.name,
            "label": str(self.label),
            "stem": q.stem,
            "options": [(i, q.options[i]) for i in indices],
            "points": q.points,
        }

    def answer_display(self, q: QuestionData) -> str:
        """The right answer as a person reads it (for trainer pages and reveal)."""
        return self.text_answer(q)

    # -- reading and writing files ---------------------------------------------
    def answer_from_text(self, q: QuestionData, text: str, keywords: list[str]) -> tuple[Any, str | None]:
        """The answer for ``text`` written as ``text_answer`` writes it, or
        ``(None, message)`` saying what to write instead.

        Read by the question edit form, and by the sheet format for a type it
        has no rules of its own for. May put ``q.stem`` in its canonical form.
        ``keywords`` are the form's separate key words (short answers).
        """
        raise NotImplementedError

    def text_answer(self, q: QuestionData) -> str:
        """The value written after ``答案：`` in the Chinese text template."""
        raise NotImplementedError

    def text_extra_lines(self, q: QuestionData) -> list[str]:
        """Lines the text template writes after ``解析：`` for this type (``关键词：…``)."""
        return []

    def sheet_answer(self, q: QuestionData) -> str:
        """The 正确答案 cell of the Excel template."""
        return self.text_answer(q)

    def map_answer_text(self, answer: Any, change) -> Any:
        """``answer`` with ``change(text)`` applied to the free text a person reads
        in it (parsers restore the punctuation they folded); unchanged by default."""
        return answer

    def dedupe_answer(self, q: QuestionData) -> Any:
        """The answer as the duplicate check compares it (texts through ``quiz.text.fold``)."""
        return q.answer

    # -- item analysis -----------------------------------------------------------
    def analysis_options(self, q: QuestionData) -> list[tuple[str, str, bool]]:
        """The rows of the option table in item analysis: (letter, text, is the key)."""
        return []

    def chosen_options(self, response: Any) -> list[int]:
        """Which of ``analysis_options`` a stored response chose."""
        return []

    # -- export hooks --------------------------------------------------------
    def gift_body(self, q: QuestionData, esc) -> str:
        """The ``{...}`` block of a GIFT question; ``esc`` escapes GIFT text."""
        raise NotImplementedError

    def gift_question(self, q: QuestionData, esc, general: str) -> str:
        """The GIFT question: stem and ``{...}`` block, ``general`` (``####`` feedback) inside it.

        ``NotExpressible`` when GIFT cannot say the question.
        """
        if self.has_options:
            return esc(q.stem) + " {\n" + self.gift_body(q, esc) + ("\n\t" + general if general else "") + "\n}"
        return esc(q.stem) + " {" + self.gift_body(q, esc) + general + "}"

    def gift_meta(self, q: QuestionData) -> dict:
        """What GIFT has no syntax for, kept in the platform's meta comment."""
        return {}

    def answer_from_gift_meta(self, answer: Any, meta: dict) -> Any:
        """The answer once the meta comment ``gift_meta`` wrote is read back."""
        return answer

    def moodle_text(self, q: QuestionData, cloze_escape) -> str:
        """The Moodle question text (the stem; cloze questions put their blanks in it)."""
        return q.stem

    def moodle_fill(self, el, q: QuestionData, sub) -> str:
        """Add the answer elements to a Moodle ``<question>`` element.

        ``sub(parent, tag, text=None, **attrs)`` creates a child element.
        Returns the Moodle question type name.
        """
        raise NotImplementedError
