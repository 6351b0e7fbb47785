"""The trainer's board and the heads' summary, put together from a
``PathState`` (no further queries), and the board as an Excel file."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone

from flask_babel import gettext as _
from markupsafe import Markup, escape
from openpyxl import Workbook

from quiz.paths import state

STATE_LABELS = {"not_started": "未开放", "studying": "学习中", "failed": "未通过", "remediation": "补课中",
                "passed": "已通过"}


BADGE = {"not_started": "", "studying": "warn", "failed": "bad", "remediation": "warn", "passed": "ok"}


def labels() -> dict[str, str]:
    """The cell labels in the reader's language, translated once per page."""
    return {key: _(text) for key, text in STATE_LABELS.items()}


@dataclass
class PersonRow:
    person: state.Person
    cells: list[tuple[str, str, str]]  # (state, badge class, label), one per topic
    html: Markup = Markup("")  # the row's cells as HTML: a board of 1,000 people renders in Python, not Jinja


@dataclass
class CrewRow:
    crew: state.Crew
    people: list[state.Person]
    open_topic: int | None
    blocking: list[state.Person]
    days: int  # on the open topic
    finished: bool
    passed_share: float  # of the members, who passed the open topic
    lines: list[PersonRow] | None = None  # filled by ``with_cells`` (the board page)


def _days(since: datetime | None, now: datetime) -> int:
    if since is None:
        return 0
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    return max(0, (now - since).days)


def rows(ps: state.PathState, now: datetime) -> list[CrewRow]:
    """One row per crew, stuck crews first: unfinished before finished, then
    longest on their topic, then most people blocking."""
    out = []
    for crew in ps.crews.values():
        open_topic = crew.open_topic if crew.gate else None
        blocking = [ps.people[u] for u in (crew.gate.blocking if crew.gate else ())]
        topic_for_share = open_topic or 1
        passed = sum(1 for p in crew.people if (p.cells.get(topic_for_share) or state.Cell()).passed)
        finished = bool(ps.topics) and all(len(p.cells) == ps.n and all(c.passed for c in p.cells.values())
                                           for p in crew.people)
        out.append(CrewRow(crew, sorted(crew.people, key=lambda p: p.employee_no), open_topic, blocking,
                           _days(crew.since, now), finished, passed / len(crew.people) if crew.people else 0.0))
    out.sort(key=lambda r: (r.finished, -r.days, -len(r.blocking), r.crew.label))
    return out


def with_cells(ps: state.PathState, crew_rows: list[CrewRow]) -> list[CrewRow]:
    """Each person's cells ready to print: state, badge class and label
    (``failed ×n`` with the number of attempts)."""
    names = labels()
    for row in crew_rows:
        row.lines = []
        for person in row.people:
            cells = []
            html = []
            for no, s in zip(ps.numbers, ps.cell_states(person)):
                c = person.cells.get(no)
                text = names[s]
                if s == "failed" and c is not None and c.attempts > 1:
                    text += f" ×{c.attempts}"
                cells.append((s, BADGE[s], text))
                html.append(f'<td class="cell st-{s}"><span class="badge {BADGE[s]}">{escape(text)}</span></td>')
            row.lines.append(PersonRow(person, cells, Markup("".join(html))))
    return crew_rows


def xlsx(ps: state.PathState, now: datetime) -> bytes:
    """The board as a workbook: one row per person, one column per topic."""
    names = labels()
    wb = Workbook()
    ws = wb.active
    ws.title = _("看板")
    headers = [_("班组"), _("班组当前课题"), _("在本课题天数"), _("工号"), _("姓名")]
    headers += [_("课题 %(n)s", n=t.position) for t in ps.topics] + [_("实操考核")]
    ws.append(headers)
    for row in rows(ps, now):
        for person in row.people:
            cells = []
            for no, s in zip(ps.numbers, ps.cell_states(person)):
                c = person.cells.get(no) or state.Cell()
                text = names[s]
                if c.attempts and s != "passed":
                    text += f" ×{c.attempts}"
                cells.append(text)
            ws.append([row.crew.label, row.open_topic or "", row.days, person.employee_no, person.name] + cells
                      + [_("已签认") if person.practical else ""])
    ws.freeze_panes = "F2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
