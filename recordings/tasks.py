"""Recordings' background work: a stored upload's analysis and derived media (a job the uploader follows), and the
periodic playback copies, purge and reconciliation (Celery beat; the management commands run the same by hand).
Each is idempotent: a second delivery finds the work done or adopts what the first one wrote."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from core import context, tasks
from recordings import reconciler, services
from recordings.models import Recording


@tasks.task(retries=5, backoff_s=30)
def analyse_recording(recording_id: int) -> dict[str, Any]:
    """Every frame of the stored original read (black and frozen stretches, thumbnails, contact sheet), and the
    playback copy of a short recording made. A store that cannot be reached raises, to be retried."""
    recording = Recording.objects.select_related("session__project").get(pk=recording_id)
    if recording.status == Recording.Status.STORED and recording.derivation != Recording.Derivation.DONE:
        tasks.progress(5)
        recording = reconciler.recording_derive(actor=context.current().actor, recording=recording)
    if recording.derivation == Recording.Derivation.PENDING and recording.flags.get("derived_errors"):
        raise RuntimeError("; ".join(recording.flags["derived_errors"]))  # an image the store refused: again
    return {"recording": recording.pk, "status": recording.status, "derivation": recording.derivation,
            "duration": recording.duration_s, "frames": recording.frames,
            "black": len(recording.flags.get("black", [])), "frozen": len(recording.flags.get("frozen", [])),
            "playback_pending": bool(recording.flags.get("playback_pending")),
            "url": reverse("recording-detail", args=[recording.pk])}


@tasks.task(retries=2)
def make_playback_copies() -> dict[str, Any]:
    run = services.playback_copies_make(actor=context.current().actor)
    if run.failed:
        raise RuntimeError(f"{len(run.failed)} failed: " + "; ".join(run.failed))
    return {"made": run.done}


@tasks.task(retries=3)
def purge_recordings() -> dict[str, Any]:
    run = services.recordings_purge(actor=context.current().actor)
    if run.failed:
        raise RuntimeError(f"{len(run.failed)} failed: " + "; ".join(run.failed))
    return {"purged": run.done, "skipped": run.skipped}


@tasks.task(retries=2)
def reconcile_recordings() -> dict[str, Any]:
    result = reconciler.recordings_reconcile(actor=context.current().actor)
    if result.errors:
        raise RuntimeError(f"{len(result.errors)} error(s): " + "; ".join(result.errors))
    return {"finalised": result.finalised, "failed": result.failed, "derived": result.derived}
