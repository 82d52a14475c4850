"""API of the archive: the public OCDS release package of a project (every release, oldest first) and its record
package (the releases merged into one compiled release per contracting process)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from archive import ocds, services, statistics
from core import clock
from core.api import API
from core.roles import require

PACKAGE_SCHEMA = {
    "type": "object", "description": "OCDS 1.1 release package: every release of every round, oldest first",
    "required": ["uri", "version", "publishedDate", "publisher", "releases"],
    "properties": {"uri": {"type": "string"}, "version": {"type": "string", "example": "1.1"},
                   "publishedDate": {"type": "string", "format": "date-time"},
                   "publisher": {"type": "object"}, "releases": {"type": "array", "items": {"type": "object"}}},
}
RECORD_SCHEMA = {
    "type": "object", "description": "OCDS 1.1 record package: one record per round, its compiled release",
    "required": ["uri", "version", "publishedDate", "publisher", "records"],
    "properties": {"uri": {"type": "string"}, "version": {"type": "string", "example": "1.1"},
                   "publishedDate": {"type": "string", "format": "date-time"}, "publisher": {"type": "object"},
                   "packages": {"type": "array", "items": {"type": "string"}},
                   "records": {"type": "array", "items": {"type": "object"}}},
}


def _published(code: str):
    project = ocds.public_project(code)
    services.release_record(project)
    return project


class OcdsReleasePackageView(API):
    permission_classes = [AllowAny]

    @extend_schema(summary="The project as an OCDS 1.1 release package", operation_id="ocds_release_package",
                   responses={200: OpenApiResponse(PACKAGE_SCHEMA, description="release package"),
                              404: OpenApiResponse(description="unknown project or a draft")})
    def get(self, request: Request, code: str) -> Response:
        return Response(ocds.release_package(_published(code)))


class OcdsRecordPackageView(API):
    permission_classes = [AllowAny]

    @extend_schema(summary="The project as an OCDS 1.1 record package (compiled releases)",
                   operation_id="ocds_record_package",
                   responses={200: OpenApiResponse(RECORD_SCHEMA, description="record package"),
                              404: OpenApiResponse(description="unknown project or a draft")})
    def get(self, request: Request, code: str) -> Response:
        return Response(ocds.record_package(_published(code)))


class StatisticsView(API):
    """The trading statistics of a year or a month (the statistics page's table, archive.statistics): one row per
    trading type and a total, with 投诉件数 (`complaints`, cases) and 有效投诉 (`complaints_upheld`)."""

    @extend_schema(responses={200: OpenApiResponse(description="{year, month, items, count}")})
    def get(self, request: Request) -> Response:
        require(request.user, "record.read")
        try:
            year, month = statistics.parse_period(request.query_params.get("year"),
                                                  request.query_params.get("month"), default_year=clock.now().year)
        except ValueError as exc:  # the message names the parameter first ("year: …" or "month: …")
            field = str(exc).split(":")[0]
            message = _("年份：须为2000至2100之间的整数。") if field == "year" else _("月份：须为1至12之间的整数。")
            raise ValidationError({field: [message]}) from None
        stats = statistics.trading_statistics(year=year, month=month)
        items = [{"type": row.type, "label": str(row.label), "projects": row.projects, "budget": str(row.budget),
                  "awarded": row.awarded, "awarded_amount": str(row.awarded_amount),
                  "failed_rounds": row.failed_rounds, "complaints": row.complaints,
                  "complaints_upheld": row.complaints_upheld} for row in [*stats.rows, stats.total]]
        return Response({"year": year, "month": month, "items": items, "count": len(items)})
