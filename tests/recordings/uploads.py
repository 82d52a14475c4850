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
