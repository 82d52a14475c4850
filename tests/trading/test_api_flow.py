"""Acceptance through the public API paths: publish → 5 registrations (a duplicate 409, one without
acknowledging the notice 400) → every staff role 403 on the list before the deadline → a late registration 409 →
close → the inspector reads the list of 5 (an audit event)."""

import datetime as dt

import pytest

from audit.models import LedgerEntry
from core import clock
from core.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _as(api, user):
    api.force_login(user)
    return api


def test_fixed_price_registration_flow_through_the_api(api, moved_clock):
    agency = factories.agency_user()
    deadline = clock.now() + dt.timedelta(days=7)
    created = _as(api, agency).post("/api/projects", {
        "type": "fixed_price", "title": "城东小学运动场改造工程", "budget": "1850000.00", "fixed_price": "1780000.00",
        "registration_deadline": deadline.isoformat()}, format="json")
    assert created.status_code == 201, created.json()
    code = created.json()["code"]
    published = api.post(f"/api/projects/{code}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"

    enterprises = [factories.enterprise_with_licences(f"企业{n}")[1] for n in range(6)]
    for n, user in enumerate(enterprises[:5]):
        answer = _as(api, user).post(f"/api/projects/{code}/registrations", {
            "manager_name": f"经理{n}", "manager_certificate": f"CERT-{n}", "acknowledge_notice": True}, format="json")
        assert answer.status_code == 201, answer.json()
    duplicate = api.post(f"/api/projects/{code}/registrations", {
        "manager_name": "经理4", "manager_certificate": "CERT-4", "acknowledge_notice": True}, format="json")
    assert duplicate.status_code == 409
    unacknowledged = _as(api, enterprises[5]).post(f"/api/projects/{code}/registrations", {
        "manager_name": "经理5", "manager_certificate": "CERT-5", "acknowledge_notice": False}, format="json")
    assert unacknowledged.status_code == 400
    assert "acknowledge_notice" in unacknowledged.json()["errors"]

    staff = [agency, factories.user(Role.SUPERVISOR), factories.user(Role.INSPECTOR), factories.user(Role.ADMIN)]
    for user in staff:
        assert _as(api, user).get(f"/api/projects/{code}/registrations").status_code == 403

    moved_clock.move_past(deadline)
    late = _as(api, enterprises[5]).post(f"/api/projects/{code}/registrations", {
        "manager_name": "经理5", "manager_certificate": "CERT-5", "acknowledge_notice": True}, format="json")
    assert late.status_code == 409

    closed = _as(api, agency).post(f"/api/projects/{code}/close")
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "qualified"
    inspector = staff[2]
    listing = _as(api, inspector).get(f"/api/projects/{code}/registrations")
    assert listing.status_code == 200
    assert listing.json()["count"] == 5
    viewed = LedgerEntry.objects.filter(action="registration_list_viewed", project=code).order_by("-seq").first()
    assert viewed.actor == inspector.username and viewed.data["count"] == 5


def test_the_public_project_list_hides_drafts_and_filters_by_status(api):
    agency = factories.agency_user()
    published = factories.fixed_price_project(agency=agency, title="公开项目")
    factories.fixed_price_project(agency=agency, title="草稿项目", publish=False)
    answer = api.get("/api/projects?status=published").json()
    assert [p["code"] for p in answer["items"]] == [published.code]
    assert answer["items"][0]["commitment"] == published.commitment
    assert api.get("/api/projects?status=draft").json()["count"] == 0


def test_a_draft_is_not_found_for_anyone_but_its_agency(api):
    agency = factories.agency_user()
    draft = factories.fixed_price_project(agency=agency, publish=False)
    assert api.get(f"/api/projects/{draft.code}").status_code == 404
    assert _as(api, factories.agency_user()).get(f"/api/projects/{draft.code}").status_code == 404
    assert _as(api, agency).get(f"/api/projects/{draft.code}").status_code == 200
    assert LedgerEntry.objects.filter(action="access_denied").count() == 2


def test_the_openapi_schema_names_the_contract_paths(api):
    schema = api.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in ["/api/projects", "/api/projects/{code}", "/api/projects/{code}/publish",
                 "/api/projects/{code}/registrations", "/api/projects/{code}/close", "/api/rooms",
                 "/api/projects/{code}/sessions", "/api/sessions/{id}/attendance", "/api/audit", "/api/audit/verify"]:
        assert path in schema["paths"], path
