"""The archive's background work: a dossier build (PDFs, ZIP, upload) is a job the administrator follows, never
work inside the request. Built in the name of the administrator who asked (the dossier records who built it)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from archive import services
from core import tasks
from trading.models import User


@tasks.task(retries=3, backoff_s=30)
def build_dossier(code: str, actor_id: int) -> dict[str, Any]:
    files = len(list(services.dossier_files(services.check_dossier_project(code)))) + 1
    done = []

    def progress(path: str) -> None:
        done.append(path)
        tasks.progress(min(95, 100 * len(done) // max(1, files)))

    dossier = services.dossier_build(actor=User.objects.get(pk=actor_id), code=code, progress=progress)
    return {"project": code, "version": dossier.version, "files": dossier.files, "sha256": dossier.sha256,
            "url": reverse("archive-records", args=[code])}
