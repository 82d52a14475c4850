"""The API's body parsers: a body is one JSON object (or a form), bounded in size and depth, every key and string
storable. Kept apart from core.api because DRF imports its parser classes while its views are being defined."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

from core.parsing import unstorable, unstorable_error

MAX_JSON_DEPTH = 32  # the deepest body a view reads is 3 levels (a score sheet); 32 leaves room, not a stack


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self) -> None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(_("请求体超过 %(n)d 字节的上限。") % {"n": limit})


def _read_limited(stream: Any, parser_context: dict[str, Any]) -> bytes:
    """The body, refused from its declared length when it is over DATA_UPLOAD_MAX_MEMORY_SIZE, and never read
    past it (DRF's own JSON and form parsers read the whole stream, whatever its size)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    request = parser_context.get("request")
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    if limit is not None and declared and str(declared).isdigit() and int(declared) > limit:
        raise PayloadTooLarge()
    raw = stream.read(limit + 1) if limit is not None else stream.read()
    if limit is not None and len(raw) > limit:
        raise PayloadTooLarge()
    return raw


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every key and string in a parsed body with where it is (`scores.12.price`), depth-checked, without
    recursion (the body may be as deep as MAX_JSON_DEPTH)."""
    stack = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ParseError(_("JSON 嵌套超过 %(n)d 层。") % {"n": MAX_JSON_DEPTH})
        if isinstance(item, str):
            yield where or "non_field_errors", item
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else key
                yield name, key
                stack.append((child, name, depth + 1))
        elif isinstance(item, list):
            stack += [(child, f"{where}.{n}" if where else str(n), depth + 1) for n, child in enumerate(item)]


def check_storable(data: Any) -> None:
    """Refuse a body holding a character no database stores (NUL, a lone surrogate), naming where it is."""
    for where, text in _strings(data):
        if unstorable(text):
            raise unstorable_error("non_field_errors" if unstorable(where) else where)  # never echo it back


class JSONObjectParser(parsers.JSONParser):
    """A JSON body: one object (every endpoint takes named fields), no deeper than MAX_JSON_DEPTH, no larger than
    DATA_UPLOAD_MAX_MEMORY_SIZE, no NaN or Infinity, every key and string storable."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        parser_context = parser_context or {}
        raw = _read_limited(stream, parser_context)
        try:
            data = json.loads(raw.decode(parsers.get_encoding(parser_context)), parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(_("JSON 嵌套超过 %(n)d 层。") % {"n": MAX_JSON_DEPTH}) from None
        except ValueError as error:  # UnicodeDecodeError too
            raise ParseError(_("请求体不是有效的 JSON：%(e)s") % {"e": str(error)[:200]}) from None
        if not isinstance(data, dict):
            raise ParseError(_("请求体须为 JSON 对象，如 {\"字段\": 值}。"))
        check_storable(data)
        return data


def _check_form(data: QueryDict) -> None:
    for key, values in data.lists():
        check_storable({key: values})


class FormParser(parsers.FormParser):
    """A URL-encoded form, read only up to DATA_UPLOAD_MAX_MEMORY_SIZE, every key and value storable."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        parser_context = parser_context or {}
        data = QueryDict(_read_limited(stream, parser_context), encoding=parsers.get_encoding(parser_context))
        _check_form(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """Multipart (uploads): Django limits it; its fields must be storable (file names are cleaned by Django)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        result = super().parse(stream, media_type, parser_context)
        _check_form(result.data)
        return result
