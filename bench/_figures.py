"""One line per figure, so `make bench` can gather every benchmark's figures
into one table (bench/_table.py reads them back from the output).

A benchmark calls ``figure(...)`` for each figure an issue sets an aim for:

    figure("answer save: server CPU per request", 1.8, "ms", "<=", 2.0)

which prints ``FIGURE<TAB>name<TAB>value<TAB>unit<TAB>op<TAB>aim<TAB>met|NOT met``.
A figure without an aim (a baseline, a stretch figure) passes ``op=None``.
"""
from __future__ import annotations

import operator
import os

_OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt}


def figure(name: str, value: float | None, unit: str, op: str | None = None, aim: float | None = None) -> bool | None:
    """Print one figure line and return whether it meets its aim (None: no aim or no value)."""
    met = None if op is None or value is None else _OPS[op](value, aim)
    verdict = "-" if met is None else ("met" if met else "NOT met")
    shown = "n/a" if value is None else f"{value:.4g}"
    aim_text = "" if op is None else f"{op} {aim:g}"
    print(f"FIGURE\t{name}\t{shown}\t{unit}\t{aim_text}\t{verdict}\tload {os.getloadavg()[0]:.2f}", flush=True)
    return met
