"""``bench/_wsgi.py``'s app with each request's CPU time added up by route, for
saying where a benchmark's server CPU goes without a profiler's overhead.

Serve it with ``QUIZ_BENCH_APP=_cpu_by_route:app QUIZ_PROFILE_DIR=/tmp/cpu``
(e.g. ``bench/exam_day.py --workers 300 --duration 120``): each worker adds
the CPU time of its thread (``time.thread_time``) per request to its route's
total (method and URL rule, e.g. ``POST /api/attempts/<int:attempt_id>/answers``)
and writes ``$QUIZ_PROFILE_DIR/cpu-<pid>.json`` every 100 requests. Add the
workers' files up with ``python bench/_cpu_by_route.py DIR [PHONES]`` (PHONES:
per phone as well). Work done outside a request (start-up, the WAL
checkpoints SQLite runs inside commits are inside) is not counted here.
"""
from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

_DIR = Path(os.environ.get("QUIZ_PROFILE_DIR", "/tmp/quiz-cpu"))
_totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
_count = 0

if __name__ != "__main__":
    from _wsgi import app as _app, whole_response

    def app(environ, start_response):
        global _count
        t0 = time.thread_time()
        try:
            return whole_response(environ, start_response)  # the body built inside the measure
        finally:
            spent = time.thread_time() - t0
            try:  # outside the measure
                rule = _app.url_map.bind_to_environ(environ).match(return_rule=True)[0].rule
            except Exception:  # noqa: BLE001 (a 404 or 405: counted under its path)
                rule = environ.get("PATH_INFO", "?")
            total = _totals[f"{environ.get('REQUEST_METHOD')} {rule}"]
            total[0] += 1
            total[1] += spent
            _count += 1
            if _count % 100 == 0:
                _DIR.mkdir(parents=True, exist_ok=True)
                (_DIR / f"cpu-{os.getpid()}.json").write_text(json.dumps(_totals))


def main(argv: list[str]) -> None:
    folder, phones = Path(argv[0]), int(argv[1]) if len(argv) > 1 else 0
    summed: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for path in folder.glob("cpu-*.json"):
        for route, (n, seconds) in json.loads(path.read_text()).items():
            summed[route][0] += n
            summed[route][1] += seconds
    total = sum(s for _, s in summed.values())
    print(f"{'route':60} {'requests':>9} {'ms/req':>7} {'share':>6}" + (f" {'ms/phone':>9}" if phones else ""))
    for route, (n, seconds) in sorted(summed.items(), key=lambda kv: -kv[1][1]):
        row = f"{route[:60]:60} {n:9d} {seconds * 1000 / n:7.2f} {seconds / total:6.1%}"
        print(row + (f" {seconds * 1000 / phones:9.1f}" if phones else ""))
    print(f"{'total':60} {sum(n for n, _ in summed.values()):9d}" + (f" {'':7} {'':6} {total * 1000 / phones:9.1f}"
                                                                       if phones else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
