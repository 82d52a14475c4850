"""API of the archive: the public OCDS release package of a project."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from archive import ocds
from core.api import API

PACKAGE_SCHEMA = {
    "type": "object", "description": "OCDS 1.1 release package: one release per round of the project",
    "required": ["uri", "version", "publishedDate", "publisher", "releases"],
    "properties": {"uri": {"type": "string"}, "version": {"type": "string", "example": "1.1"},
                   "publishedDate": {"type": "string", "format": "date-time"},
                   "publisher": {"type": "object"}, "releases": {"type": "array", "items": {"type": "object"}}},
}


class OcdsReleasePackageView(API):
    permission_classes = [AllowAny]

    @extend_schema(summary="The project as an OCDS 1.1 release package", operation_id="ocds_release_package",
                   responses={200: OpenApiResponse(PACKAGE_SCHEMA, description="release package"),
                              404: OpenApiResponse(description="unknown project or a draft")})
    def get(self, request: Request, code: str) -> Response:
        return Response(ocds.release_package(ocds.public_project(code)))
