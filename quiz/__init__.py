"""Training and quiz platform. ``create_app`` is defined in quiz.app_factory."""
