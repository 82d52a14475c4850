"""Pages of personal signing keys: "我的签名密钥" for a holder (the key is made in the browser, static/js/
personal_keys.js), and the administrator's page that binds (approves) and revokes keys. Views parse, check, call
trading.services.signing_keys, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import Conflict
from core.roles import require
from trading.models import SigningKey
from trading.services import signing_keys


@login_required
@require_GET
def my_signing_keys(request: HttpRequest) -> HttpResponse:
    require(request.user, "signing_key.hold")
    return render(request, "trading/signing_keys.html", {
        "keys": SigningKey.objects.filter(user=request.user).select_related("approved_by", "revoked_by")})


@login_required
@require_http_methods(["GET", "POST"])
def signing_keys_manage(request: HttpRequest) -> HttpResponse:
    require(request.user, "signing_key.bind")
    if request.method == "POST":
        key_id = request.POST.get("key", "")
        key = get_object_or_404(SigningKey, pk=int(key_id) if key_id.isdigit() else 0)
        try:
            if request.POST.get("action") == "approve":
                signing_keys.signing_key_approve(actor=request.user, key=key)
                messages.success(request, _("已绑定 %(user)s 的签名密钥。") % {"user": key.user})
            else:
                signing_keys.signing_key_revoke(actor=request.user, key=key, reason=request.POST.get("reason", ""))
                messages.success(request, _("已吊销 %(user)s 的签名密钥。") % {"user": key.user})
        except (ValidationError, Conflict) as exc:
            messages.error(request, getattr(exc, "detail", None) or " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("signing-keys-manage")
    keys = SigningKey.objects.select_related("user", "approved_by", "revoked_by")
    return render(request, "trading/signing_keys_manage.html", {
        "pending": [k for k in keys if k.state == SigningKey.State.PENDING],
        "others": [k for k in keys if k.state != SigningKey.State.PENDING]})
