"""The app the benchmarks serve: ``app.py``'s app plus the benchmarks' bare-insert
endpoint (``bench/_insert_views.py``), which only this module registers."""
from _insert_views import register

from quiz import create_app

app = create_app()
register(app)
