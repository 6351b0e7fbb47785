"""The app the benchmarks serve: ``app.py``'s app plus the benchmarks' bare-insert
endpoint (``bench/_insert_views.py``), which only this module registers."""
from _insert_views import register

from quiz import create_app, freeze_app_heap

app = create_app()
register(app)
freeze_app_heap()  # as app.py does


def whole_response(environ, start_response) -> list[bytes]:
    """``app``'s response with its body built and closed, for wrappers that measure a
    request's whole work (``_profiled_wsgi``, ``_cpu_by_route``)."""
    result = app(environ, start_response)
    try:
        return list(result)
    finally:
        if hasattr(result, "close"):
            result.close()
