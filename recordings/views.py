"""Pages: recordings by session, a supervisor's upload page (progress bar; the upload goes through the API),
a recording's detail page with the player, and the signed links of the embedded object store."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core import clock
from core.jobs import latest_job
from core.roles import can, require
from core.storage import FileStore, ObjectNotFound, get_store
from recordings import selectors, services
from recordings.models import Recording


@login_required
def recordings_index(request: HttpRequest) -> HttpResponse:
    return render(request, "recordings/index.html", {"sessions": selectors.sessions_with_recordings(request.user)})


@login_required
def session_recordings(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(pk)
    return render(request, "recordings/session.html", {
        "session": session, "recordings": selectors.session_recordings(request.user, session),
        "may_upload": can(request.user, "recording.upload"),
    })


@login_required
def recording_upload(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(pk)
    require(request.user, "recording.upload")
    return render(request, "recordings/upload.html", {"session": session})


@login_required
def recording_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening the page plays the recording: the link is made (and the playback recorded) here."""
    recording = selectors.recording_for(request.user, pk)
    stored = recording.status == Recording.Status.STORED
    return render(request, "recordings/detail.html", {
        "recording": recording, "images": selectors.image_links(recording),
        "playback": services.playback_link(actor=request.user, recording=recording) if stored else None,
        "deletion_refusal": services.deletion_refusal(recording, clock.now()) if stored else "",
        # the page is not refreshed while the analysis runs (opening it records a playback): the job's page is
        "job": latest_job(f"recording:{recording.pk}", "recording_analysis"),
    })


def object_link(request: HttpRequest, key: str) -> FileResponse:
    """Serves an embedded store's signed link: the token is the permission, checked against key, version and
    expiry (the link was handed out by a view that checked the role and recorded the playback)."""
    store = get_store()
    if not isinstance(store, FileStore):
        raise Http404(_("对象不存在。"))
    version, token = request.GET.get("version", ""), request.GET.get("token", "")
    try:
        expires = int(request.GET.get("expires", ""))
    except ValueError:
        raise PermissionDenied(_("链接无效或已过期。")) from None
    if not store.verify_url(key, version, expires, token):
        raise PermissionDenied(_("链接无效或已过期。"))
    try:
        info = store.stat(key, version)
        stream = store.open(key, version)
    except ObjectNotFound:
        raise Http404(_("对象不存在。")) from None
    response = FileResponse(stream, content_type=info.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=60"
    return response
