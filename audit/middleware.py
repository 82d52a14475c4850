"""Per-request acting context (actor, IP) and the logging of every denied request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit import ledger
from core import context
from core.errors import ConfidentialNotFound


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_for_request(getattr(request, "user", None), client_ip(request))
        try:
            response = self.get_response(request)
            if response.status_code == 403 or getattr(request, "_audit_denied_404", False):
                self._log_denial(request, response.status_code)
            return response
        finally:
            context.reset(token)

    def process_view(self, request: HttpRequest, *args: object) -> None:
        # DRF authenticates tokens inside the view; the session user is known here already
        context.set_for_request(getattr(request, "user", None), client_ip(request))
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, ConfidentialNotFound):
            request._audit_denied_404 = True
        return None

    @staticmethod
    def _log_denial(request: HttpRequest, status: int) -> None:
        user = getattr(request, "user", None)
        with context.acting(user if user is not None and user.is_authenticated else None):
            ledger.record_event(
                "access_denied",
                data={"method": request.method, "path": request.path[:300], "status": status},
            )
