"""Benchmark: exam day. N simulated workers sign in, start the same timed
20-question exam together, answer with think time, submit; then every answer
the server acknowledged is reconciled against the database.

Run from the repository root::

    .venv/bin/python bench/exam_day.py [--workers 3000] [--duration 600] [--start-window 60] [--chaos]

Prints one JSON line: errors (operations that never succeeded after the
phone's retries), failed requests (single tries that failed, retried or
not), lost answers (acknowledged but not in the database as sent), p95 of
start, save and submit, and how sign-in was done. Aim: N = 3,000 on a
2-core machine with 0 errors, 0 lost, p95 under 250 ms.

The server is gunicorn with 2 sync workers (as ``make run``) on a fresh
SQLite database in a temporary directory; only 127.0.0.1 is contacted.

``--chaos``: a gunicorn worker, picked at random among the master's
children, is killed with ``kill -9`` every 2 seconds (``--kill-every``)
while the phones work; phones resend until acknowledged, as ``exam.js``
does. Aim: 0 acknowledged answers lost, ``PRAGMA integrity_check`` ok.
"""
from __future__ import annotations

import argparse
import asyncio
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

from _load import Server, loadavg, rusage_cpu  # noqa: E402
from _phone import GaveUp, Phone, Refused, Tally, choose  # noqa: E402
from _seed import QUESTIONS, reconcile, seed, server_env  # noqa: E402

SIGN_IN_HOW = ("real POST /login per worker (GET /login for the CSRF token first), before the exam's start "
               "moment and not in the aims; the generated people carry the cheap PBKDF2 hash of generated "
               "initial passwords (quiz.auth.passwords.hash_generated, as the roster import gives them) "
               "instead of scrypt; per-address sign-in limit raised for 127.0.0.1")


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


async def _killer(server: Server, every: float, stop: asyncio.Event, rng: random.Random, kills: list) -> None:
    """kill -9 one gunicorn worker (by PID, from the master's children) every ``every`` seconds."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), every)
            return
        except asyncio.TimeoutError:
            pass
        pids = server.worker_pids()
        if pids:
            pid = rng.choice(pids)
            try:
                os.kill(pid, signal.SIGKILL)
                kills.append(pid)
            except ProcessLookupError:
                pass


async def scenario(server: Server, seeded, *, duration: float, start_window: float, chaos: bool,
                   kill_every: float, revisit: float, rng_seed: int, sign_in_concurrency: int) -> dict:
    tally = Tally()
    rng = random.Random(rng_seed)
    workers = len(seeded.people)
    stop = asyncio.Event()
    kills: list[int] = []
    killer = asyncio.create_task(_killer(server, kill_every, stop, random.Random(rng_seed + 1), kills)) \
        if chaos else None

    # 1. sign in everybody before the exam's moment (bounded concurrency and time)
    sign_in_deadline = time.monotonic() + 120 + workers * 0.2
    phones = [Phone(server.port, no, seeded.password, tally, random.Random(rng.random()), sign_in_deadline)
              for no in seeded.people]
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
    stop.set()
    if killer is not None:
        await killer
    return {"tally": tally, "kills": len(kills), "sign_in_seconds": sign_in_seconds, "exam_seconds": exam_seconds,
            "signed_in": len(signed_in), "completed": outcomes.count("done")}


def run(workers: int = 3000, duration: float = 600.0, start_window: float = 60.0, chaos: bool = False,
        kill_every: float = 2.0, revisit: float = 0.1, rng_seed: int = 4, server_workers: int = 2,
        threads: int = 1, sign_in_concurrency: int = 16, keep: str | None = None, preload: bool = False) -> dict:
    """The whole benchmark; returns the figures (``main`` prints them as one line)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="quiz-exam-day-") as tmp:
        tmpdir = Path(keep) if keep else Path(tmp)
        tmpdir.mkdir(parents=True, exist_ok=True)
        env = server_env(tmpdir / "bench.db")
        limit = math.ceil((start_window + 2 * duration + 180) / 60)
        seeded = seed(env, workers, time_limit_minutes=limit)
        cpu0 = rusage_cpu()
        load0 = loadavg()
        with Server(env, tmpdir / "gunicorn.log", workers=server_workers, threads=threads, preload=preload) as server:
            result = asyncio.run(scenario(server, seeded, duration=duration, start_window=start_window,
                                          chaos=chaos, kill_every=kill_every, revisit=revisit, rng_seed=rng_seed,
                                          sign_in_concurrency=sign_in_concurrency))
        client_cpu = rusage_cpu() - cpu0
        tally: Tally = result["tally"]
        check = reconcile(env, tally.sent, tally.submitted)
    latency = {op: lat.summary() for op, lat in sorted(tally.latency.items())}
    p95 = {op: latency.get(op, {}).get("p95_ms") for op in ("start", "save", "submit")}
    return {
        "bench": "exam_day",
        "workers": workers,
        "chaos": chaos,
        "errors": sum(tally.errors.values()),
        "lost": check["lost"],
        "p95_ms": p95,
        "aim": "0 errors, 0 lost, p95 < 250 ms" + (" (chaos: 0 lost, integrity ok)" if chaos else ""),
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
        "server": f"gunicorn {server_workers} sync workers" + (f" x {threads} threads" if threads > 1 else "")
                  + (" --preload" if preload else "") + ", SQLite WAL, 127.0.0.1",
        "loadavg_start": load0,
        "client_cpu_s": round(client_cpu, 1),
        "loadavg_end": loadavg(),
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=3000, help="simulated workers (default 3000)")
    parser.add_argument("--duration", type=float, default=600.0,
                        help="think-time scale: seconds a worker takes over the whole paper (default 600)")
    parser.add_argument("--start-window", type=float, default=60.0,
                        help="the starts arrive spread uniformly over this many seconds (default 60)")
    parser.add_argument("--chaos", action="store_true", help="kill -9 a gunicorn worker every --kill-every s")
    parser.add_argument("--kill-every", type=float, default=2.0)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads (1: sync workers, as make run)")
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload (not what make run does)")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--keep", help="keep the database and the gunicorn log in this directory")
    args = parser.parse_args()
    if args.workers < 1 or args.workers > 20000 or args.duration < 0 or args.start_window < 0:
        parser.error("workers 1..20000, durations not negative")
    print(json.dumps(run(args.workers, args.duration, args.start_window, args.chaos, args.kill_every,
                         rng_seed=args.seed, server_workers=args.server_workers, threads=args.threads,
                         keep=args.keep, preload=args.preload), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
