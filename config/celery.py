"""The Celery application: `celery -A config worker` and `celery -A config beat`. Used only when CELERY_BROKER_URL is
set; its settings are the CELERY_* ones in config/settings.py. The one task is core.tasks.run_task."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("jiaoyi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["core"])
