"""API conventions: errors answer {"detail": ..., "errors": {field: [...]}}; lists {"items", "count"}; a body is
one JSON object (or a form), read by the parsers of core.parsers, which refuse what no view could use."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from core import context, jobs
from core.errors import ConfidentialNotFound, Conflict
from core.parsers import FormParser, JSONObjectParser, MultiPartParser, PayloadTooLarge

__all__ = ["API", "FormParser", "JSONObjectParser", "ListPagination", "MultiPartParser", "paginated", "request_data"]


def request_data(request: Request) -> dict[str, Any]:
    """The body as a dict of fields: the JSON object, or a form's fields (the last value of each, as Django's
    forms read them). The parsers already refused anything else."""
    data = request.data
    if isinstance(data, QueryDict):
        return {key: data.get(key) for key in data}
    if isinstance(data, dict):
        return data
    raise ParseError(_("请求体须为 JSON 对象，如 {\"字段\": 值}。"))


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
    elif isinstance(exc, RequestDataTooBig):  # Django's own limit, on a form body
        exc = PayloadTooLarge()
    elif isinstance(exc, SuspiciousOperation):  # e.g. too many form fields: Django would answer an HTML page
        exc = ParseError(_("请求无效：%(e)s") % {"e": str(exc)[:200]})
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
    """`{"items": [...], "count": N}`; the schema says so for every view answering `X(many=True)`, since the API
    base names this class as its `pagination_class` (drf-spectacular wraps list responses in it)."""

    default_limit = 50
    max_limit = 500
    max_offset = 10**9  # past every list; a larger one would overflow SQLite's OFFSET

    def get_offset(self, request: Request) -> int:
        return min(super().get_offset(request), self.max_offset)

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response({"items": data, "count": self.count})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "required": ["items", "count"],
                "properties": {"items": schema, "count": {"type": "integer", "minimum": 0}}}


class API(APIView):
    """The base of every API view. Reading may be public (each view scopes what it shows); writing needs a login.
    After DRF authenticates (session or token), the acting context names the real actor, so every change and
    event the request causes is attributed to them."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = ListPagination

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        context.set_for_request(request.user, request.META.get("REMOTE_ADDR", ""))


def paginated(request: Request, view: APIView, qs: Any, serializer: type) -> Response:
    """A list answer, `{"items": [...], "count": N}`, one page of `qs` (`limit`, `offset`)."""
    paginator = ListPagination()
    page = paginator.paginate_queryset(qs, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


class JobView(API):
    """GET /api/jobs/{id}: a background job's state, progress and result, for the person who started it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=jobs.JobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(jobs.JobSerializer(jobs.job_for(request.user, pk)).data)
