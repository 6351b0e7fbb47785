"""Importing a parsed file into a bank: the plan, the bulk insert, the rejected sheet.

``plan_import`` sorts a ``ParseResult`` into what would go in, what is
rejected and what duplicates a question already there, without writing (the
upload preview and ``--dry-run`` show it). ``import_questions`` then writes
the accepted questions all or nothing, in three statements whatever their
number; ``rejected_sheet`` hands the rest back to the trainer as the Excel
template to fix and upload again.

Kept apart from ``services`` because this is the bulk path with its own
data (plan, outcome, rejected rows) and its own speed constraints; one
question written on the edit page goes through ``services.create_question``.
Flushes, never commits (DESIGN rule 7).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from quiz.banks import types as qtypes
from quiz.banks.models import Bank, Question, QuestionRevision
from quiz.banks.services import CONTENT_FIELDS, dedupe_key
from quiz.banks.types.base import Issue, ParseResult, QuestionData, Skipped
from quiz.db import utcnow
from quiz.extensions import db
from quiz.org.services import audit


@dataclass
class Rejected:
    """A question of the file that will not be imported, and why."""

    where: str
    message: str
    data: QuestionData | None = None  # None when the parser could not build it
    duplicate: bool = False


@dataclass
class ImportPlan:
    """What an import would do, computed without writing: shown on the
    preview page and by ``--dry-run``."""

    result: ParseResult
    accepted: list[QuestionData] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)  # errors, then invalid questions
    duplicates: list[Rejected] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)  # the parser's, then one per duplicate
    keys: dict[int, str] = field(default_factory=dict)  # id(accepted question) -> dedupe_key

    @property
    def errors(self) -> list[Issue]:
        return [Issue(r.where, r.message) for r in self.rejected]

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def skipped(self) -> list[Skipped]:
        return self.result.skipped

    def by_type(self) -> dict[str, int]:
        return self.result.by_type()

    def duplicate_wheres(self) -> set[str]:
        return {d.where for d in self.duplicates}


@dataclass
class ImportOutcome:
    """What ``import_questions`` did. ``imported`` is False when the file had
    errors and nothing was written (all or nothing)."""

    plan: ImportPlan
    imported: bool = False
    question_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.question_ids)

    @property
    def questions(self) -> list[Question]:
        """The imported questions, loaded on demand (an import may hold thousands)."""
        if not self.question_ids:
            return []
        rows = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(self.question_ids)))}
        return [rows[i] for i in self.question_ids]

    @property
    def ok(self) -> bool:
        return self.plan.ok

    @property
    def errors(self) -> list[Issue]:
        return self.plan.errors

    @property
    def warnings(self) -> list[Issue]:
        return self.plan.warnings

    @property
    def duplicates(self) -> list[Rejected]:
        return self.plan.duplicates


def plan_import(bank: Bank | None, result: ParseResult) -> ImportPlan:
    """Sort a parse result into what would be imported, what is rejected (the
    parser's errors and any question the type registry finds invalid) and what
    duplicates a question earlier in the file or already in ``bank``.

    Duplicates are kept out and reported as warnings, not errors: importing the
    same file twice adds nothing and is not a mistake worth blocking.
    """
    plan = ImportPlan(result=result, warnings=list(result.warnings))
    plan.rejected = [Rejected(e.where, e.message) for e in result.errors]
    existing: set[str] = set()
    if bank is not None and bank.id is not None:
        existing = set(db.session.scalars(select(Question.dedupe_key).where(Question.bank_id == bank.id)))
    seen: dict[str, QuestionData] = {}
    for q in result.questions:
        problems = qtypes.validate(q)
        if problems:
            plan.rejected.extend(Rejected(q.where, message, q) for message in problems)
            continue
        key = dedupe_key(q)
        if key in existing:
            dup = Rejected(q.where, _("与题库中已有的题目重复（题干和答案相同），未导入。"), q, duplicate=True)
        elif key in seen:
            first = seen[key].where
            dup = Rejected(q.where, _("与本文件%(first)s的题目重复（题干和答案相同），只导入第一道。", first=first),
                           q, duplicate=True)
        else:
            seen[key] = q
            plan.accepted.append(q)
            plan.keys[id(q)] = key
            continue
        plan.duplicates.append(dup)
        plan.warnings.append(Issue(dup.where, dup.message))
    return plan


def _bulk_add(bank: Bank, accepted: list[QuestionData], actor=None, keys: dict[int, str] | None = None) -> list[int]:
    """Insert questions and their first revisions in three statements whatever
    their number (the unit of work would issue three per question, because a
    question and its current revision point at each other)."""
    if not accepted:
        return []
    if bank.id is None:
        db.session.flush()
    now = utcnow()
    actor_id = getattr(actor, "id", None)
    keys = keys or {}
    contents = [{name: getattr(q, name) for name in CONTENT_FIELDS} for q in accepted]  # fresh from the parser
    question_ids = list(db.session.scalars(
        insert(Question).returning(Question.id, sort_by_parameter_order=True),
        [{**c, "bank_id": bank.id, "revision": 1, "dedupe_key": keys.get(id(q)) or dedupe_key(q), "archived": False,
          "created_at": now, "updated_at": now} for q, c in zip(accepted, contents)],
    ))
    revision_ids = list(db.session.scalars(
        insert(QuestionRevision).returning(QuestionRevision.id, sort_by_parameter_order=True),
        [{**c, "question_id": qid, "number": 1, "created_by_id": actor_id, "created_at": now}
         for qid, c in zip(question_ids, contents)],
    ))
    db.session.execute(update(Question), [{"id": qid, "current_revision_id": rid}
                                          for qid, rid in zip(question_ids, revision_ids)])
    return question_ids


def import_questions(bank: Bank, result: ParseResult, *, valid_only: bool = False, actor=None) -> ImportOutcome:
    """Import a parsed file into ``bank``, all or nothing.

    A result with errors (or with a question the registry rejects) imports
    nothing, unless ``valid_only``: then the valid questions go in and the
    rejected ones stay in the outcome's plan for the trainer to fix. Duplicates
    of questions in the file or in the bank are left out (warnings). Every new
    question gets its first revision.
    """
    plan = plan_import(bank, result)
    outcome = ImportOutcome(plan=plan)
    if not plan.ok and not valid_only:
        return outcome
    outcome.question_ids = _bulk_add(bank, plan.accepted, actor, plan.keys)
    outcome.imported = True
    if outcome.question_ids:
        audit("bank.import", bank, _("导入 %(n)s 题", n=outcome.count),
              {"format": result.format, "imported": outcome.count, "rejected": len(plan.rejected),
               "duplicates": len(plan.duplicates)}, actor=actor)
    return outcome


def rejected_sheet(plan: ImportPlan, source_lines: list[str] | None = None) -> bytes:
    """The rejected questions (errors and duplicates) in the columns of the
    platform's Excel template plus 位置 and 错误原因, to fix and upload again
    (the importer ignores the two extra columns).

    Questions the parser could not build have only their location and reason;
    for text files ``source_lines`` (the decoded file) lets the original lines
    be copied into 题目 so the trainer sees what was rejected.
    """
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from quiz.spreadsheet import set_cell
    from quiz.banks.formats.sheet.write import BASE_OPTIONS, SHEET_TITLE, columns, row_values

    rows: list[tuple[QuestionData | None, Rejected, list[str]]] = []
    by_data: dict[int, list[str]] = {}
    for r in plan.rejected + plan.duplicates:
        if r.data is not None and id(r.data) in by_data:
            by_data[id(r.data)].append(r.message)
            continue
        reasons = [r.message]
        if r.data is not None:
            by_data[id(r.data)] = reasons
        rows.append((r.data, r, reasons))
    option_count = max([BASE_OPTIONS] + [len(d.options) for d, _r, _m in rows if d is not None])
    names = columns(option_count) + [_("位置"), _("错误原因")]
    book = Workbook()
    ws = book.active
    ws.title = SHEET_TITLE
    for col, name in enumerate(names, start=1):
        ws.cell(row=1, column=col, value=name).font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, (data, r, reasons) in enumerate(rows, start=2):
        if data is not None:
            values = row_values(data, option_count)
        else:
            values = [""] * (len(names) - 2)
            values[1] = _source_block(source_lines or [], r.where)
        values += [r.where, "；".join(reasons)]
        for col, value in enumerate(values, start=1):
            if value in (None, ""):
                continue
            cell = set_cell(ws, n, col, value)  # text stays text, never a formula
            if isinstance(value, str):
                cell.alignment = wrap
    ws.column_dimensions["B"].width = 48
    ws.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _source_block(lines: list[str], where: str) -> str:
    """The lines of a text file from ``where`` ("第 12 行") to the next blank line."""
    m = re.search(r"(\d+)\s*行", where or "")
    if not m:
        return ""
    start = int(m.group(1)) - 1
    block = []
    for line in lines[start:start + 30]:
        if not line.strip() and block:
            break
        block.append(line.rstrip())
    return "\n".join(block).strip()
