"""Benchmark: the answer-save endpoint against a bare INSERT in the same server and against the floor.

Run from the repository root: ``.venv/bin/python bench/answer_save.py``.

gunicorn with 2 sync workers (as ``make run``) on a fresh SQLite database
(WAL, busy_timeout, BEGIN IMMEDIATE) in a temporary directory; 64 workers
each with an attempt in progress on a 20-question exam, each signed in
through ``/login`` with the CSRF token from their attempt page. The same
load tool (``bench/_load.py``, closed loop: each connection sends its next
request when the previous one is answered) then drives, at 8 and at 64
concurrent connections:

* ``floor``: ``POST /bench/insert`` on a second gunicorn (same settings) serving
  ``bench/_floor_wsgi.py``: a minimal Flask app, no extensions, no sign-in, the
  same INSERT and commit into the same database: what the framework costs;
* ``insert``: ``POST /bench/insert`` (``bench/_insert_views.py``): one INSERT and commit
  behind the app's sign-in and CSRF checks;
* ``save``: ``POST /api/attempts/<id>/answers`` (position, values, growing seq), the phone's real save.

Phases alternate (floor, insert, save, floor …, ``--rounds`` of each) so
that other load on the machine falls on all alike. Prints a small table
(rps and server CPU per request of each, ratios save/floor), one JSON line,
and one FIGURE line per aim (issue 14): server CPU per answer save
<= 2 ms; save throughput >= 50 % of the floor's, at 8 and at 64 connections.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from _figures import figure  # noqa: E402
from _load import Client, Latencies, Server, loadavg, rusage_cpu  # noqa: E402
from _phone import Phone, Tally, choose  # noqa: E402
from _seed import seed, server_env  # noqa: E402


ENDPOINTS = ("floor", "insert", "save")


async def _phase(server: Server, phones: list[Phone], endpoint: str, seconds: float, warmup: float) -> dict:
    """Closed loop on ``endpoint`` with one connection per phone for ``warmup
    + seconds``; requests that finish inside the measured window count."""
    lat = Latencies()
    errors: dict[str, int] = {}
    begin = time.monotonic() + warmup
    end = begin + seconds

    async def loop(phone: Phone) -> None:
        rng = phone.rng
        n = 0
        while time.monotonic() < end and n < 1_000_000:
            n += 1
            question = phone.questions[n % len(phone.questions)]
            values = choose(question, rng)
            phone.seq += 1
            if endpoint == "save":
                path = f"/api/attempts/{phone.attempt_id}/answers"
                body = {"position": question.position, "values": values, "seq": phone.seq}
            else:
                path = "/bench/insert"
                body = {"seq": phone.seq, "values": values}
            client = phone.floor_client if endpoint == "floor" else phone.client
            t0 = time.monotonic()
            try:
                response = await client.request("POST", path, json_body=body,
                                                headers={"X-CSRFToken": phone.csrf})
                good = response.status == 200 and response.json().get("ok") is True
                reason = str(response.status)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as exc:
                good, reason = False, type(exc).__name__
            t1 = time.monotonic()
            if begin <= t1 <= end:  # finished inside the measured window
                if good:
                    lat.add(t1 - t0)
                else:
                    errors[reason] = errors.get(reason, 0) + 1

    async def cpu_window() -> float:
        await asyncio.sleep(max(0.0, begin - time.monotonic()))
        before = server.worker_cpu()
        await asyncio.sleep(max(0.0, end - time.monotonic()))
        return server.worker_cpu() - before

    *_loops, cpu = await asyncio.gather(*(loop(p) for p in phones), cpu_window())
    return {"lat": lat, "errors": errors, "seconds": seconds, "cpu": cpu}


async def measure(server: Server, floor: Server, seeded, levels: list[int], seconds: float, warmup: float,
                  rounds: int) -> dict:
    tally = Tally()
    rng = random.Random(7)
    deadline = time.monotonic() + 300
    phones = []
    for no in seeded.people[:max(levels)]:
        phone = Phone(server.port, no, seeded.password, tally, random.Random(rng.random()), deadline)
        await phone.sign_in()
        await phone.open_attempt(seeded.attempts[no])
        phone.floor_client = Client(floor.port)
        phones.append(phone)
    results: dict[str, dict] = {}
    for level in levels:
        for _round in range(rounds):
            for endpoint in ENDPOINTS:
                got = await _phase(floor if endpoint == "floor" else server, phones[:level], endpoint, seconds,
                                   warmup)
                key = f"{endpoint}_{level}"
                acc = results.setdefault(key, {"lat": Latencies(), "errors": {}, "seconds": 0.0, "cpu": 0.0})
                acc["lat"].samples.extend(got["lat"].samples)
                acc["seconds"] += got["seconds"]
                acc["cpu"] += got["cpu"]
                for reason, count in got["errors"].items():
                    acc["errors"][reason] = acc["errors"].get(reason, 0) + count
    for phone in phones:
        await phone.close()
        await phone.floor_client.close()
    return results


def run(levels=(8, 64), seconds: float = 10.0, warmup: float = 2.0, rounds: int = 2, server_workers: int = 2,
        threads: int = 1, keep: str | None = None) -> dict:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="quiz-answer-save-") as tmp:
        tmpdir = Path(keep) if keep else Path(tmp)
        tmpdir.mkdir(parents=True, exist_ok=True)
        env = server_env(tmpdir / "bench.db")
        seeded = seed(env, max(levels), time_limit_minutes=240, start_attempts=True)
        cpu0 = rusage_cpu()
        load0 = loadavg()
        floor_env = {**env, "QUIZ_BENCH_APP": "_floor_wsgi:app"}
        with Server(env, tmpdir / "gunicorn.log", workers=server_workers, threads=threads) as server, \
                Server(floor_env, tmpdir / "gunicorn-floor.log", workers=server_workers, threads=threads) as floor:
            results = asyncio.run(measure(server, floor, seeded, list(levels), seconds, warmup, rounds))
        client_cpu = rusage_cpu() - cpu0
    out: dict = {"bench": "answer_save"}
    for level in levels:
        row = {}
        for endpoint in ENDPOINTS:
            acc = results[f"{endpoint}_{level}"]
            summary = acc["lat"].summary()
            rps, n = summary["n"] / acc["seconds"], summary["n"]
            row[endpoint] = {"rps": round(rps, 1), "p50_ms": summary["p50_ms"],
                             "p95_ms": summary["p95_ms"], "p99_ms": summary["p99_ms"],
                             # CPU the gunicorn workers spent per request: what other load on the
                             # machine does not change, unlike rps and latency
                             "server_cpu_ms_per_req": round(1000 * acc["cpu"] / n, 2) if n else None,
                             # Little's law: a closed loop of N connections on a server doing R/s
                             # waits N/R on average, whatever the endpoint
                             "queueing_floor_ms": round(1000 * level / rps, 1) if rps else None,
                             "errors": sum(acc["errors"].values()), **({"errors_by": acc["errors"]}
                                                                       if acc["errors"] else {})}
        row["ratio"] = round(row["save"]["rps"] / row["insert"]["rps"], 3) if row["insert"]["rps"] else None
        cpu_s, cpu_i = row["save"]["server_cpu_ms_per_req"], row["insert"]["server_cpu_ms_per_req"]
        row["cpu_ratio"] = round(cpu_i / cpu_s, 3) if cpu_s and cpu_i else None  # insert cost / save cost
        floor_rps = row["floor"]["rps"]
        row["save_vs_floor"] = round(row["save"]["rps"] / floor_rps, 3) if floor_rps else None
        row["insert_vs_floor"] = round(row["insert"]["rps"] / floor_rps, 3) if floor_rps else None
        out[f"c{level}"] = row
    out["aim"] = "server CPU per answer save <= 2 ms; save rps >= 0.5 x floor rps, at 8 and at 64 connections"
    out["aim_met"] = bool(all((out[f"c{lv}"]["save"]["server_cpu_ms_per_req"] or 99) <= 2.0
                              and (out[f"c{lv}"]["save_vs_floor"] or 0) >= 0.5 for lv in levels))
    out.update({
        "seconds_per_phase": seconds, "warmup_s": warmup, "rounds": rounds,
        "load_tool": "bench/_load.py asyncio HTTP/1.1 client, closed loop, one connection per signed-in worker",
        "server": f"gunicorn {server_workers} sync workers" + (f" x {threads} threads" if threads > 1 else "")
                  + ", SQLite WAL, 127.0.0.1",
        "client_cpu_s": round(client_cpu, 1), "wall_s": round(time.monotonic() - started, 1),
        "loadavg_start": load0, "loadavg_end": loadavg(), "cpus": os.cpu_count(),
    })
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per phase (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--levels", default="8,64", help="concurrent connections, comma-separated")
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--keep", help="keep the database and the gunicorn log in this directory")
    args = parser.parse_args()
    levels = tuple(int(x) for x in args.levels.split(","))
    if not levels or min(levels) < 1 or max(levels) > 1000 or not 0 < args.seconds <= 600:
        parser.error("levels 1..1000, seconds in (0, 600]")
    out = run(levels, args.seconds, args.warmup, args.rounds, args.server_workers, args.threads, args.keep)
    print(f"{'connections':>11}  {'endpoint':<8} {'rps':>8} {'CPU ms/req':>10} {'p95 ms':>8} {'errors':>6}")
    for level in levels:
        row = out[f"c{level}"]
        for endpoint in ENDPOINTS:
            r = row[endpoint]
            print(f"{level:>11}  {endpoint:<8} {r['rps']:>8} {r['server_cpu_ms_per_req'] or '-':>10} "
                  f"{r['p95_ms'] or '-':>8} {r['errors']:>6}")
        print(f"{level:>11}  save/floor rps {row['save_vs_floor']}, insert/floor rps {row['insert_vs_floor']}, "
              f"save/insert rps {row['ratio']}")
    print(json.dumps(out, ensure_ascii=False), flush=True)
    for level in levels:
        row = out[f"c{level}"]
        figure(f"floor: server CPU per request, {level} connections", row["floor"]["server_cpu_ms_per_req"], "ms")
        figure(f"answer save: server CPU per request, {level} connections", row["save"]["server_cpu_ms_per_req"],
               "ms", "<=", 2.0)
        figure(f"answer save: rps / floor rps, {level} connections", row["save_vs_floor"], "x", ">=", 0.5)


if __name__ == "__main__":
    main()
