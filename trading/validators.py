"""Enterprise identity: the 18-character unified social credit code (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


def normalise_uscc(value: str) -> str:
    return "".join(str(value or "").split()).upper()


def validate_uscc(value: str) -> None:
    """18 characters from the standard's 31-character set with the right check character; nothing stricter."""
    code = normalise_uscc(value)
    try:
        uscc.validate(code)
    except StdnumError as exc:
        raise ValidationError(
            _("统一社会信用代码 %(code)s 无效：%(why)s"), code="invalid_uscc",
            params={"code": value, "why": _uscc_reason(code, exc)},
        ) from exc


def _uscc_reason(code: str, exc: StdnumError) -> str:
    if len(code) != 18:
        return _("应为18位，实际为%(n)d位") % {"n": len(code)}
    if exc.__class__.__name__ == "InvalidChecksum":
        return _("校验位不正确")
    return _("含有标准字符集以外的字符")
