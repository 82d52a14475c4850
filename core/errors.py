"""The platform's own exceptions, raised by services and selectors and answered by the views and the API."""

from __future__ import annotations

from django.http import Http404


class Conflict(Exception):
    """The request conflicts with the current state: a duplicate, too late, already done, still retained (409)."""

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class ConfidentialNotFound(Http404):
    """A denial answered as 404 because the object's existence itself is confidential: logged like a 403."""
