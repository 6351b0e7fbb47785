"""The registry of question types: name -> type object.

One module per type (single, multiple, truefalse, fill, short), each with a
``TYPE`` instance of a ``QuestionType`` subclass. Importers, the grader,
templates and exporters ask this registry; nobody else branches on a name.
"""
from __future__ import annotations

from quiz.banks.types import fill, multiple, short, single, truefalse
from quiz.banks.types.base import QuestionData, QuestionType

REGISTRY: dict[str, QuestionType] = {
    t.TYPE.name: t.TYPE for t in (single, multiple, truefalse, fill, short)
}


def get(name: str) -> QuestionType:
    """The type called ``name``; KeyError for an unknown one."""
    return REGISTRY[name]


def all_types() -> list[QuestionType]:
    return list(REGISTRY.values())


def validate(q: QuestionData) -> list[str]:
    """Messages saying what to fix in ``q``; unknown types are one message."""
    if q.type not in REGISTRY:
        from flask_babel import gettext

        return [gettext("不支持的题型“%(type)s”。", type=q.type)]
    return REGISTRY[q.type].validate(q)
