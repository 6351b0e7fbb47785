from quiz import create_app, freeze_app_heap

app = create_app()
freeze_app_heap()  # once loaded (before gunicorn --preload forks): the collector leaves the app's own heap alone
