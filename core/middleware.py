"""Middleware of our own: the Content Security Policy, and the refusal of request values no database can store."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from core.parsing import unstorable


class ContentSecurityPolicyMiddleware:
    """The Content Security Policy on every page but the Django admin's (which needs inline scripts)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class StorableInputMiddleware:
    """A NUL in a path (a project code) or a query value (a filter) is refused with 400 before any view or
    denial log sees it: PostgreSQL cannot compare or store text holding NUL, and would answer 500. Bodies are
    checked by the API's parsers (core.api) and by Django's form fields."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = self._unstorable(request)
        if where is None:
            return self.get_response(request)
        message = _("请求含有不允许的字符（NUL 或不成对的代理项）：%(w)s。") % {"w": where}
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message, "errors": {where: [message]}}, status=400,
                                json_dumps_params={"ensure_ascii": False})
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _unstorable(request: HttpRequest) -> str | None:
        if unstorable(request.path_info):
            return "path"
        for key, values in request.GET.lists():
            if unstorable(key) or any(unstorable(value) for value in values):
                return "query" if unstorable(key) else key
        return None
