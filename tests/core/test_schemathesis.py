"""Schemathesis against the live schema (`/api/openapi.json`), in-process: the WSGI app on the test database.
Every operation, as anonymous and as an agency (token auth), with data that fits the schema and data that does
not, answers without a server error and, where it documents the status, with the shape it documents.

Bounded: a few examples per operation and mode, derandomized, so a run takes seconds per role and fails the
same way twice. Each request runs in a savepoint rolled back afterwards, so one case never changes the next."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests import factories

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = 6
RUN = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
               suppress_health_check=list(HealthCheck))


class _Rollback(Exception):
    pass


def _call(case, headers: dict[str, str]):
    try:
        with transaction.atomic():
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)
            raise _Rollback
    except _Rollback:
        pass


def _modes(operation) -> list[GenerationMode]:
    """Negative data only where something can be invalid: a body, or a parameter more constrained than any
    string (an operation with a code in its path and nothing else has no invalid request to make)."""
    raw = operation.definition.raw
    constrained = [p for p in raw.get("parameters", []) if p.get("schema", {}) != {"type": "string"}]
    if "requestBody" in raw or constrained:
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def _passes(operation, world: dict[str, object]) -> list[tuple[str, dict]]:
    """Random paths (mostly 404) in each mode, and positive data on the world's own objects, so that the
    operations answer with data too."""
    passes = [(str(mode), {"generation_mode": mode}) for mode in _modes(operation)]
    names = {p["name"] for p in operation.definition.raw.get("parameters", []) if p.get("in") == "path"}
    if names:
        passes.append(("on the world", {"path_parameters": {name: world[name] for name in names}}))
    return passes


def _failures(headers: dict[str, str], world: dict[str, object]) -> list[str]:
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, options in _passes(operation, world):
            @RUN
            @given(case=operation.as_strategy(**options))
            def check(case):
                _call(case, headers)

            try:
                check()
            except Unsatisfiable:
                continue
            except (Exception, BaseExceptionGroup) as error:  # each operation's first failure, all reported
                failures.append(f"{operation.method.upper()} {operation.path} ({mode}): {error}"[:1500])
    return failures


@pytest.fixture
def connection_kept_across_requests():
    """Django closes the connection after each request; the test database lives in this test's transaction, so
    keep it open, as Django's own test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(settings):
    """An agency with something in every list anyone may read: a published project, a room, a session; the
    path parameters that name them."""
    import datetime as dt

    from core import clock, context
    from trading.models import Session

    settings.REGISTRATION_MIN_DAYS = 0
    agency = factories.agency_user()
    project = factories.fixed_price_project(agency=agency)
    factories.fixed_price_project(agency=agency, publish=False, qualification_kind="construction")
    room = factories.room("draw")
    with context.acting(agency):
        session = Session.objects.create(project=project, room=room, kind="draw",
                                         starts_at=clock.now(), ends_at=clock.now() + dt.timedelta(hours=2),
                                         booked_by=agency)
    # `pk` names a room (its calendar); under other paths it names nothing, a 404
    return {"agency": agency, "code": project.code, "id": session.pk, "pk": room.pk, "notice": "experts",
            "kind": "announcement"}


@pytest.mark.parametrize("role", ["anonymous", "agency"])
def test_every_operation_answers_as_the_schema_says(role, world, connection_kept_across_requests):
    headers = {}
    if role == "agency":
        headers["Authorization"] = f"Token {Token.objects.create(user=world['agency']).key}"

    failures = _failures(headers, world)

    assert not failures, f"{len(failures)} operations fail:\n\n" + "\n\n".join(failures)
