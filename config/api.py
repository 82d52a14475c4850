"""API conventions (DESIGN §5): errors answer {"detail": ..., "errors": {field: [...]}}; lists {"items", "count"}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from audit import context
from audit.middleware import ConfidentialNotFound


class Conflict(Exception):
    """The request conflicts with the current state: a duplicate, too late, already done, still retained."""

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {key: [str(v) for v in (value if isinstance(value, list) else [value])] for key, value in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {"non_field_errors": [str(detail)]}


def exception_handler(exc: Exception, ctx: dict[str, Any]) -> Response | None:
    if isinstance(exc, ConfidentialNotFound) and ctx.get("request") is not None:
        ctx["request"]._request._audit_denied_404 = True  # logged by the audit middleware like a 403
    if isinstance(exc, Conflict):
        return Response({"detail": exc.detail, "errors": exc.errors}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(errors)
    response = drf_exception_handler(exc, ctx)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        errors = _field_errors(exc.detail)
        first = next(iter(errors.items()))
        detail = f"{first[0]}: {first[1][0]}" if first[0] != "non_field_errors" else first[1][0]
        response.data = {"detail": detail, "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "errors": {}}
    return response


class ListPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response({"items": data, "count": self.count})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "properties": {"items": schema, "count": {"type": "integer"}}}


class AuditedAPIMixin:
    """After DRF authenticates (session or token), the audit context names the real actor."""

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        context.set_for_request(request.user, request.META.get("REMOTE_ADDR", ""))
