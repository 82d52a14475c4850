"""Sealing the committed secret at rest: XOR with a pad = HMAC-SHA256(key, "draw-secret|project|round"), the key
derived from SECRET_KEY (or DRAW_SECRET_KEY). Each (project, round) has its own pad, so the stored value alone
says nothing about the secret; only the running application holding the key can unseal it at the draw."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def _pad(project_code: str, round_no: int) -> bytes:
    key_material = settings.DRAW_SECRET_KEY or settings.SECRET_KEY
    key = hashlib.sha256(f"jiaoyi-draw-secret-key|{key_material}".encode()).digest()
    return hmac.digest(key, f"draw-secret|{project_code}|{round_no}".encode(), "sha256")


def seal(secret: bytes, project_code: str, round_no: int) -> str:
    return bytes(a ^ b for a, b in zip(secret, _pad(project_code, round_no), strict=True)).hex()


def unseal(sealed_hex: str, project_code: str, round_no: int) -> bytes:
    return bytes(a ^ b for a, b in zip(bytes.fromhex(sealed_hex), _pad(project_code, round_no), strict=True))
