"""API of bid files sealed at the bidder and their remote opening (issue 20; the ceremony: docs/evaluation.md).
Conventions as evaluation.api: thin views, every rule in evaluation.services.bidfiles / .opening."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import API, FormParser, JSONObjectParser, MultiPartParser, request_data
from core.parsing import text_value
from evaluation import selectors
from evaluation.api import ANY, INT, STR, _items, _list, _obj, _req, plain
from evaluation.services import bidfiles, opening
from trading.selectors import project_for

HEX = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
WRAPPED = _obj(position=INT, ephemeral=STR, nonce=STR, ciphertext=STR, share_sha256=HEX)


def _round_body(project) -> dict[str, Any]:
    box = selectors.box(project)
    if box is None:
        return {"mode": None, "holders": 0, "threshold": 0, "keys": []}
    keys = [{"position": k.position, "fingerprint": k.fingerprint, "public_jwk": k.public_jwk,
             "registered_at": k.registered_at} for k in box.keys.order_by("position")]
    return {"mode": box.mode, "holders": box.holders, "threshold": box.threshold, "keys": keys}


class BidModeView(API):
    @extend_schema(responses={200: ANY}, description="How this round is bid: `server` (structured bids sealed by the "
                   "platform) or `bidder` (bid files sealed in the bidder's browser), and the key holders' public keys.")
    def get(self, request: Request, code: str) -> Response:
        return Response(plain(_round_body(project_for(request.user, code))))

    @extend_schema(request=_req(mode={"type": "string", "enum": ["server", "bidder"]}), responses={200: ANY})
    def put(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        bidfiles.bid_round_mode_set(actor=request.user, project=project,
                                    mode=text_value(request_data(request).get("mode"), "mode"))
        return Response(plain(_round_body(project)))


class OpeningKeysView(API):
    @extend_schema(request=_req(public_jwk=_obj(kty=STR, crv=STR, x=STR, y=STR)),
                   responses={201: _obj(id=INT, position=INT, fingerprint=HEX)},
                   description="A supervisor (or the project's agency) registers the public half of an "
                   "ECDH P-256 key made in their browser; the private key never comes here.")
    def post(self, request: Request, code: str) -> Response:
        key = bidfiles.opening_key_register(actor=request.user, project=project_for(request.user, code),
                                            public_jwk=request_data(request).get("public_jwk"))
        return Response({"id": key.pk, "position": key.position, "fingerprint": key.fingerprint},
                        status=status.HTTP_201_CREATED)


def _shares_field(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as error:
            raise ValidationError({"shares": [_("须为 JSON 列表。")]}) from error
    return value


def _ciphertext(request: Request, data: dict[str, Any]) -> bytes:
    upload = request.FILES.get("ciphertext") if hasattr(request, "FILES") else None
    if upload is not None:
        return upload.read()
    try:
        return base64.b64decode(str(data.get("ciphertext") or ""), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError({"ciphertext": [_("须为密文文件，或其 base64。")]}) from error


class BidFilesView(API):
    parser_classes = [MultiPartParser, JSONObjectParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": _obj(ciphertext={"type": "string", "format": "binary"}, context=STR,
                                             ciphertext_sha256=HEX, key_commitment=HEX, shares=STR),
                 "application/json": _obj(ciphertext={"type": "string", "format": "byte"}, context=STR,
                                          ciphertext_sha256=HEX, key_commitment=HEX,
                                          shares={"type": "array", "items": WRAPPED})},
        responses={201: _obj(id=INT, receipt=ANY)},
        description="A bid file sealed in the bidder's browser (bidfile-v1): the ciphertext, its SHA-256, the "
                    "content key's commitment, and one wrapped share per key holder. The server never sees the plaintext.")
    def post(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        data = request_data(request)
        data = {**data, "shares": _shares_field(data.get("shares"))}
        bid, receipt = bidfiles.bid_file_submit(actor=request.user, project=project, data=data,
                                                ciphertext=_ciphertext(request, data))
        return Response({"id": bid.pk, "receipt": receipt}, status=status.HTTP_201_CREATED)


class OpeningSharesView(API):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ANY}, description="A key holder's own wrapped share of every bid, after the close.")
    def get(self, request: Request, code: str) -> Response:
        return Response(plain(opening.wrapped_shares_for(actor=request.user, project=project_for(request.user, code))))

    @extend_schema(request=_req(shares={"type": "array", "items": _obj(bid=INT, share=HEX)}), responses={200: _list()},
                   description="At the opening: the shares the holder's browser decrypted; each is checked against the "
                   "bidder's digest, and a bid with enough shares is opened at once.")
    def post(self, request: Request, code: str) -> Response:
        opened = opening.opening_shares_post(actor=request.user, project=project_for(request.user, code),
                                             shares=request_data(request).get("shares"))
        return _items([{"id": b.pk, "valid": b.valid, "price": b.price, "reason": b.invalid_reason} for b in opened])


class OpeningLiveView(API):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ANY}, description="The remote opening as it stands (the live page's event data).")
    def get(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        selectors.ensure_may_watch_opening(request.user, project)
        return Response(plain(selectors.live_opening(project)))


class OpeningConfirmationsView(API):
    @extend_schema(responses={200: _list()})
    def get(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        if not selectors.is_opened(project):
            return _items([])
        return _items(selectors.ceremony(project)["confirmations"])

    @extend_schema(request=_req(record_sha256=HEX), responses={201: ANY},
                   description="A bidder confirms the opening record it has seen, named by its SHA-256.")
    def post(self, request: Request, code: str) -> Response:
        row = opening.opening_confirm(actor=request.user, project=project_for(request.user, code),
                                      record_sha256=text_value(request_data(request).get("record_sha256"),
                                                               "record_sha256"))
        return Response(plain({"id": row.pk, "record_sha256": row.record_sha256, "confirmed_at": row.confirmed_at}),
                        status=status.HTTP_201_CREATED)
