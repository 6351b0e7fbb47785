"""Certificate pages, by audience: ``mine`` (a person's own, and the links on the exam pages),
``verify`` (public), ``admin`` (revoke, reissue), ``template`` (the admin's settings) and ``bulk``
(heads and trainers). One blueprint, ``certificates``, defined in ``common``."""
from __future__ import annotations

from quiz.certificates.views import admin, bulk, mine, template, verify  # noqa: F401  (their routes, on bp)
from quiz.certificates.views.common import bp
from quiz.certificates.views.mine import panel_context

__all__ = ["bp", "panel_context"]
