"""User text in spreadsheets stays text: the one place every xlsx and csv writer asks.

A title such as ``=HYPERLINK("http://…","点击查看成绩")`` typed into an assignment
would otherwise become a live formula in a head's Excel file (openpyxl turns
any string starting with ``=`` into a formula) or in the CSV (Excel evaluates
``=``, ``+``, ``-``, ``@``, tab and carriage return at the start of a field).

Following OWASP's advice on CSV injection:

- CSV: a text field starting with one of those characters gets a leading
  apostrophe (Excel shows the text, never evaluates it); the csv module quotes
  the rest.
- xlsx: the cell is written as a string (never a formula) with Excel's
  "quote prefix" flag, so it shows exactly what was typed, and stays text if
  someone edits it in Excel. No apostrophe is added: the value read back is
  the value written (bank exports round-trip). Two writers: openpyxl (the
  small sheets, and the ones read back) through ``xlsx_row``/``set_cell``, and
  ``quiz.xlsx_stream`` (the heads' big report, a fraction of the time per
  cell), which writes every text as an inline string and gives text starting
  with ``RISKY_START`` the quote prefix.

Numbers, dates and ``None`` pass through unchanged: figures stay numbers.
"""
from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell

RISKY_START = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value: Any) -> bool:
    """A text Excel would read as a formula or command."""
    return isinstance(value, str) and value.startswith(RISKY_START)


def csv_value(value: Any) -> Any:
    """A value for ``csv.writer``: risky text gets a leading apostrophe."""
    if is_risky(value):
        return "'" + value
    return value


def csv_row(values) -> list:
    """A whole row for ``csv.writer.writerow``; ``None`` becomes an empty field."""
    return ["" if v is None else csv_value(v) for v in values]


def text_cell(ws, value: str) -> Cell:
    """A string cell that Excel shows as typed and never evaluates."""
    cell = Cell(ws, row=1, column=1)
    cell._value = value  # noqa: SLF001  (the setter would turn "=…" into a formula)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_value(ws, value: Any) -> Any:
    """A value for ``ws.append`` (normal or write-only sheets): risky text as a text cell."""
    if is_risky(value):
        return text_cell(ws, value)
    return value


def xlsx_row(ws, values) -> list:
    """A whole row for ``ws.append``.

    A write-only sheet reuses the last cell object it was given for the values
    that follow, so once a row holds a text cell every other value of that row
    becomes a cell of its own too (rare: only rows with risky text pay for it).
    """
    values = list(values)
    if not any(is_risky(v) for v in values):
        return values
    return [v if v is None or isinstance(v, Cell) else
            (text_cell(ws, v) if is_risky(v) else Cell(ws, row=1, column=1, value=v)) for v in values]


def set_text(cell: Cell, value: str) -> None:
    """Put text into an existing cell as text, whatever it starts with."""
    cell._value = value  # noqa: SLF001  (the setter would turn "=…" into a formula)
    cell.data_type = "s"
    if is_risky(value):
        cell.quotePrefix = True


def set_cell(ws, row: int, column: int, value: Any) -> Cell:
    """``ws.cell(row, column, value)`` for a normal sheet, with risky text kept as text."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value
    return cell
