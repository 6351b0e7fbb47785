"""Benchmark: exam day. N simulated workers sign in, start the same timed
20-question exam together, answer with think time, submit; then every answer
the server acknowledged is reconciled against the database.

Run from the repository root::

    .venv/bin/python bench/exam_day.py [--workers 3000] [--duration 600] [--start-window 60] [--chaos]
    .venv/bin/python bench/exam_day.py --database postgresql --servers 2 [--chaos] [--round-robin]

Prints one JSON line: errors (operations that never succeeded after the
phone's retries), failed requests (single tries that failed, retried or
not), lost answers (acknowledged but not in the database as sent), p95 of
sign-in, start, save and submit, server CPU per phone, and how sign-in was
done; then the figures with their aims, one ``FIGURE`` line each
(``bench/_figures.py``). Aim: N = 3,000 on a 2-core machine with 0 errors,
0 lost, p95 under 250 ms, server CPU per phone (sign-in to result) at most
80 ms.

The server is gunicorn with 2 sync workers (as ``make run``) on a fresh
SQLite database in a temporary directory; only 127.0.0.1 is contacted.

The scale-out set-up (``--database postgresql --servers 2``): a throwaway
PostgreSQL cluster started by the bench (``bench/_services.py``, as ``make
test`` starts one), ``--servers`` gunicorn instances on their own ports with
the same settings and secret key, and Flask-Limiter's counters in a Redis
server the bench starts (``RATELIMIT_STORAGE_URI=redis://…``) as soon as
there is more than one server. The phones are split between the servers
(phone i on server i mod N), or with ``--round-robin`` every request of a
phone goes to the next server, as a proxy without sticky sessions would
send it. Server CPU per phone counts the app servers (their workers,
killed ones included); PostgreSQL's and Redis's CPU are printed beside it.

``--chaos``: a gunicorn worker, picked at random among the master's
children, is killed with ``kill -9`` every 2 seconds (``--kill-every``)
while the phones work; phones resend until acknowledged, as ``exam.js``
does. Aim: 0 acknowledged answers lost, ``PRAGMA integrity_check`` ok.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from _figures import figure  # noqa: E402
from _load import Server, loadavg, rusage_cpu  # noqa: E402
from _phone import GaveUp, Phone, Refused, Tally, choose  # noqa: E402
from _seed import QUESTIONS, reconcile, seed, server_env  # noqa: E402
from _services import PostgreSQL, Redis, process_tree_cpu  # noqa: E402

SIGN_IN_HOW = ("real POST /login per worker (GET /login for the CSRF token first), before the exam's start "
               "moment and not in the aims; the generated people carry the cheap PBKDF2 hash of generated "
               "initial passwords (quiz.auth.passwords.hash_generated, as the roster import gives them) "
               "instead of scrypt; per-address sign-in limit raised for 127.0.0.1")


class RoundRobinPhone(Phone):
    """A phone whose every request goes to the next server, as a proxy without sticky sessions
    would send it: the session cookie, the CSRF token and the attempt must hold on any server."""

    def __init__(self, ports: list[int], first: int, *args, **kwargs):
        super().__init__(ports[first % len(ports)], *args, **kwargs)
        self.ports = ports
        self.turn = first

    async def call(self, *args, **kwargs):
        self.turn += 1
        self.client.drop()
        self.client.port = self.ports[self.turn % len(self.ports)]
        return await super().call(*args, **kwargs)


async def _worker(phone: Phone, exam_id: int, start_at: float, duration: float, revisit: float) -> str:
    """One worker's exam: start, open the page, answer every question with
    think time (sometimes changing an earlier answer), submit."""
    rng = phone.rng
    try:
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        await phone.start(exam_id)
        await phone.open_attempt()
        if len(phone.questions) != QUESTIONS:
            phone.tally.error("page", f"{len(phone.questions)}_questions")
        think = duration / max(len(phone.questions), 1)
        answered = []
        for question in phone.questions:
            await asyncio.sleep(think * (0.5 + rng.random()))
            await phone.save(question, choose(question, rng))
            answered.append(question)
            if rng.random() < revisit:  # back to an earlier question, a new answer
                earlier = rng.choice(answered)
                await phone.save(earlier, choose(earlier, rng))
        await asyncio.sleep(rng.random() * min(think, 5.0))
        await phone.submit()
        return "done"
    except (Refused, GaveUp):
        return "failed"
    except Exception as exc:  # a bug in the phone, not the server: counted, and the others go on
        phone.tally.error("phone", type(exc).__name__)
        return "failed"
    finally:
        await phone.close()


async def _killer(servers: list[Server], every: float, stop: asyncio.Event, rng: random.Random,
                  kills: list) -> None:
    """kill -9 one gunicorn worker of one of the servers (by PID, from the master's children)
    every ``every`` seconds."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), every)
            return
        except asyncio.TimeoutError:
            pass
        pids = rng.choice(servers).worker_pids()
        if pids:
            pid = rng.choice(pids)
            try:
                os.kill(pid, signal.SIGKILL)
                kills.append(pid)
            except ProcessLookupError:
                pass


def _cpu(servers: list[Server], backends: dict) -> dict[str, float]:
    """CPU seconds used so far by the app servers (masters and workers, reaped ones included)
    and by each back-end the bench started."""
    used = {"app": sum(process_tree_cpu(s.proc.pid) for s in servers if s.proc is not None)}
    used.update({name: backend.cpu() for name, backend in backends.items()})
    return used


async def scenario(servers: list[Server], seeded, *, duration: float, start_window: float, chaos: bool,
                   kill_every: float, revisit: float, rng_seed: int, sign_in_concurrency: int,
                   round_robin: bool = False, backends: dict | None = None) -> dict:
    tally = Tally()
    backends = backends or {}
    rng = random.Random(rng_seed)
    workers = len(seeded.people)
    stop = asyncio.Event()
    kills: list[int] = []
    killer = asyncio.create_task(_killer(servers, kill_every, stop, random.Random(rng_seed + 1), kills)) \
        if chaos else None
    cpu_before = _cpu(servers, backends)

    # 1. sign in everybody before the exam's moment (bounded concurrency and time)
    sign_in_deadline = time.monotonic() + 120 + workers * 0.2
    ports = [s.port for s in servers]
    if round_robin:
        phones = [RoundRobinPhone(ports, i, no, seeded.password, tally, random.Random(rng.random()), sign_in_deadline)
                  for i, no in enumerate(seeded.people)]
    else:
        phones = [Phone(ports[i % len(ports)], no, seeded.password, tally, random.Random(rng.random()),
                        sign_in_deadline) for i, no in enumerate(seeded.people)]
    gate = asyncio.Semaphore(sign_in_concurrency)
    signed_in: list[Phone] = []

    async def sign_in(phone: Phone) -> None:
        async with gate:
            try:
                await phone.sign_in()
                signed_in.append(phone)
            except (Refused, GaveUp):
                await phone.close()
            except Exception as exc:  # a bug in the phone: counted, the others go on
                tally.error("sign_in", type(exc).__name__)
                await phone.close()

    t_sign_in = time.monotonic()
    await asyncio.gather(*(sign_in(p) for p in phones))
    sign_in_seconds = time.monotonic() - t_sign_in

    # 2. the exam: everybody starts within the start window, answers, submits
    moment = time.monotonic() + 0.5
    deadline = moment + start_window + 2 * duration + 120
    for phone in signed_in:
        phone.deadline = deadline
    t_exam = time.monotonic()
    outcomes = await asyncio.gather(*(
        _worker(p, seeded.exam_id, moment + p.rng.random() * start_window, duration, revisit) for p in signed_in))
    exam_seconds = time.monotonic() - t_exam
    cpu_after = _cpu(servers, backends)
    stop.set()
    if killer is not None:
        await killer
    return {"tally": tally, "kills": len(kills), "sign_in_seconds": sign_in_seconds, "exam_seconds": exam_seconds,
            "signed_in": len(signed_in), "completed": outcomes.count("done"),
            "cpu": {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}}


def run(workers: int = 3000, duration: float = 600.0, start_window: float = 60.0, chaos: bool = False,
        kill_every: float = 2.0, revisit: float = 0.1, rng_seed: int = 4, server_workers: int = 2,
        threads: int = 1, sign_in_concurrency: int = 16, keep: str | None = None, preload: bool = False,
        database: str = "sqlite", servers: int = 1, round_robin: bool = False) -> dict:
    """The whole benchmark; returns the figures (``main`` prints them as one line)."""
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="quiz-exam-day-"))
        tmpdir = Path(keep) if keep else Path(tmp)
        tmpdir.mkdir(parents=True, exist_ok=True)
        env = server_env(tmpdir / "bench.db")
        backends: dict = {}
        if database == "postgresql":
            backends["postgresql"] = stack.enter_context(PostgreSQL())
            env["DATABASE_URL"] = backends["postgresql"].url
        if servers > 1:  # per-process rate counters would let each server count on its own
            backends["redis"] = stack.enter_context(Redis())
            env["RATELIMIT_STORAGE_URI"] = backends["redis"].url
        limit = math.ceil((start_window + 2 * duration + 180) / 60)
        seeded = seed(env, workers, time_limit_minutes=limit)
        cpu0 = rusage_cpu()
        load0 = loadavg()
        running = [stack.enter_context(Server(env, tmpdir / f"gunicorn-{n}.log" if servers > 1 else
                                              tmpdir / "gunicorn.log", workers=server_workers, threads=threads,
                                              preload=preload)) for n in range(servers)]
        result = asyncio.run(scenario(running, seeded, duration=duration, start_window=start_window,
                                      chaos=chaos, kill_every=kill_every, revisit=revisit, rng_seed=rng_seed,
                                      sign_in_concurrency=sign_in_concurrency, round_robin=round_robin,
                                      backends=backends))
        for server in reversed(running):
            server.__exit__(None, None, None)
        client_cpu = rusage_cpu() - cpu0
        tally: Tally = result["tally"]
        check = reconcile(env, tally.sent, tally.submitted)
    latency = {op: lat.summary() for op, lat in sorted(tally.latency.items())}
    p95 = {op: latency.get(op, {}).get("p95_ms") for op in ("login", "start", "save", "submit")}
    phones = max(result["signed_in"], 1)
    cpu_ms = {name: round(seconds * 1000 / phones, 1) for name, seconds in result["cpu"].items()}
    setup = (f"gunicorn {server_workers} sync workers" + (f" x {threads} threads" if threads > 1 else "")
             + (" --preload" if preload else ""))
    setup = (f"{servers} x {setup}" if servers > 1 else setup) + \
        (", PostgreSQL" if database == "postgresql" else ", SQLite WAL") + \
        (", Flask-Limiter in Redis" if servers > 1 else "") + \
        (", every request to the next server" if round_robin and servers > 1 else "") + ", 127.0.0.1"
    return {
        "bench": "exam_day",
        "workers": workers,
        "database": database,
        "servers": servers,
        "round_robin": round_robin and servers > 1,
        "preload": preload,
        "chaos": chaos,
        "errors": sum(tally.errors.values()),
        "lost": check["lost"],
        "p95_ms": p95,
        "server_cpu_ms_per_phone": cpu_ms.get("app"),
        "backend_cpu_ms_per_phone": {k: v for k, v in cpu_ms.items() if k != "app"},
        "aim": "0 errors, 0 lost, p95 < 250 ms, server CPU per phone <= 80 ms"
               + (" (chaos: 0 lost, integrity ok)" if chaos else ""),
        "integrity_check": check["integrity_check"],
        "acked_answers": sum(1 for s in tally.sent if s.acked),
        "acked_answers_checked": check["acked_answers_checked"],
        "answers_sent": len(tally.sent),
        "submitted": len(tally.submitted),
        "completed": result["completed"],
        "signed_in": result["signed_in"],
        "acked_submits_not_final": check["acked_submits_not_final"],
        "unknown_seq": check["unknown_seq"],
        "lost_examples": check["lost_examples"],
        "errors_by": tally.errors,
        "failed_requests": sum(tally.failed_requests.values()),
        "failed_requests_by": tally.failed_requests,
        "kills": result["kills"],
        "kill_every_s": kill_every if chaos else None,
        "latency": latency,
        "save_ack_delay": tally.ack_delay.summary(),
        "duration_s": duration,
        "start_window_s": start_window,
        "sign_in": SIGN_IN_HOW,
        "sign_in_s": round(result["sign_in_seconds"], 1),
        "exam_s": round(result["exam_seconds"], 1),
        "seed_s": round(seeded.seconds, 1),
        "wall_s": round(time.monotonic() - started, 1),
        "server": setup,
        "loadavg_start": load0,
        "client_cpu_s": round(client_cpu, 1),
        "loadavg_end": loadavg(),
        "cpus": os.cpu_count(),
    }


