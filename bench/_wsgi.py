"""The app the benchmarks serve: ``app.py``'s app plus the bench endpoints
(``quiz.web.bench_views``, which registers only with QUIZ_BENCH_ENDPOINTS=1).
Registering is idempotent, so this keeps working once the factory does it."""
from quiz import create_app
from quiz.web import bench_views

app = create_app()
bench_views.register(app)
