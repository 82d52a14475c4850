"""Every route × every role and anonymous → the expected status. The routes are read from the URL
resolver, so a new route fails this test until it is classified in ROUTES below.

Each request runs in a savepoint that is rolled back, so one request never changes what the next one sees. The
world: a published fixed-price project of the agency's own organisation, past its registration deadline, with a
draw session and an open complaint by its tenderer (so it is under legal hold); none of the accounts below is a
party to it, so none may complain. Ids that the world does not have are 999999."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from core.roles import Role

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", Role.AGENCY, Role.SUPERVISOR, Role.INSPECTOR, Role.ENTERPRISE, Role.EXPERT, Role.ADMIN)
HEADER = "anon agency supervisor inspector enterprise expert admin"

# route name → {method: "statuses in HEADER order"}. Pages that need a login redirect anonymous visitors (302);
# the API answers 403; a role without the capability gets 403; 404 where the object is confidential or missing.
ROUTES: dict[str, dict[str, str]] = {
    # the one-time link an approving inspector hands a new inspector or supervisor (a bad link: a page saying so)
    "account-set-password": {"GET": "200 200 200 200 200 200 200", "POST": "200 200 200 200 200 200 200"},
    # a change notice only while registration is open (the world is past its deadline: 409)
    "api-amendments": {"GET": "200 200 200 200 200 200 200", "POST": "403 409 403 403 403 403 409"},
    "api-attachments": {"GET": "200 200 200 200 200 200 200", "POST": "403 400 403 403 403 403 400"},
    "api-attendance": {"GET": "403 200 200 200 200 200 200", "POST": "403 400 400 400 400 400 400"},
    "api-auction": {"GET": "404 404 404 404 404 404 404", "POST": "403 400 403 403 403 403 400"},
    "api-auction-bidders": {"POST": "403 404 404 404 404 404 404"},
    # bid files sealed at the bidder (the world's project is fixed-price: no bid box, so 409 once allowed);
    # an empty bid file is a 400 naming the field, as for structured bids
    "api-bid-files": {"POST": "403 400 400 400 400 400 400"},
    "api-bid-mode": {"GET": "200 200 200 200 200 200 200"},
    "api-opening-confirmations": {"GET": "200 200 200 200 200 200 200", "POST": "403 403 403 403 409 403 403"},
    "api-opening-keys": {"POST": "403 409 409 403 403 403 409"},
    "api-opening-live": {"GET": "403 200 200 200 403 403 200"},
    # only a holder of the round's opening keys (nobody in the world holds one)
    "api-opening-shares": {"GET": "403 403 403 403 403 403 403", "POST": "403 403 403 403 403 403 403"},
    "api-auction-bids": {"POST": "403 404 404 404 404 404 404"},
    "api-auction-hammer": {"POST": "403 404 404 404 404 404 404"},
    "api-auction-start": {"POST": "403 404 404 404 404 404 404"},
    "api-audit": {"GET": "403 403 403 200 403 403 200"},
    "api-audit-verify": {"GET": "403 403 403 200 403 403 403"},
    # the log's public face: proofs reveal hashes only; a cosignature without a witness's signature is refused
    "api-audit-checkpoint": {"GET": "200 200 200 200 200 200 200"},
    "api-audit-consistency": {"GET": "400 400 400 400 400 400 400"},  # no `first`
    "api-audit-inclusion": {"GET": "400 400 400 400 400 400 400"},  # no `index`
    "api-audit-cosignatures": {"POST": "400 400 400 400 400 400 400"},
    "audit-logverify": {"GET": "200 200 200 200 200 200 200"},
    "api-award": {"POST": "403 409 403 403 403 403 409"},
    "api-bid-withdraw": {"POST": "403 403 403 403 403 403 403"},
    "api-bids": {"GET": "200 200 200 200 200 200 200", "POST": "403 400 400 400 400 400 400"},
    "api-bids-close": {"POST": "403 409 409 409 409 409 409"},
    "api-candidate-withdraw": {"POST": "403 404 404 404 404 404 404"},
    "api-candidates": {"GET": "200 200 200 200 200 200 200"},
    "api-candidates-award": {"POST": "403 409 403 403 403 403 409"},
    "api-complaint-answer": {"POST": "403 400 403 403 403 403 400"},
    # the world's objection is the tenderer's: nobody below may escalate or withdraw it; the department (supervisor)
    # accepts and decides complaints (this is an objection: 400 for a missing field first)
    "api-complaint-escalate": {"POST": "403 403 403 403 403 403 403"},
    "api-complaint-withdraw": {"POST": "403 403 403 403 403 403 403"},
    "api-complaint-accept": {"POST": "403 403 400 403 403 403 403"},
    "api-complaint-decide": {"POST": "403 403 400 403 403 403 403"},
    "api-complaint-desk": {"GET": "403 403 200 200 403 403 200"},
    "api-complaint-decisions": {"GET": "200 200 200 200 200 200 200"},
    "complaint-escalate": {"GET": "302 405 405 405 405 405 405", "POST": "302 403 403 403 403 403 403"},
    "complaint-withdraw": {"GET": "302 405 405 405 405 405 405", "POST": "302 403 403 403 403 403 403"},
    "complaint-desk": {"GET": "302 403 200 403 403 403 403", "POST": "302 403 200 403 403 403 403"},
    "complaint-decisions": {"GET": "200 200 200 200 200 200 200", "POST": "405 405 405 405 405 405 405"},
    # appeals of bad-behaviour records (the world has none: 404 once the role may)
    "api-appeals": {"GET": "404 404 404 404 404 404 404", "POST": "403 404 404 404 404 404 404"},
    "api-appeal-decide": {"POST": "403 403 403 403 403 403 404"},
    "api-statistics": {"GET": "403 200 200 200 403 403 200"},
    # personal signing keys: held by those who may sign records, bound and revoked by the administrator; a record's
    # signatures are seen by its readers and possible signers, and nobody signs an announcement
    "api-signing-keys": {"GET": "403 200 200 200 200 200 200", "POST": "403 400 400 403 400 400 403"},
    "api-signing-key-approve": {"POST": "403 403 403 403 403 403 404"},
    "api-signing-key-revoke": {"POST": "403 403 403 403 403 403 404"},
    "api-record-signatures": {"GET": "403 200 200 200 403 403 200", "POST": "403 403 403 403 403 403 403"},
    "api-record-signatures-export": {"GET": "403 200 200 200 403 403 200"},
    # the expert pool page: administrators edit (an empty form: 400), inspectors read
    "evaluation-experts": {"GET": "302 403 403 200 403 403 200", "POST": "302 403 403 403 403 403 400"},
    "api-complaints": {"GET": "403 200 200 200 200 200 200", "POST": "403 403 403 403 403 403 403"},
    "api-contract-sign": {"POST": "403 404 404 404 404 404 404"},
    "api-contracts": {"GET": "200 200 200 200 200 200 200"},
    "api-draw": {"POST": "403 403 409 403 403 403 403"},
    "api-draw-inputs": {"POST": "403 403 409 403 403 403 403"},
    "api-draw-state": {"GET": "200 200 200 200 200 200 200"},
    "api-evaluation": {"GET": "403 404 403 404 403 403 404", "POST": "403 409 403 403 403 403 409"},
    "api-evaluation-plan": {"GET": "405 405 405 405 405 405 405"},
    "api-experts": {"GET": "403 403 403 200 403 403 200", "POST": "403 403 403 403 403 403 400"},
    "api-followup": {"POST": "403 400 403 403 403 403 400"},
    "api-legal-hold-release": {"POST": "403 403 403 400 403 403 403"},
    "api-member-decline": {"POST": "403 404 404 404 404 404 404"},
    "api-milestones": {"GET": "200 200 200 200 200 200 200", "POST": "403 403 403 403 403 403 403"},
    "api-objection-answer": {"POST": "403 404 404 404 404 404 404"},
    "api-objections": {"GET": "200 200 200 200 200 200 200", "POST": "403 400 400 400 400 400 400"},
    # a background job: only who started it (and administrators) see it; 999999 is nobody's
    "api-job": {"GET": "403 404 404 404 404 404 404"},
    "job": {"GET": "302 404 404 404 404 404 404"},
    # everyone's own inbox; another's notification (or none) is 404
    "api-notifications": {"GET": "403 200 200 200 200 200 200"},
    "api-notification-read": {"POST": "403 404 404 404 404 404 404"},
    "notifications": {"GET": "302 200 200 200 200 200 200"},
    "notification-read": {"GET": "302 405 405 405 405 405 405", "POST": "302 404 404 404 404 404 404"},
    "api-ocds": {"GET": "200 200 200 200 200 200 200"},
    "api-ocds-record": {"GET": "200 200 200 200 200 200 200"},
    "api-opening": {"GET": "404 404 404 404 404 404 404", "POST": "403 409 403 403 403 403 409"},
    "api-panel": {"GET": "404 404 404 404 404 404 404", "POST": "403 400 403 403 403 403 400"},
    "api-panel-draw": {"POST": "403 403 403 403 403 403 403"},
    "api-panel-inputs": {"POST": "403 403 403 403 403 403 403"},
    "api-panel-proof": {"GET": "404 404 404 404 404 404 404"},
    "api-project": {"GET": "200 200 200 200 200 200 200"},
    "api-project-close": {"POST": "403 200 403 403 403 403 200"},
    "api-project-fail": {"POST": "403 400 403 403 403 403 400"},
    # acceptance and termination: the managing agency (an empty body: 400 naming the field)
    "api-project-complete": {"POST": "403 400 403 403 403 403 400"},
    "api-project-publish": {"POST": "403 409 403 403 403 403 409"},
    "api-project-terminate": {"POST": "403 400 403 403 403 403 400"},
    "api-projects": {"GET": "200 200 200 200 200 200 200", "POST": "403 400 403 403 403 403 403"},
    "api-proof": {"GET": "404 404 404 404 404 404 404"},
    "api-question-answer": {"POST": "403 404 404 404 404 404 404"},
    # answered questions are public, never their asker; asking is for enterprises before the deadline
    "api-questions": {"GET": "200 200 200 200 200 200 200", "POST": "403 403 403 403 409 403 403"},
    "api-recording": {"GET": "403 403 404 404 403 403 404", "DELETE": "403 403 404 404 403 403 404"},
    "api-recording-playback": {"POST": "403 403 404 404 403 403 404"},
    "api-referrals": {"POST": "403 400 403 403 403 403 400"},
    "api-registrations": {"GET": "403 200 200 200 403 403 200", "POST": "403 403 403 403 403 403 403"},
    "api-rooms": {"GET": "403 200 200 200 200 200 200", "POST": "403 403 403 403 403 403 400"},
    # the centre's reference data: the administrator enters it (an enterprise its own managers); the world's
    # enterprise user belongs to no organisation, so its managers row is a 403 too
    "api-organisations": {"POST": "403 403 403 403 403 403 400"},
    "api-users": {"POST": "403 403 403 403 403 403 400"},
    "api-certificates": {"POST": "403 403 403 403 403 403 400"},
    "api-managers": {"POST": "403 403 403 403 403 403 400"},
    "api-bad-behaviour": {"POST": "403 403 403 403 403 403 400"},
    "api-room-sessions": {"GET": "403 200 200 200 200 200 200"},
    # 中心管理 pages (the administrator's); the enterprise's own record (the world's enterprise user has none: 403)
    "centre-organisations": {"GET": "302 403 403 403 403 403 200", "POST": "302 403 403 403 403 403 200"},
    "centre-organisation": {"GET": "302 403 403 403 403 403 200", "POST": "302 403 403 403 403 403 200"},
    "centre-rooms": {"GET": "302 403 403 403 403 403 200", "POST": "302 403 403 403 403 403 200"},
    "centre-users": {"GET": "302 403 403 403 403 403 200", "POST": "302 403 403 403 403 403 200"},
    "my-organisation": {"GET": "302 403 403 403 403 403 403", "POST": "302 403 403 403 403 403 403"},
    # the centre's notice texts: edited by the administrator on its page, public in the API
    "centre-notices": {"GET": "302 403 403 403 403 403 200", "POST": "302 405 405 405 405 405 405"},
    "centre-notice": {"GET": "302 403 403 403 403 403 200", "POST": "302 403 403 403 403 403 200"},
    "api-notices": {"GET": "200 200 200 200 200 200 200"},
    "api-notice": {"GET": "200 200 200 200 200 200 200"},
    "api-scores": {"POST": "403 403 403 403 403 403 403"},
    # anonymous upload: 401 with `WWW-Authenticate: Recorder`, the scheme a room recorder answers with
    "api-session-recordings": {"GET": "403 403 200 200 403 403 200", "POST": "401 403 400 403 403 403 400"},
    "api-sessions": {"POST": "403 400 403 403 403 403 400"},
    # one's own API token, from a password login's session
    "api-token": {"POST": "403 201 201 201 201 201 201", "DELETE": "403 204 204 204 204 204 204"},
    "archive-dossier": {"GET": "302 403 403 404 403 403 404"},
    "archive-dossier-build": {"GET": "302 405 405 405 405 405 405", "POST": "302 403 403 403 403 403 302"},
    "archive-record-pdf": {"GET": "302 200 200 200 403 403 200"},
    "archive-records": {"GET": "302 200 200 200 403 403 200"},
    # a record's signatures: its readers, and the bidders and experts who sign it (the world's announcement: none)
    "archive-record-signatures": {"GET": "302 200 200 200 403 403 200", "POST": "302 405 405 405 405 405 405"},
    # 我的签名密钥: those who sign records; the administrator binds and revokes (no such key in the world: 404)
    "my-signing-keys": {"GET": "302 200 200 403 200 200 403", "POST": "302 405 405 405 405 405 405"},
    "signing-keys-manage": {"GET": "302 403 403 403 403 403 200", "POST": "302 403 403 403 403 403 404"},
    # published by the centre: aggregates of published projects, for everyone
    "archive-statistics": {"GET": "200 200 200 200 200 200 200"},
    "archive-statistics-pdf": {"GET": "200 200 200 200 200 200 200"},
    "attachment-download": {"GET": "404 404 404 404 404 404 404"},
    "draw-result": {"GET": "404 404 404 404 404 404 404"},
    "draw-screen": {"GET": "200 200 200 200 200 200 200"},
    # the world's project draws by fps-draw-v1 and is not qualified: a supervisor's RFC 3797 draw is refused
    "draw-rfc3797": {"GET": "302 405 405 405 405 405 405", "POST": "302 403 409 403 403 403 403"},
    "evaluation-auction": {"GET": "200 200 200 200 200 200 200"},
    "evaluation-bid": {"GET": "302 403 403 403 200 403 403"},
    "evaluation-candidates": {"GET": "200 200 200 200 200 200 200"},
    "evaluation-index": {"GET": "200 200 200 200 200 200 200"},
    # the remote opening: its bidders, agency, supervisors, inspectors, administrators (a POST without a known
    # action re-renders the page with a message); the event stream is GET only
    "evaluation-opening": {"GET": "302 200 200 200 403 403 200", "POST": "302 400 400 400 403 403 400"},
    "evaluation-opening-events": {"GET": "302 200 200 200 403 403 200", "POST": "405 405 405 405 405 405 405"},
    "evaluation-manage": {"GET": "302 200 403 403 403 403 200"},
    "evaluation-my-panels": {"GET": "302 403 403 403 403 200 403"},
    "evaluation-panel-draw": {"GET": "302 403 200 403 403 403 403"},
    "evaluation-score": {"GET": "302 403 403 403 403 403 403"},
    # an opened bid file: the panel's experts, the agency and inspectors (the world has none: 404 for them)
    "evaluation-bid-document": {"GET": "302 404 403 404 403 403 404"},
    "healthz": {"GET": "200 200 200 200 200 200 200"},
    "home": {"GET": "200 200 200 200 200 200 200"},
    "inspect-chain": {"GET": "302 403 403 200 403 403 200"},
    "inspect-chain-verify": {"GET": "302 405 405 405 405 405 405", "POST": "302 403 403 302 403 403 403"},
    "inspect-entry": {"GET": "302 403 403 200 403 403 200"},
    "inspect-export": {"GET": "302 403 403 200 403 403 200"},
    "inspect-findings": {"GET": "302 403 403 200 403 403 200"},
    "inspect-hold-release": {"GET": "302 405 405 405 405 405 405", "POST": "302 403 403 302 403 403 403"},
    "inspect-inbox": {"GET": "302 403 403 200 403 403 200"},
    "inspect-project": {"GET": "302 403 403 200 403 403 200"},
    "inspect-role-grant-decide": {"GET": "302 405 405 405 405 405 405", "POST": "302 403 403 404 403 403 403"},
    "inspect-role-grants": {"GET": "302 403 403 200 403 403 200"},
    # the world's project is past its deadline: nothing sealed to open, the inspector is sent back to the trail
    "inspect-registrations-open": {"GET": "302 405 405 405 405 405 405", "POST": "302 403 403 302 403 403 403"},
    "inspect-timeline": {"GET": "302 403 403 200 403 403 200"},
    "login": {"GET": "200 302 302 302 302 302 302", "POST": "200 302 302 302 302 302 302"},
    "logout": {"GET": "405 405 405 405 405 405 405", "POST": "302 302 302 302 302 302 302"},
    "my-registrations": {"GET": "302 403 403 403 200 403 403"},
    "openapi": {"GET": "200 200 200 200 200 200 200"},
    "project-complaint": {"GET": "302 405 405 405 405 405 405", "POST": "302 403 403 403 403 403 403"},
    "project-detail": {"GET": "200 200 200 200 200 200 200"},
    # a draft is edited; the world's project is published: its agency is sent back to the manage page
    "project-edit": {"GET": "302 302 403 403 403 403 302", "POST": "302 302 403 403 403 403 302"},
    "project-manage": {"GET": "302 200 403 403 403 403 200", "POST": "302 200 403 403 403 403 200"},
    "project-new": {"GET": "302 200 403 403 403 403 200", "POST": "302 200 403 403 403 403 200"},
    "project-question": {"GET": "302 405 405 405 405 405 405", "POST": "302 403 403 403 400 403 403"},
    "project-register": {"GET": "302 403 403 403 200 403 403", "POST": "302 403 403 403 200 403 403"},
    "project-registrations": {"GET": "302 200 200 200 403 403 200"},
    "recording-detail": {"GET": "302 403 404 404 403 403 404"},
    "recording-object": {"GET": "403 403 403 403 403 403 403"},
    "recording-upload": {"GET": "302 403 200 403 403 403 200", "POST": "302 403 200 403 403 403 200"},
    "recordings": {"GET": "302 403 200 200 403 403 200"},
    "session-recordings": {"GET": "302 403 200 200 403 403 200"},
    "session-attendance": {"GET": "302 200 200 200 200 200 200", "POST": "302 400 400 400 400 400 400"},
    "set_language": {"GET": "302 302 302 302 302 302 302", "POST": "302 302 302 302 302 302 302"},
    "verifier-download": {"GET": "200 200 200 200 200 200 200"},
    "verify": {"GET": "200 200 200 200 200 200 200"},
    "workspace": {"GET": "302 200 403 403 403 403 200"},
}

# Django's admin checks staff status itself (is_staff); its index stands for the whole admin site
ADMIN_ROUTES = {"admin:index": {"GET": "302 302 302 302 302 302 200"}}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _methods(pattern: URLPattern) -> list[str]:
    view_class = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
    if view_class is None:
        return []
    return [m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)]


def all_routes() -> dict[str, tuple[str, URLPattern, list[str]]]:
    return {pattern.name: (route, pattern, _methods(pattern)) for route, pattern in _walk(get_resolver().url_patterns)}


def test_every_route_and_method_is_classified():
    unclassified, methods_missing = [], []
    for name, (route, _pattern, methods) in sorted(all_routes().items()):
        if name not in ROUTES:
            unclassified.append(f"  {name!r}: /{route}  methods={methods or ['(function view)']}")
            continue
        methods_missing += [f"  {name!r} {m}" for m in methods if m not in ROUTES[name] and m != "PUT"]
    stale = sorted(set(ROUTES) - set(all_routes()))
    assert not (unclassified or methods_missing or stale), (
        "Classify these routes in tests/audit/test_route_matrix.py ROUTES "
        f"(statuses in the order: {HEADER}):\n" + "\n".join(unclassified)
        + ("\nmethods without a row:\n" + "\n".join(methods_missing) if methods_missing else "")
        + ("\nrows for routes that no longer exist: " + ", ".join(stale) if stale else ""))


class _Rollback(Exception):
    pass


def _status(client, method: str, path: str) -> int:
    answer = None
    try:
        with transaction.atomic():
            answer = getattr(client, method.lower())(path)
            raise _Rollback
    except _Rollback:
        pass
    return answer.status_code


def _path(route: str, pattern: URLPattern, name: str, world: dict) -> str:
    from django.urls import reverse

    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        if key == "pk":
            kwargs[key] = world["ids"].get(name, 999999)
        else:
            kwargs[key] = world["values"][key]
    return reverse(name, kwargs=kwargs)


def _answers(client, world: dict, method: str, path: str) -> str:
    got = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(world["users"][role])
        got.append(str(_status(client, method, path)))
    return " ".join(got)


def test_every_route_answers_each_role_as_classified(client, world):
    """Also measures the routes nobody classified yet and prints their rows: check each against the roles table in core/roles.py before
    pasting it into ROUTES."""
    routes = all_routes()
    client.raise_request_exception = False  # a crashing view is a 500 in the table, not an aborted walk
    wrong, unclassified = [], []
    rows = {**ROUTES, **ADMIN_ROUTES}
    for name in sorted(set(routes) - set(rows)):
        rows[name] = {m: "" for m in [m for m in routes[name][2] if m != "PUT"] or ["GET", "POST"]}
    for name, methods in sorted(rows.items()):
        if name not in routes and name not in ADMIN_ROUTES:
            continue
        path = "/admin/" if name == "admin:index" else _path(*routes[name][:2], name, world)
        for method, expected in methods.items():
            got = _answers(client, world, method, path)
            if got != expected:
                row = f"  {name!r}: {{{method!r}: {got!r}}},  # {path}"
                (wrong if expected else unclassified).append(row + (f"  expected {expected}" if expected else ""))
    assert not (wrong or unclassified), (
        (f"statuses differ ({HEADER}):\n" + "\n".join(wrong) if wrong else "")
        + (f"\nunclassified routes answer ({HEADER}); check, then add to ROUTES:\n" + "\n".join(unclassified)
           if unclassified else ""))
