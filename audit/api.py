"""GET /api/audit (inspector; admin read-only) and GET /api/audit/verify (inspector)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import checkpoints, selectors
from audit.models import LedgerEntry
from audit.verify import verify_chain
from config.api import AuditedAPIMixin, ListPagination
from config.roles import require


class LedgerEntrySerializer(serializers.ModelSerializer):
    diff = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["seq", "at", "actor_id", "actor", "role", "ip", "action", "object_type", "object_id",
                  "project", "reason", "data", "digest", "prev_hash", "hash", "diff"]

    def get_diff(self, entry: LedgerEntry) -> list[dict[str, Any]]:
        return selectors.entry_diff(entry)


class AuditListView(AuditedAPIMixin, APIView):
    @extend_schema(
        parameters=[OpenApiParameter(name, str) for name in (*selectors.FILTERS, "before")],
        responses=LedgerEntrySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        require(request.user, "audit.read")
        qs = selectors.ledger_entries(selectors.TimelineFilter.from_params(request.query_params))
        before = request.query_params.get("before", "")
        if before:
            if not before.isdigit():
                raise ValidationError({"before": [f"not an entry number: {before!r}"]})
            qs = qs.filter(seq__lt=int(before))
        paginator = ListPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(LedgerEntrySerializer(page, many=True).data)


class AuditVerifyView(AuditedAPIMixin, APIView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        require(request.user, "audit.verify")
        result = verify_chain(checkpoint=checkpoints.latest_published())
        return Response(result.as_dict())