def print_figures(out: dict) -> None:
    """The figures issue 14 sets aims for, one ``FIGURE`` line each (bench/_figures.py)."""
    where = f"{out['workers']} phones" + (f", {out['database']} x {out['servers']} servers" if out["servers"] > 1
                                           or out["database"] != "sqlite" else "") \
        + (", round-robin" if out["round_robin"] else "") + (", preload" if out.get("preload") else "") \
        + (", chaos" if out["chaos"] else "")
    for op, name in (("login", "sign-in"), ("start", "start"), ("save", "save"), ("submit", "submit")):
        figure(f"exam day ({where}): {name} p95", out["p95_ms"].get(op), "ms", "<", 250)
    figure(f"exam day ({where}): errors", out["errors"], "", "<=", 0)
    figure(f"exam day ({where}): lost answers", out["lost"], "", "<=", 0)
    figure(f"exam day ({where}): server CPU per phone", out["server_cpu_ms_per_phone"], "ms", "<=", 80)
    for name, value in out["backend_cpu_ms_per_phone"].items():
        figure(f"exam day ({where}): {name} CPU per phone", value, "ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=3000, help="simulated workers (default 3000)")
    parser.add_argument("--duration", type=float, default=600.0,
                        help="think-time scale: seconds a worker takes over the whole paper (default 600)")
    parser.add_argument("--start-window", type=float, default=60.0,
                        help="the starts arrive spread uniformly over this many seconds (default 60)")
    parser.add_argument("--chaos", action="store_true", help="kill -9 a gunicorn worker every --kill-every s")
    parser.add_argument("--kill-every", type=float, default=2.0)
    parser.add_argument("--server-workers", type=int, default=2, help="gunicorn workers per server (default 2)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads (1: sync workers, as make run)")
    parser.add_argument("--preload", action=argparse.BooleanOptionalAction, default=True,
                        help="gunicorn --preload, as make run and the README's production set-up (default on)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="sqlite (a file, as make run) or a throwaway PostgreSQL cluster the bench starts")
    parser.add_argument("--servers", type=int, default=1,
                        help="app servers (gunicorn instances on their own ports); more than one needs "
                             "--database postgresql and starts a Redis for the rate limits")
    parser.add_argument("--round-robin", action="store_true",
                        help="every request of a phone to the next server (default: each phone on one server)")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--keep", help="keep the database and the gunicorn log in this directory")
    args = parser.parse_args()
    if args.workers < 1 or args.workers > 20000 or args.duration < 0 or args.start_window < 0:
        parser.error("workers 1..20000, durations not negative")
    if not 1 <= args.servers <= 8:
        parser.error("servers 1..8")
    if args.servers > 1 and args.database != "postgresql":
        parser.error("several app servers share one database: --database postgresql")
    out = run(args.workers, args.duration, args.start_window, args.chaos, args.kill_every,
              rng_seed=args.seed, server_workers=args.server_workers, threads=args.threads,
              keep=args.keep, preload=args.preload, database=args.database, servers=args.servers,
              round_robin=args.round_robin)
    print(json.dumps(out, ensure_ascii=False), flush=True)
    print_figures(out)


if __name__ == "__main__":
    main()
