"""Benchmark: what one request costs in-process, without the network, the phone's attempt page first.

Run from the repository root: ``.venv/bin/python bench/attempt_page.py``
(``--profile`` also prints cProfile's top functions for each request kind).

A fresh SQLite database seeded as ``bench/answer_save.py`` does (a timed
20-question exam, attempts in progress), the app built as gunicorn serves it
(``bench/_wsgi.py``'s ``create_app``), and Flask's test client signed in
through ``/login`` as a worker. Then, alternating rounds of each request kind
so that other load on the machine falls on all alike, CPU time of this
process (``time.process_time``) per request, median of rounds:

* ``attempt page``: ``GET /attempts/<id>``, 20 questions, all answered (as late in an exam);
* ``answer save``: ``POST /api/attempts/<id>/answers``;
* ``healthz``: ``GET /healthz`` signed in.

Aim (issue 14): the attempt page <= 8 ms of CPU for 20 questions. The test
client's own cost is in every figure (a few hundred microseconds).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from _figures import figure  # noqa: E402
from _load import csrf_from, loadavg  # noqa: E402
from _phone import choose, parse_attempt_page  # noqa: E402
from _seed import make_app, seed, server_env  # noqa: E402


def _signed_in(app, employee_no: str, password: str):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"employee_no": employee_no, "password": password, "csrf_token": token,
                                           "next": ""})
    if response.status_code != 302 or "/login" in response.headers.get("Location", ""):
        raise SystemExit(f"sign-in failed: {response.status_code}")
    return client


def run(rounds: int = 7, per_round: int = 20, profile: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="quiz-attempt-page-") as tmp:
        env = server_env(Path(tmp) / "bench.db")
        seeded = seed(env, 2, time_limit_minutes=240, start_attempts=True)
        app = make_app(env)
        no = seeded.people[0]
        attempt_id = seeded.attempts[no]
        client = _signed_in(app, no, seeded.password)
        page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
        csrf = csrf_from(page)
        questions = parse_attempt_page(page)
        if len(questions) != 20:
            raise SystemExit(f"expected 20 questions on the attempt page, found {len(questions)}")
        seq = [int(m.group(1)) if (m := re.search(r'data-max-seq="(\d+)"', page)) else 0]

        rng = random.Random(7)

        def save(n: int = 0):
            question = questions[n % len(questions)]
            seq[0] += 1
            values = choose(question, rng)
            response = client.post(f"/api/attempts/{attempt_id}/answers", headers={"X-CSRFToken": csrf},
                                   json={"position": question.position, "values": values, "seq": seq[0]})
            if response.status_code != 200 or not response.get_json().get("ok"):
                raise SystemExit(f"save refused: {response.status_code} {response.get_data(as_text=True)[:200]}")

        for n in range(len(questions)):  # every question answered, as late in an exam
            save(n)
        counter = iter(range(10**9))

        def attempt_page():
            response = client.get(f"/attempts/{attempt_id}")
            if response.status_code != 200:
                raise SystemExit(f"attempt page: {response.status_code}")
            response.get_data()

        def healthz():
            response = client.get("/healthz")
            if response.status_code != 200:
                raise SystemExit(f"healthz: {response.status_code}")

        kinds = {"attempt page": attempt_page, "answer save": lambda: save(next(counter)), "healthz": healthz}
        for fn in kinds.values():  # warm: templates compiled, statements cached
            for _ in range(3):
                fn()
        per_kind: dict[str, list[float]] = {k: [] for k in kinds}
        for _round in range(rounds):
            for name, fn in kinds.items():
                t0 = time.process_time()
                for _ in range(per_round):
                    fn()
                per_kind[name].append((time.process_time() - t0) / per_round * 1000)
        profiles = {}
        if profile:
            for name, fn in kinds.items():
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(per_round * 5):
                    fn()
                prof.disable()
                out = io.StringIO()
                pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(45)
                profiles[name] = out.getvalue()
    out = {"bench": "attempt_page", "rounds": rounds, "per_round": per_round,
           "cpu_ms": {k: round(statistics.median(v), 2) for k, v in per_kind.items()},
           "cpu_ms_min": {k: round(min(v), 2) for k, v in per_kind.items()},
           "questions": len(questions), "page_bytes": len(page.encode()), "loadavg": loadavg()}
    return out | ({"profiles": profiles} if profile else {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions per request kind")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 100 or not 1 <= args.per_round <= 1000:
        parser.error("rounds 1..100, per-round 1..1000")
    out = run(args.rounds, args.per_round, args.profile)
    for name, text in out.pop("profiles", {}).items():
        print(f"== profile: {name} ({args.per_round * 5} requests)\n{text}")
    print(json.dumps(out, ensure_ascii=False), flush=True)
    figure("attempt page (20 questions): CPU per render, in-process", out["cpu_ms"]["attempt page"], "ms", "<=", 8.0)
    figure("answer save: CPU per request, in-process", out["cpu_ms"]["answer save"], "ms")
    figure("healthz signed in: CPU per request, in-process", out["cpu_ms"]["healthz"], "ms")


if __name__ == "__main__":
    main()
