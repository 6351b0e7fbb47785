"""Signals other domains listen to, so exams need not know about them.

``attempt_graded`` is sent (sender: the ``Attempt``) whenever an attempt's
result becomes final: at submission or expiry when every item grades
itself, or when a trainer grades the last short answer. Receivers run
inside the caller's transaction and must only flush.
"""
from blinker import Namespace

_signals = Namespace()
attempt_graded = _signals.signal("attempt-graded")
