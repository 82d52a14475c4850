"""GET /api/audit (inspector; administrator read-only): the timeline's entries, newest first, each with its diff,
filtered as the workspace filters them (organisation included), masked while sealed as the workspace shows them."""

from __future__ import annotations

import functools
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from audit import sealing
from audit.models import LedgerEntry
from audit.selectors import entry_diff
from core.api import API, paginated
from core.roles import require
from inspection.selectors import InspectionFilter


class LedgerEntrySerializer(serializers.ModelSerializer):
    diff = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["seq", "at", "actor_id", "actor", "role", "ip", "action", "object_type", "object_id",
                  "project", "reason", "data", "digest", "hash", "diff"]

    def to_representation(self, entry: LedgerEntry) -> dict[str, Any]:
        return super().to_representation(self.context["sealed"].show(entry))

    def get_diff(self, entry: LedgerEntry) -> list[dict[str, Any]]:
        return entry_diff(entry)


class AuditListView(API):
    @extend_schema(
        parameters=[OpenApiParameter(name, str) for name in (*InspectionFilter.names(), "before")],
        responses=LedgerEntrySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        require(request.user, "audit.read")
        qs = InspectionFilter.from_params(request.query_params).queryset()
        before = request.query_params.get("before", "")
        if before:
            if not before.isdigit():
                raise ValidationError({"before": [f"not an entry number: {before!r}"]})
            qs = qs.filter(seq__lt=int(before))
        return paginated(request, self, qs,
                         functools.partial(LedgerEntrySerializer, context={"sealed": sealing.current()}))
