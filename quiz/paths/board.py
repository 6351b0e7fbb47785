"""The trainer's board and the heads' summary, put together from a
``PathState`` (no further queries), and the board as an Excel file."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone

from flask_babel import gettext as _
from openpyxl import Workbook

from quiz.paths import state

STATE_LABELS = {"not_started": "未开放", "studying": "学习中", "failed": "未通过", "remediation": "补课中",
                "passed": "已通过"}


@dataclass
class CrewRow:
    crew: state.Crew
    people: list[state.Person]
    open_topic: int | None
    blocking: list[state.Person]
    days: int  # on the open topic
    finished: bool
    passed_share: float  # of the members, who passed the open topic


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
        finished = all(ps.standing(p).finished for p in crew.people)
        out.append(CrewRow(crew, sorted(crew.people, key=lambda p: p.employee_no), open_topic, blocking,
                           _days(crew.since, now), finished, passed / len(crew.people) if crew.people else 0.0))
    out.sort(key=lambda r: (r.finished, -r.days, -len(r.blocking), r.crew.label))
    return out


def xlsx(ps: state.PathState, now: datetime) -> bytes:
    """The board as a workbook: one row per person, one column per topic."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("看板")
    headers = [_("班组"), _("班组当前课题"), _("在本课题天数"), _("工号"), _("姓名")]
    headers += [_("课题 %(n)s", n=t.position) for t in ps.topics] + [_("实操考核")]
    ws.append(headers)
    for row in rows(ps, now):
        for person in row.people:
            cells = []
            for t in ps.topics:
                s = ps.cell_state(person, t.position)
                c = person.cells.get(t.position) or state.Cell()
                text = _(STATE_LABELS[s])
                if c.attempts and s != "passed":
                    text += f" ×{c.attempts}"
                cells.append(text)
            ws.append([row.crew.label, row.open_topic or "", row.days, person.employee_no, person.name] + cells
                      + [_("已签认") if person.practical else ""])
    ws.freeze_panes = "F2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
