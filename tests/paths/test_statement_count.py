"""No N+1: the board, its Excel export and a crew's lesson sheet issue the
same number of SQL statements for a small and a larger path."""
from __future__ import annotations

from tests.org.factories import login, make_unit, make_user
from tests.paths.factories import make_bank_with_points, make_path, make_section, take, workers
from tests.sql import statements


def _grow(path, section, teams: int, per_team: int, tag: str):
    made = []
    for t in range(teams):
        team = make_unit(f"{tag}班{t}", section, kind="team")
        people = workers(team, per_team, prefix=f"{tag}{t}")
        for i, person in enumerate(people):
            take(person, path.topics[0], right=i % 3 != 0)
        made.append(team)
    return made


def _counts(client, path, crew_id) -> dict[str, int]:
    urls = {"board": f"/paths/manage/{path.id}/board", "xlsx": f"/paths/manage/{path.id}/board.xlsx",
            "teach": f"/paths/manage/{path.id}/crews/{crew_id}/topics/1"}
    out = {}
    for name, url in urls.items():
        client.get(url)  # warm
        with statements() as seen:
            assert client.get(url).status_code == 200
        out[name] = len(seen)
    return out


def test_board_and_lesson_statements_do_not_grow_with_people(app, client):
    bank, _q = make_bank_with_points()
    section, (team, _other) = make_section()
    path = make_path(bank, section)
    trainer = make_user("TRC01", roles={"trainer": [section.id]})
    crew = _grow(path, section, 2, 2, "S")[0]
    login(client, trainer)
    small = _counts(client, path, crew.id)
    _grow(path, section, 5, 4, "L")
    for i, person in enumerate(workers(crew, 4, prefix="X")):  # the crew of the lesson sheet grows too
        take(person, path.topics[0], right=i % 2 == 0)
    large = _counts(client, path, crew.id)
    assert small == large, (small, large)
    assert small["board"] <= 16
