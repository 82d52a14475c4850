"""A centre enters its own reference data through the API: organisations, accounts with their role, rooms and their
calendar, certificates, project managers, bad-behaviour records with their suspension. Refusals write nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import LedgerEntry
from core import clock
from core.roles import Role
from tests import factories
from trading.eligibility import exclusion_reasons
from trading.models import (
    BadBehaviourRecord,
    Certificate,
    Organisation,
    ProjectManager,
    RoleGrant,
    Room,
    Suspension,
    User,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(api):
    api.force_authenticate(factories.user(Role.ADMIN, username="centre-admin"))
    return api


def _entries() -> int:
    return LedgerEntry.objects.count()


def _today() -> dt.date:
    return timezone.localdate(clock.now())


# --- organisations ---------------------------------------------------------------------------------------------

def test_the_admin_registers_an_enterprise_with_its_code_in_upper_case(admin_api):
    code = factories.uscc()
    answer = admin_api.post("/api/organisations", {"kind": "enterprise", "name": "蜀南建工", "uscc": code.lower()},
                            format="json")
    assert answer.status_code == 201, answer.json()
    organisation = Organisation.objects.get(pk=answer.json()["id"])
    assert organisation.uscc == code and organisation.kind == "enterprise"
    assert organisation.history.get().history_user.username == "centre-admin"


def test_an_organisation_with_a_wrong_check_digit_is_refused_naming_the_code_and_nothing_is_written(admin_api):
    code = factories.uscc()
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    before = _entries()
    answer = admin_api.post("/api/organisations", {"kind": "enterprise", "name": "某公司", "uscc": wrong},
                            format="json")
    assert answer.status_code == 400
    assert "统一社会信用代码" in answer.json()["errors"]["uscc"][0]
    assert not Organisation.objects.filter(name="某公司").exists() and _entries() == before


def test_an_organisation_of_an_unknown_kind_or_without_a_name_is_refused(admin_api):
    answer = admin_api.post("/api/organisations", {"kind": "centre", "name": "", "uscc": factories.uscc()},
                            format="json")
    assert answer.status_code == 400
    assert "类型" in answer.json()["errors"]["kind"][0] and "名称" in answer.json()["errors"]["name"][0]


def test_a_second_organisation_with_the_same_code_is_a_conflict(admin_api):
    existing = factories.organisation()
    answer = admin_api.post("/api/organisations", {"kind": "agency", "name": "另一家", "uscc": existing.uscc},
                            format="json")
    assert answer.status_code == 409 and not Organisation.objects.filter(name="另一家").exists()


@pytest.mark.parametrize("path", ["/api/organisations", "/api/users", "/api/rooms"])
@pytest.mark.parametrize("role", [Role.AGENCY, Role.INSPECTOR, Role.ENTERPRISE, Role.SUPERVISOR])
def test_other_roles_cannot_enter_reference_data(api, role, path):
    api.force_authenticate(factories.user(role))
    counts = [m.objects.count() for m in (Organisation, User, Room)]
    answer = api.post(path, {"kind": "agency", "name": "x", "uscc": factories.uscc(), "username": "x",
                             "password": "Strong-pass-2026!", "role": "expert"}, format="json")
    assert answer.status_code == 403  # the denial itself is a ledger event; nothing else is written
    assert [m.objects.count() for m in (Organisation, User, Room)] == counts


# --- users -----------------------------------------------------------------------------------------------------

def test_an_agency_account_is_created_with_its_role_and_organisation(admin_api):
    agency = factories.organisation(kind="agency")
    answer = admin_api.post("/api/users", {"username": "clerk", "password": "Strong-pass-2026!", "role": "agency",
                                           "organisation": agency.pk}, format="json")
    assert answer.status_code == 201, answer.json()
    user = User.objects.get(pk=answer.json()["id"])
    assert user.role == Role.AGENCY and user.organisation == agency and user.check_password("Strong-pass-2026!")
    assert answer.json()["role_grant"]["state"] == RoleGrant.State.APPLIED


def test_an_inspector_account_waits_for_an_inspectors_approval_and_gets_no_password_from_the_admin(admin_api):
    answer = admin_api.post("/api/users", {"username": "watcher", "password": "Strong-pass-2026!",
                                           "role": "inspector", "reason": "纪委派驻"}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["role"] == Role.NONE and body["role_grant"]["state"] == RoleGrant.State.PENDING
    user = User.objects.get(pk=body["id"])
    assert user.role == Role.NONE and not user.has_usable_password()


def test_a_supervisor_without_a_reason_is_refused_and_no_account_is_created(admin_api):
    before = _entries()
    answer = admin_api.post("/api/users", {"username": "sup", "password": "x", "role": "supervisor"},
                            format="json")
    assert answer.status_code == 400 and "理由" in answer.json()["errors"]["reason"][0]
    assert not User.objects.filter(username="sup").exists() and _entries() == before


def test_an_enterprise_account_needs_an_enterprise_and_a_good_password(admin_api):
    agency = factories.organisation(kind="agency")
    answer = admin_api.post("/api/users", {"username": "e1", "password": "123", "role": "enterprise",
                                           "organisation": agency.pk}, format="json")
    errors = answer.json()["errors"]
    assert answer.status_code == 400 and "所属机构" in errors["organisation"][0] and "密码" in errors["password"][0]
    assert not User.objects.filter(username="e1").exists()


def test_an_unknown_role_is_refused(admin_api):
    answer = admin_api.post("/api/users", {"username": "x1", "password": "Strong-pass-2026!", "role": "system"},
                            format="json")
    assert answer.status_code == 400 and "角色" in answer.json()["errors"]["role"][0]


def test_a_taken_username_is_a_conflict(admin_api):
    factories.user(Role.EXPERT, username="taken")
    answer = admin_api.post("/api/users", {"username": "taken", "password": "Strong-pass-2026!", "role": "expert"},
                            format="json")
    assert answer.status_code == 409


# --- rooms -----------------------------------------------------------------------------------------------------

def test_the_admin_adds_a_room_and_a_second_of_the_same_name_is_a_conflict(admin_api):
    answer = admin_api.post("/api/rooms", {"name": "第一抽取室", "kind": "draw"}, format="json")
    assert answer.status_code == 201 and Room.objects.get(pk=answer.json()["id"]).kind == "draw"
    assert admin_api.post("/api/rooms", {"name": "第一抽取室", "kind": "draw"}, format="json").status_code == 409
    bad = admin_api.post("/api/rooms", {"name": "会议室", "kind": "meeting"}, format="json")
    assert bad.status_code == 400 and "场地类型" in bad.json()["errors"]["kind"][0]


def test_a_rooms_calendar_lists_its_sessions_in_the_period(admin_api):
    project = factories.fixed_price_project()
    room = factories.room("draw")
    from trading.services.sessions import session_book

    starts = clock.now() + dt.timedelta(days=3)
    session = session_book(actor=project.created_by, project=project, room=room, kind="draw", starts_at=starts,
                           ends_at=starts + dt.timedelta(hours=2))
    answer = admin_api.get(f"/api/rooms/{room.pk}/sessions", {"since": _today().isoformat(),
                                                             "until": (_today() + dt.timedelta(days=7)).isoformat()})
    assert answer.status_code == 200 and [s["id"] for s in answer.json()["items"]] == [session.pk]
    later = admin_api.get(f"/api/rooms/{room.pk}/sessions", {"since": (_today() + dt.timedelta(days=10)).isoformat()})
    assert later.json()["count"] == 0
    assert admin_api.get(f"/api/rooms/{room.pk}/sessions", {"since": "tomorrow"}).status_code == 400


# --- certificates and managers ---------------------------------------------------------------------------------

def test_certificates_entered_by_the_admin_make_an_enterprise_eligible(admin_api, moved_clock):
    project = factories.fixed_price_project(qualification_kind="construction", qualification_grade=4)
    enterprise = factories.organisation()
    until = (_today() + dt.timedelta(days=365)).isoformat()
    qualification = admin_api.post(f"/api/organisations/{enterprise.pk}/certificates", {
        "kind": "qualification", "category": "construction", "number": "d251000001", "grade": "二级",
        "valid_until": until}, format="json")
    licence = admin_api.post(f"/api/organisations/{enterprise.pk}/certificates", {
        "kind": "safety_licence", "number": "(川)JZ安许证字[2026]0001", "valid_until": until}, format="json")
    assert qualification.status_code == 201 and licence.status_code == 201, licence.json()
    assert qualification.json()["number"] == "D251000001"
    assert Certificate.objects.get(pk=licence.json()["id"]).kind == Certificate.Kind.SAFETY
    registration = factories.register(project, factories.user(Role.ENTERPRISE, organisation=enterprise))
    assert exclusion_reasons(registration, at=project.registration_deadline) == []


def test_a_certificate_with_a_bad_grade_or_date_is_refused_naming_the_fields(admin_api):
    enterprise = factories.organisation()
    before = _entries()
    answer = admin_api.post(f"/api/organisations/{enterprise.pk}/certificates", {
        "kind": "qualification", "number": "Q1", "grade": "五级", "valid_until": "2020-01-01"}, format="json")
    errors = answer.json()["errors"]
    assert answer.status_code == 400 and "资质等级" in errors["grade"][0] and "有效期至" in errors["valid_until"][0]
    assert not Certificate.objects.exists() and _entries() == before


def test_a_certificate_number_entered_twice_is_a_conflict(admin_api):
    enterprise = factories.organisation()
    data = {"kind": "safety_licence", "number": "S-1", "valid_until": (_today() + dt.timedelta(days=9)).isoformat()}
    assert admin_api.post(f"/api/organisations/{enterprise.pk}/certificates", data, format="json").status_code == 201
    assert admin_api.post(f"/api/organisations/{enterprise.pk}/certificates", data, format="json").status_code == 409


def test_an_agency_has_no_certificates(admin_api):
    agency = factories.organisation(kind="agency")
    answer = admin_api.post(f"/api/organisations/{agency.pk}/certificates", {
        "kind": "safety_licence", "number": "S-2", "valid_until": "2099-01-01"}, format="json")
    assert answer.status_code == 400 and "organisation" in answer.json()["errors"]


def test_the_enterprise_itself_enters_its_manager_but_not_another_enterprises(api):
    enterprise, user = factories.enterprise_with_licences()
    api.force_authenticate(user)
    answer = api.post(f"/api/organisations/{enterprise.pk}/managers",
                      {"name": "王建国", "certificate": "川1512006000001", "grade": "1"}, format="json")
    assert answer.status_code == 201
    assert ProjectManager.objects.get(pk=answer.json()["id"]).organisation == enterprise
    other = factories.organisation()
    assert api.post(f"/api/organisations/{other.pk}/managers",
                    {"name": "李", "certificate": "川2", "grade": "2"}, format="json").status_code == 403
    again = api.post(f"/api/organisations/{enterprise.pk}/managers",
                     {"name": "王建国", "certificate": "川1512006000001", "grade": "1"}, format="json")
    assert again.status_code == 409


def test_a_manager_without_a_name_or_with_an_unknown_grade_is_refused(admin_api):
    enterprise = factories.organisation()
    answer = admin_api.post(f"/api/organisations/{enterprise.pk}/managers",
                            {"name": "", "certificate": "X1", "grade": "3"}, format="json")
    errors = answer.json()["errors"]
    assert answer.status_code == 400 and "姓名" in errors["name"][0] and "建造师等级" in errors["grade"][0]
    assert not ProjectManager.objects.exists()


# --- bad behaviour ---------------------------------------------------------------------------------------------

def test_a_bad_behaviour_record_suspends_the_enterprise_from_the_next_draw(admin_api):
    project = factories.fixed_price_project()
    enterprise, user = factories.enterprise_with_licences()
    answer = admin_api.post(f"/api/organisations/{enterprise.pk}/bad-behaviour",
                            {"reason": "提供虚假业绩材料", "days": 90}, format="json")
    assert answer.status_code == 201, answer.json()
    suspension = Suspension.objects.get(record_id=answer.json()["id"])
    assert suspension.ends_at - suspension.starts_at == dt.timedelta(days=90)
    registration = factories.register(project, user)
    assert "企业处于固定价比选暂停期" in exclusion_reasons(registration, at=project.registration_deadline)


def test_a_suspension_until_a_date_lasts_to_the_end_of_that_day(admin_api):
    enterprise = factories.organisation()
    until = _today() + dt.timedelta(days=20)
    answer = admin_api.post(f"/api/organisations/{enterprise.pk}/bad-behaviour",
                            {"reason": "围标串标", "until": until.isoformat()}, format="json")
    assert answer.status_code == 201
    ends = timezone.localtime(Suspension.objects.get().ends_at)
    assert ends.date() == until + dt.timedelta(days=1) and ends.hour == 0


def test_a_bad_behaviour_record_without_a_reason_or_with_both_days_and_until_writes_nothing(admin_api):
    enterprise = factories.organisation()
    before = _entries()
    answer = admin_api.post(f"/api/organisations/{enterprise.pk}/bad-behaviour",
                            {"reason": " ", "days": 5, "until": "2099-01-01"}, format="json")
    errors = answer.json()["errors"]
    assert answer.status_code == 400 and "事由" in errors["reason"][0] and "暂停至" in errors["until"][0]
    assert not BadBehaviourRecord.objects.exists() and _entries() == before


def test_only_the_admin_records_bad_behaviour(api):
    enterprise = factories.organisation()
    api.force_authenticate(factories.agency_user())
    answer = api.post(f"/api/organisations/{enterprise.pk}/bad-behaviour", {"reason": "x"}, format="json")
    assert answer.status_code == 403 and not BadBehaviourRecord.objects.exists()
