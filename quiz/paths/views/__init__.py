"""The paths' pages, grouped by audience: ``worker`` (the phone), ``trainer``
(the board, what to teach, building a path, sign-offs) and ``head`` (the
crews of their subtree). One blueprint, ``paths``."""
from __future__ import annotations

from flask import Blueprint

from quiz.paths import demo as _demo  # noqa: F401  (registers the demo paths with ``demo load``)
from quiz.paths import record as _record  # noqa: F401  (practical sign-offs in the training record)
from quiz.paths import services as _services  # noqa: F401  (connects the attempt_graded listener)

bp = Blueprint("paths", __name__)

from quiz.paths.views import head, trainer, worker  # noqa: E402,F401  (their routes, on this blueprint)
