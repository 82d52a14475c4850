"""GET /api/audit/verify (inspector): the chain recomputed and compared with the last checkpoint."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from audit import checkpoints
from audit.verify import verify_chain
from core.api import API
from core.roles import require


class AuditVerifyView(API):
    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        require(request.user, "audit.verify")
        result = verify_chain(checkpoint=checkpoints.latest_published())
        return Response(result.as_dict())
