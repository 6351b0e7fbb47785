"""Signals other domains listen to, so org need not know about them.

``people_moved`` is sent (sender: None, ``user_ids``: the people) after a
change to people's unit or job type has been written (flushed): on the
person's page and by the roster import. The reports copy both onto their
per-person summary (``exam_progress``) with it.

Receivers run inside the caller's transaction and must only flush.
"""
from blinker import Namespace

_signals = Namespace()
people_moved = _signals.signal("people-moved")
