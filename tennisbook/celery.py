"""The Celery application shared by workers and beat."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tennisbook.settings.local")

app = Celery("tennisbook")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_project_logging(**kwargs) -> None:
    """Keep the project's structured logging: Celery would replace it with its own."""
    from django.conf import settings

    from tennisbook.logging import configure_logging

    configure_logging(settings.LOG_FORMAT, settings.LOG_LEVEL)
