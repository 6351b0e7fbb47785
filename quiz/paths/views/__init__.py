"""The paths' pages, grouped by audience: ``worker`` (the phone), ``trainer``
(the board, what to teach, building a path, sign-offs) and ``head`` (the
crews of their subtree). One blueprint, ``paths``."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("paths", __name__)
