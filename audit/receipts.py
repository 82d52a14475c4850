"""Receipts: the log's signed promise, handed to whoever made a change (a registration, a bid, a draw), that the
entry recording it will be in the tree within the maximum merge delay — like a Certificate Transparency SCT.
The holder later asks for the inclusion proof by the receipt's leaf hash (GET /api/audit/proof/inclusion
?leaf_hash=…) and checks it against a signed checkpoint (audit/logverify.py receipt … --proof … --checkpoint …)."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.db import models

from audit import canonical, logverify
from audit.models import LedgerEntry
from core import signing


def issue(entry: LedgerEntry) -> dict[str, Any]:
    receipt = {"origin": settings.AUDIT_LOG_ORIGIN, "entry": entry.seq, "leaf_hash": entry.hash,
               "timestamp": canonical.format_time(entry.at) // 1000}
    signature = signing.sign(logverify.receipt_message(receipt))
    return {**receipt, "key_id": signing.key_id(), "signature": base64.b64encode(signature).decode(),
            "max_merge_delay_seconds": settings.AUDIT_MAX_MERGE_DELAY_SECONDS}


def for_object(obj: models.Model) -> dict[str, Any]:
    """The receipt of the latest entry about `obj` (call it in the transaction that wrote the change): the one its
    last save appended, else the latest in the ledger."""
    entry = getattr(obj, "_ledger_entry", None)
    if entry is None:
        entry = (LedgerEntry.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).order_by("-seq")
                 .first())
    if entry is None:
        raise LookupError(f"audit: no entry records {obj._meta.label} #{obj.pk}")
    return issue(entry)
