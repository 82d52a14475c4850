"""Every POST and PUT endpoint of the API, as anonymous and as every role, answers a malformed body with a 4xx in the
error shape {"detail", "errors"} and changes nothing: no row, no ledger entry (a denial is logged, nothing else).
The endpoints are read from the URL resolver, as the route matrix reads them, and each endpoint's fields from the
OpenAPI schema, so a new endpoint is walked without being listed here."""

from __future__ import annotations

import json
import re

import pytest
from django.db import transaction

from audit.models import LedgerEntry
from tests.audit.test_route_matrix import ROLES, _path, all_routes

pytestmark = pytest.mark.django_db

DEEP = 100_000
BODIES: dict[str, bytes] = {
    "array": b'[{"title": "x", "budget": "1.00"}]',
    "string": b'"x"',
    "number": b"1" + b"0" * 30,
    "null": b"null",
    "not json": b'{"title": ',
    "nested 100,000 deep (arrays)": b"[" * DEEP + b"]" * DEEP,
    "nested 100,000 deep (objects)": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "nul in a key": b'{"\\u0000": "x"}',
}
# filled into every field the schema documents for the endpoint: characters no database stores, and values of
# the wrong kind (a dict is not a title, 10^30 is not a grade or an id)
POISONED = {"nul": "x\u0000y", "lone surrogate": "x\ud800y", "a dict": {"x": 1}, "a list": ["x"], "10^30": 10**30}


def _api_writes() -> list[tuple[str, str, str]]:
    rows = []
    for name, (route, _pattern, methods) in sorted(all_routes().items()):
        if route.startswith("api/"):
            rows += [(name, route, method) for method in methods if method in ("POST", "PUT")]
    return rows


def _schema_path(route: str) -> str:
    """`api/sessions/<int:pk>/attendance` → `/api/sessions/{id}/attendance` (drf-spectacular calls a pk `id`)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{id}" if m[1] == "pk" else f"{{{m[1]}}}", route)


def _fields(schema: dict, route: str, method: str) -> list[str] | None:
    """The fields the schema documents for the endpoint's body; None when it takes no body (then a body is not
    input: it is not read, and the endpoint answers as without one)."""
    operation = schema["paths"][_schema_path(route)][method.lower()]
    if "requestBody" not in operation:
        return None
    names = set()
    for content in operation["requestBody"]["content"].values():
        body = content.get("schema", {})
        if "$ref" in body:
            body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        names |= set(body.get("properties", {}))
    return sorted(names)


class _Rollback(Exception):
    pass


def _send(client, method: str, path: str, body: bytes):
    """One request in a savepoint rolled back afterwards; answers (response, ledger actions it appended)."""
    answer, actions = None, None
    try:
        with transaction.atomic():
            last = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
            answer = client.generic(method, path, body, content_type="application/json")
            actions = list(LedgerEntry.objects.filter(seq__gt=last).values_list("action", flat=True))
            raise _Rollback
    except _Rollback:
        pass
    return answer, actions


def _problems(client, world, name, route, method, bodies: dict[str, bytes], *, read: bool) -> list[str]:
    routes = all_routes()
    path = _path(route, routes[name][1], name, world)
    problems = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(world["users"][role])
        for label, body in bodies.items():
            answer, actions = _send(client, method, path, body)
            try:
                shape = set(answer.json()) == {"detail", "errors"}
            except ValueError:
                shape = False
            changed = [a for a in actions if a != "access_denied"]
            refused = 400 <= answer.status_code < 500 and shape and not changed
            if not (refused if read else answer.status_code < 500):
                problems.append(f"  {method} {path} as {role}, {label}: {answer.status_code} "
                                f"{answer.content[:120]!r}{' wrote ' + ', '.join(changed) if changed else ''}")
    return problems


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(("name", "route", "method"), _api_writes(), ids=[f"{n} {m}" for n, _r, m in _api_writes()])
def test_a_malformed_body_is_refused_with_a_json_error_and_changes_nothing(client, world, schema, name, route,
                                                                          method):
    client.raise_request_exception = False  # a crash is a 500 in the report, not an aborted walk
    fields = _fields(schema, route, method)
    bodies = dict(BODIES)
    for label, poison in POISONED.items():
        payload = {field: poison for field in fields or ["title"]}
        bodies[f"{label} in every field"] = json.dumps(payload).encode()
    problems = _problems(client, world, name, route, method, bodies, read=fields is not None)
    assert not problems, "malformed bodies not refused cleanly:\n" + "\n".join(problems)
