"""Flask-Limiter skips the hot paths marked ``no_rate_limit`` outright, and
only those: a view with a limit of its own is never marked (or its limit would
silently stop), and the limits on sign-in still bite."""
from flask_limiter.util import get_qualified_name

from quiz.extensions import limiter


def test_only_views_without_a_limit_of_their_own_are_marked(app):
    marked = {name for name, view in app.view_functions.items() if getattr(view, "no_rate_limit", False)}
    assert marked == {"web.healthz", "exams.take", "exams.api_save"}
    limited = limiter._marked_for_limiting  # the qualified names of views under @limiter.limit
    assert limited, "the sign-in, QR sign-in and certificate check views carry limits"
    assert not {get_qualified_name(app.view_functions[name]) for name in marked} & set(limited)


def test_the_limiter_skips_a_marked_view_and_still_counts_sign_in(app, client, monkeypatch):
    resolved = []
    manager = limiter.limit_manager
    real = manager.resolve_limits
    monkeypatch.setattr(manager, "resolve_limits", lambda *a, **k: resolved.append(a[1]) or real(*a, **k))
    client.get("/healthz")
    client.get("/login")
    assert "web.healthz" not in resolved and "auth.login" in resolved  # /healthz never reached the limits
    for _ in range(30):
        last = client.post("/login", data={"employee_no": "nobody", "password": "wrong"})
    assert last.status_code == 429  # sign-in is still limited
