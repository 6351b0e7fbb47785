from quiz import create_app
from quiz.reports.heap import freeze_app_heap

app = create_app()
freeze_app_heap()  # once loaded (before gunicorn --preload forks): see quiz/reports/heap.py
