"""View decorators shared by all domains (below them: org's pages use them too)."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles: str):
    """Signed in and holding one of ``roles`` (admin always passes), else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not (current_user.has_role(*roles) or current_user.is_admin):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
