"""Reads of the recordings app, scoped by role: metadata and playback for supervisors, inspectors and
administrators only; a recorder token is looked up by its hash."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core import clock
from core.roles import require
from core.storage import get_store
from recordings.models import RecorderToken, Recording
from recordings.services import IMAGE_LINK, Link, token_digest
from trading.models import Session


def recorder_for_token(token: str) -> RecorderToken | None:
    if not token:
        return None
    return (RecorderToken.objects.select_related("room")
            .filter(token_hash=token_digest(token), revoked_at__isnull=True).first())


def recording_for(user: Any, pk: int) -> Recording:
    require(user, "recording.play")
    recording = (Recording.objects.select_related("session__project", "session__room", "uploaded_by", "recorder")
                 .filter(pk=pk).first())
    if recording is None:
        raise Http404(_("录像不存在。"))
    return recording


def session_for(pk: int) -> Session:
    session = Session.objects.select_related("project", "room").filter(pk=pk).first()
    if session is None:
        raise Http404(_("场次不存在。"))
    return session


def session_recordings(user: Any, session: Session) -> QuerySet[Recording]:
    require(user, "recording.play")
    return session.recordings.select_related("uploaded_by", "recorder").order_by("-created_at", "-id")


def sessions_with_recordings(user: Any, *, days: int = 90) -> QuerySet[Session]:
    """Sessions of the last `days` and the coming week, newest first, with how many recordings each has."""
    require(user, "recording.play")
    now = clock.now()
    return (Session.objects.select_related("project", "room")
            .filter(starts_at__gte=now - dt.timedelta(days=days), starts_at__lte=now + dt.timedelta(days=7))
            .annotate(stored=Count("recordings", filter=Q(recordings__status=Recording.Status.STORED)))
            .order_by("-starts_at"))


def image_links(recording: Recording) -> dict[str, Any]:
    """Short-lived links to the contact sheet and thumbnails (browsing aids: not playback, so not an event)."""
    if recording.status != Recording.Status.STORED:
        return {"contact_sheet": None, "thumbnails": []}
    store, expires = get_store(), clock.now() + IMAGE_LINK

    def link(item: dict) -> Link:
        return Link(store.presigned_url(item["key"], item["version_id"], IMAGE_LINK), expires)

    sheet = recording.derived_of("contact_sheet")
    return {"contact_sheet": link(sheet) if sheet else None,
            "thumbnails": [link(item) for item in recording.derived if item["kind"] == "thumbnail"][:12]}


def session_manifest(session: Session) -> list[dict[str, Any]]:
    """The stored recordings of a session as the session's record, the dossier and a draw proof's metadata
    cite them: the SHA-256 of the file (never an ETag), where it is kept, and until when."""
    return [{"id": r.pk, "sha256": r.sha256, "size": r.size, "key": r.key, "version_id": r.version_id,
             "duration_s": r.duration_s, "retention_until": r.retention_until.isoformat(),
             "stored_at": r.stored_at.isoformat() if r.stored_at else None}
            for r in session.recordings.filter(status=Recording.Status.STORED).order_by("stored_at", "pk")]
