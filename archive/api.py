"""API of the archive: the public OCDS release package of a project (every release, oldest first) and its record
package (the releases merged into one compiled release per contracting process)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from archive import ocds, selectors, services, signatures, statistics
from core.api import API, request_data
from core.parsing import text_value
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
                                                  request.query_params.get("month"))
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


def _record(request: Request, code: str, kind: str):
    """The record, for those who may see its signatures (its readers and its possible signers)."""
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    record = selectors.record_for(selectors.project_by_code(code), kind)
    signatures.ensure_can_see_signatures(request.user, record)
    return record


SIGNATURE_LIST = {
    "type": "object", "required": ["items", "count", "digest", "message"],
    "properties": {"items": {"type": "array", "items": {"type": "object"}}, "count": {"type": "integer"},
                   "digest": {"type": "string"}, "message": {"type": "string"},
                   "signable": {"type": "boolean"}, "standing": {"type": ["string", "null"]}},
}
SIGNATURE_BODY = {"application/json": {"type": "object", "required": ["key", "digest", "signature"], "properties": {
    "key": {"type": "string", "description": "the signing key's fingerprint (SHA-256 hex of its SPKI)"},
    "digest": {"type": "string", "description": "the record digest the signer saw"},
    "signature": {"type": "string", "description": "base64 of the ECDSA P-256 signature, r || s (Web Crypto)"}}}}


def _row(row: dict) -> dict:
    return {**row, "signed_at": row["signed_at"].isoformat()}


class RecordSignaturesView(API):
    """GET: a record's signatures, its current digest and the message a signer signs. POST: sign it."""

    @extend_schema(responses={200: OpenApiResponse(SIGNATURE_LIST, description="signatures")})
    def get(self, request: Request, code: str, kind: str) -> Response:
        record = _record(request, code, kind)
        digest = signatures.record_digest(record)
        items = [_row(r) for r in signatures.signature_rows(record, digest)]
        return Response({"items": items, "count": len(items), "digest": digest,
                         "message": signatures.record_message(record, digest).decode(),
                         "signable": signatures.is_signed_kind(kind),
                         "standing": signatures.standing(request.user, record)})

    @extend_schema(request=SIGNATURE_BODY, responses={201: OpenApiResponse(description="the stored signature")})
    def post(self, request: Request, code: str, kind: str) -> Response:
        record = _record(request, code, kind)
        signatures.ensure_can_sign(request.user, record)
        data = request_data(request)
        signed = signatures.record_sign(
            actor=request.user, record=record, fingerprint=text_value(data.get("key"), "key", required=True),
            digest=text_value(data.get("digest"), "digest", required=True),
            signature=text_value(data.get("signature"), "signature", required=True))
        row = next(r for r in signatures.signature_rows(record) if r["signature"] == signed.signature)
        return Response({"id": signed.pk, **_row(row)}, status=201)


class RecordSignaturesExportView(API):
    """What `python logverify.py signatures EXPORT.json --log-key VKEY` checks offline."""

    @extend_schema(responses={200: OpenApiResponse({"type": "object"}, description="signatures export")})
    def get(self, request: Request, code: str, kind: str) -> Response:
        return Response(signatures.signatures_export(_record(request, code, kind)))
