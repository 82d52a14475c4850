"""Uploading through the API, as the tests and the bench do it."""

from __future__ import annotations

from pathlib import Path


def upload(api, session, path: Path, *, key: str = "", name: str = "", **extra):
    with open(path, "rb") as file:
        if name:
            from django.core.files.uploadedfile import SimpleUploadedFile

            file = SimpleUploadedFile(name, file.read(), content_type="video/mp4")
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        return api.post(f"/api/sessions/{session.pk}/recordings", {"file": file, **extra}, format="multipart",
                        **headers)


def as_user(api, user):
    api.force_authenticate(user=None)
    api.logout()
    if user is not None:
        api.force_login(user)
    return api


def book_past_session():
    """A draw session that ended 21 hours ago, booked a day ago by the project's agency."""
    import datetime as dt

    from core import clock
    from tests import factories
    from trading.services.sessions import session_book

    agency = factories.agency_user()
    project = factories.fixed_price_project(agency=agency)
    room = factories.room("draw")
    with clock.travel(-dt.timedelta(days=1)):
        starts = clock.now() + dt.timedelta(hours=1)
        return session_book(actor=agency, project=project, room=room, kind="draw", starts_at=starts,
                            ends_at=starts + dt.timedelta(hours=2))
