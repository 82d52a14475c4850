"""API rows of the draw: seal/reveal inputs, run the draw, the public proof, the live state."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from audit import receipts
from core.api import API, request_data
from core.parsing import text_value
from lottery import selectors, services
from lottery.verification import proof_filename
from trading.selectors import project_for

INPUT_SCHEMA = {"application/json": {"type": "object", "properties": {
    "commitment": {"type": "string", "description": "seal: SHA-256 hex of the UTF-8 of nonce + value"},
    "value": {"type": "string", "maxLength": 64, "description": "reveal: the value"},
    "nonce": {"type": "string", "pattern": "^[0-9a-f]{32}$",
              "description": "reveal: the nonce used when sealing, exactly 32 lower-case hex characters"}}}}


class DrawInputView(API):
    @extend_schema(request=INPUT_SCHEMA, responses={201: dict, 200: dict})
    def post(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        data = request_data(request)
        if "commitment" in data:
            sealed = services.input_seal(actor=request.user, project=project, commitment=data.get("commitment"))
            return Response({"id": sealed.pk, "position": sealed.position, "source": sealed.source,
                             "commitment": sealed.commitment}, status=status.HTTP_201_CREATED)
        revealed = services.input_reveal(actor=request.user, project=project, value=data.get("value"),
                                         nonce=data.get("nonce"))
        return Response({"id": revealed.pk, "position": revealed.position, "source": revealed.source,
                         "value": revealed.value})


class DrawView(API):
    @extend_schema(request={"application/json": {"type": "object", "properties": {
        "external_value": {"type": "string"},
        "source_values": {"type": "array", "items": {"type": "string"},
                          "description": "rfc3797: each announced source's published numbers, in announced order"}}}},
        responses={201: dict})
    def post(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        data = request_data(request)
        draw = services.draw_run(actor=request.user, project=project,
                                 external_value=text_value(data.get("external_value"), "external_value"),
                                 source_values=data.get("source_values"))
        return Response({"id": draw.pk, "project": project.code, "round": draw.round, "seed": draw.seed,
                         "ranking": draw.proof["ranking"], "proof_sha256": draw.proof_sha256,
                         "receipt": receipts.for_object(draw)},
                        status=status.HTTP_201_CREATED)


class ProofView(API):
    @extend_schema(responses={200: dict})
    def get(self, request: Request, code: str) -> HttpResponse:
        project = project_for(request.user, code)
        draw = selectors.published_draw(project)
        response = HttpResponse(services.proof_bytes(draw.proof), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{proof_filename(project.code, draw.round)}"'
        return response


class DrawStateView(API):
    @extend_schema(responses={200: dict})
    def get(self, request: Request, code: str) -> Response:
        return Response(selectors.draw_state(project_for(request.user, code)))
