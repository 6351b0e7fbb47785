"""Signals other domains listen to, so exams need not know about them.

``attempt_graded`` is sent (sender: the ``Attempt``) whenever an attempt's
result becomes final: at submission or expiry when every item grades
itself, or when a trainer grades the last short answer.

``attempt_changed`` is sent (sender: the ``Attempt``) after every change to
what an attempt counts for: a start, a finalisation, a regrade, a
reopening (the reports keep their per-person summary current with it).

Receivers run inside the caller's transaction and must only flush.
"""
from blinker import Namespace

_signals = Namespace()
attempt_graded = _signals.signal("attempt-graded")
attempt_changed = _signals.signal("attempt-changed")
