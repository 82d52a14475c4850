"""API of the archive: the public OCDS release package of a project (every release, oldest first) and its record
package (the releases merged into one compiled release per contracting process)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from archive import ocds, services
from core.api import API

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
