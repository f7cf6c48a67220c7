"""The Celery application shared by workers and beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tennisbook.settings.local")

app = Celery("tennisbook")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
