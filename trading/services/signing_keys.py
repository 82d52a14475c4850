"""Personal signing keys: a person registers the public half of a key made in their browser; the centre's
administrator binds it to the account (approve) or revokes it with a reason. The binding the offline verifier
checks is the centre's Ed25519 signature (core.signing) over the holder, the key and the two times
(`key_binding`), made when it is exported, so it always states the key's current revocation."""

from __future__ import annotations

import base64
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock, context, personal_keys, signing
from core.errors import Conflict
from core.roles import require
from trading.models import SigningKey, User

BINDING_CONTEXT = "jiaoyi key binding v1"
LABEL_MAX, REASON_MAX = 80, 2000


def signing_key_register(*, actor: User, public_key: str, label: str = "",
                         suite: str = SigningKey.Suite.ECDSA_P256) -> SigningKey:
    """The holder submits a public key (base64 SPKI); it signs nothing until an administrator approves it."""
    require(actor, "signing_key.hold")
    if suite not in SigningKey.Suite.values:
        raise ValidationError({"suite": [_("不支持的签名算法：%(suite)s。") % {"suite": suite}]})
    try:
        der = personal_keys.public_key_der(public_key or "")
    except personal_keys.KeyRefused as exc:
        raise ValidationError({"public_key": [_("公钥须为 base64 编码的 P-256 公钥（SPKI）：%(why)s。")
                                              % {"why": exc}]}) from None
    label = (label or "").strip()
    if len(label) > LABEL_MAX:
        raise ValidationError({"label": [_("最长%(n)d个字符。") % {"n": LABEL_MAX}]})
    fingerprint = personal_keys.fingerprint(der)
    try:
        with transaction.atomic(), context.acting(actor, reason=_("提交签名公钥")):
            return SigningKey.objects.create(user=actor, suite=suite, label=label, fingerprint=fingerprint,
                                             public_key=base64.b64encode(der).decode("ascii"),
                                             registered_at=clock.now())
    except IntegrityError:
        raise Conflict(_("该公钥已提交过。"), {"public_key": [_("该公钥已提交过。")]}) from None


@transaction.atomic
def signing_key_approve(*, actor: User, key: SigningKey) -> SigningKey:
    """Bind the key to its holder's account from now on. Only a pending key; never one's own."""
    require(actor, "signing_key.bind")
    key = SigningKey.objects.select_for_update().get(pk=key.pk)
    if key.user_id == actor.pk:
        raise PermissionDenied(_("不能审核自己的签名密钥。"))
    if key.state != SigningKey.State.PENDING:
        raise Conflict(_("该密钥当前为“%(state)s”，不能再审核。") % {"state": key.get_state_display()})
    if not key.user.is_active:
        raise Conflict(_("持有人账号已停用，不能绑定密钥。"))
    with context.acting(actor, reason=_("绑定签名密钥")):
        key.approved_at, key.approved_by = clock.now(), actor
        key.save()
    return key


@transaction.atomic
def signing_key_revoke(*, actor: User, key: SigningKey, reason: str) -> SigningKey:
    """Revoke the key for good (a lost browser, a person who left): signatures made before now stay valid, any
    later one is refused. A pending key can be revoked too (it is then never bound)."""
    require(actor, "signing_key.bind")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("吊销密钥须写明原因。")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("最长%(n)d个字符。") % {"n": REASON_MAX}]})
    key = SigningKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        raise Conflict(_("该密钥已于 %(at)s 吊销。") % {"at": key.revoked_at.isoformat()})
    with context.acting(actor, reason=reason):
        key.revoked_at, key.revoked_by, key.revocation_reason = clock.now(), actor, reason
        key.save()
    return key


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def key_binding(key: SigningKey) -> dict[str, Any]:
    """The key as the centre vouches for it: holder, key, approval and revocation times, and the centre's Ed25519
    signature over the compact, key-sorted JSON of exactly those fields (audit/logverify.py checks it)."""
    binding = {"context": BINDING_CONTEXT, "user": key.user.username, "name": str(key.user), "suite": key.suite,
               "public_key": key.public_key, "fingerprint": key.fingerprint,
               "approved_at": _iso(key.approved_at), "revoked_at": _iso(key.revoked_at)}
    return {"binding": binding, "centre_key_id": signing.fingerprint(),
            "centre_signature": base64.b64encode(signing.sign(binding_bytes(binding))).decode()}


def binding_bytes(binding: dict[str, Any]) -> bytes:
    return json.dumps(binding, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
