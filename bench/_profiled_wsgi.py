"""``bench/_wsgi.py``'s app under cProfile, for finding where a gunicorn worker's time goes.

Serve it instead of the usual app with ``QUIZ_BENCH_APP=_profiled_wsgi:app``
(e.g. ``QUIZ_BENCH_APP=_profiled_wsgi:app QUIZ_PROFILE_DIR=/tmp/prof
.venv/bin/python bench/answer_save.py --levels 8 --rounds 1``): each worker
profiles every request (CPU time of the worker's thread, not wall time: a
request waiting on the database's write lock shows as the wait it is, none) and writes its statistics to
``$QUIZ_PROFILE_DIR/worker-<pid>.prof`` every 200 requests (read them with
``python -m pstats``). Not for figures: the profiler slows everything down.
"""
from __future__ import annotations

import cProfile
import os
import time
from pathlib import Path

from _wsgi import whole_response

_DIR = Path(os.environ.get("QUIZ_PROFILE_DIR", "/tmp/quiz-profile"))
_profile = cProfile.Profile(time.thread_time)  # CPU time: waits on the database lock are not work
_count = 0


def app(environ, start_response):
    global _count
    _profile.enable()
    try:
        return whole_response(environ, start_response)  # the body built inside the profile
    finally:
        _profile.disable()
        _count += 1
        if _count % 200 == 0:
            _DIR.mkdir(parents=True, exist_ok=True)
            _profile.dump_stats(_DIR / f"worker-{os.getpid()}.prof")
