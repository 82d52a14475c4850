"""The log's public API: the latest signed checkpoint, inclusion and consistency proofs (RFC 9162; they reveal
hashes only), witnesses' cosignatures; and for inspectors, GET /api/audit/verify (the whole log recomputed)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from audit import checkpoints, merkle, witness
from audit.models import Leaf
from audit.verify import verify_chain
from core.api import API, request_data
from core.parsing import int_value, text_value
from core.roles import require


class AuditVerifyView(API):
    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        require(request.user, "audit.verify")
        result = verify_chain(checkpoint=checkpoints.latest_published())
        return Response(result.as_dict())


class CheckpointView(API):
    """The latest signed checkpoint and the cosignatures witnesses sent for it."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        latest = checkpoints.latest()
        if latest is None:
            raise NotFound(_("尚未签署任何检查点。"))
        return Response(checkpoints.as_dict(latest))


def _tree_size(request: Request, name: str, size: int) -> int:
    value = request.query_params.get(name)
    if value in (None, ""):
        return size
    wanted = int_value(value, name, minimum=1)
    if wanted > size:
        raise ValidationError({name: [_("日志目前只有 %(n)d 条记录。") % {"n": size}]})
    return wanted


class InclusionProofView(API):
    """By `index` or by `leaf_hash` (what a receipt carries), in the tree of `tree_size` (default: the latest
    signed checkpoint's, so that the proof can be checked against a signed root)."""

    @extend_schema(parameters=[OpenApiParameter("index", int), OpenApiParameter("leaf_hash", str),
                               OpenApiParameter("tree_size", int)], responses={200: dict})
    def get(self, request: Request) -> Response:
        latest = checkpoints.latest()
        size = _tree_size(request, "tree_size", latest.tree_size if latest else merkle.tree_size())
        if "leaf_hash" in request.query_params:
            wanted = text_value(request.query_params["leaf_hash"], "leaf_hash", required=True, max_length=64).lower()
            leaf = Leaf.objects.filter(hash=wanted).values_list("index", flat=True).first()
            if leaf is None:
                raise NotFound(_("日志中尚无此叶哈希（新写入的记录须待排序，最长 %(s)d 秒）。")
                               % {"s": settings.AUDIT_MAX_MERGE_DELAY_SECONDS})
            index = leaf
        else:
            index = int_value(request.query_params.get("index"), "index", minimum=0)
        if index >= size:
            raise ValidationError({"index": [_("该记录不在 %(n)d 条记录的树中：请取更新的检查点。") % {"n": size}]})
        leaf_hash = Leaf.objects.filter(index=index).values_list("hash", flat=True).get()
        path = merkle.inclusion_proof(index, size)
        return Response({"leaf_index": index, "tree_size": size, "leaf_hash": leaf_hash,
                         "audit_path": [h.hex() for h in path]})


class ConsistencyProofView(API):
    @extend_schema(parameters=[OpenApiParameter("first", int, required=True), OpenApiParameter("second", int)],
                   responses={200: dict})
    def get(self, request: Request) -> Response:
        latest = checkpoints.latest()
        second = _tree_size(request, "second", latest.tree_size if latest else merkle.tree_size())
        first = int_value(request.query_params.get("first"), "first", minimum=1, maximum=second)
        path = merkle.consistency_proof(first, second)
        return Response({"first": first, "second": second, "consistency_path": [h.hex() for h in path]})


class CosignatureView(API):
    """A witness hands in its cosignature. No login: the signature is the credential, checked against the keys
    of AUDIT_WITNESS_KEYS, and it must be on a checkpoint this log signed."""

    permission_classes = [AllowAny]

    @extend_schema(request=dict, responses={201: dict})
    def post(self, request: Request) -> Response:
        note = text_value(request_data(request).get("note"), "note", required=True, max_length=4000)
        accepted = witness.accept_cosignatures(note)
        return Response({"accepted": accepted}, status=201)


@require_GET
def logverify_script(request: HttpRequest) -> FileResponse:
    """The offline verifier, the very file the platform's own checks use."""
    path = Path(__file__).with_name("logverify.py")
    return FileResponse(path.open("rb"), as_attachment=True, filename="logverify.py", content_type="text/x-python")
