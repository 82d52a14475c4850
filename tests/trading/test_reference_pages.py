"""The centre's administrator enters reference data through pages (中心管理); certificates that lapse before an
open project's deadline are flagged on the organisation's page and on the enterprise's own page."""

import datetime as dt

import pytest
from django.utils import timezone

from core import clock
from core.roles import Role
from tests import factories
from trading.models import Certificate, Organisation, RoleGrant, Room, Suspension, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.user(Role.ADMIN, username="centre-admin"))
    return client


def _today() -> dt.date:
    return timezone.localdate(clock.now())


def test_the_admins_navigation_links_the_centre_area(admin_client):
    page = admin_client.get("/").content.decode()
    assert "/centre/" in page and "中心管理" in page


@pytest.mark.parametrize("path", ["/centre/", "/centre/rooms/", "/centre/users/"])
def test_the_centre_pages_render_for_the_admin_and_are_refused_to_others(client, path):
    client.force_login(factories.user(Role.ADMIN))
    assert client.get(path).status_code == 200
    for role in (Role.AGENCY, Role.INSPECTOR, Role.ENTERPRISE, Role.SUPERVISOR, Role.EXPERT):
        client.force_login(factories.user(role))
        assert client.get(path).status_code == 403


def test_an_organisation_is_registered_through_the_page_and_a_bad_code_is_shown_on_its_field(admin_client):
    code = factories.uscc()
    bad = admin_client.post("/centre/", {"action": "organisation", "kind": "enterprise", "name": "某公司",
                                         "uscc": code[:-1] + ("0" if code[-1] != "0" else "1")})
    assert bad.status_code == 400 and "校验位不正确" in bad.content.decode()
    assert not Organisation.objects.filter(name="某公司").exists()
    admin_client.post("/centre/", {"action": "organisation", "kind": "enterprise", "name": "某公司", "uscc": code})
    assert Organisation.objects.get(name="某公司").uscc == code


def test_certificates_managers_and_a_suspension_are_entered_on_the_organisation_page(admin_client):
    enterprise = factories.organisation(name="蜀南建工")
    path = f"/centre/organisations/{enterprise.pk}/"
    until = (_today() + dt.timedelta(days=400)).isoformat()
    admin_client.post(path, {"action": "certificate", "kind": "qualification", "category": "construction",
                             "grade": "2", "number": "D1", "valid_until": until})
    admin_client.post(path, {"action": "manager", "name": "王建国", "certificate": "川1", "grade": "1"})
    admin_client.post(path, {"action": "bad_behaviour", "reason": "转包", "days": "30"})
    page = admin_client.get(path).content.decode()
    assert Certificate.objects.get(organisation=enterprise).grade == Certificate.Grade.GRADE_2
    assert "王建国" in page and "转包" in page and "暂停至" in page
    assert Suspension.objects.get(enterprise=enterprise).ends_at > clock.now()


def test_a_refused_certificate_shows_the_field_and_writes_nothing(admin_client):
    enterprise = factories.organisation()
    page = admin_client.post(f"/centre/organisations/{enterprise.pk}/", {
        "action": "certificate", "kind": "qualification", "grade": "", "number": "Q9", "valid_until": "2099-01-01"})
    assert page.status_code == 400 and "资质等级" in page.content.decode()
    assert not Certificate.objects.exists()


def test_a_room_added_on_the_page_appears_in_the_calendar_with_its_bookings(admin_client):
    admin_client.post("/centre/rooms/", {"action": "room", "name": "第二开标室", "kind": "opening"})
    room = Room.objects.get(name="第二开标室")
    project = factories.fixed_price_project()
    from trading.services.sessions import session_book

    starts = clock.now() + dt.timedelta(days=4)
    session_book(actor=project.created_by, project=project, room=room, kind="opening", starts_at=starts,
                 ends_at=starts + dt.timedelta(hours=1))
    page = admin_client.get("/centre/rooms/").content.decode()
    assert "第二开标室" in page and project.code in page


def test_a_supervisor_account_from_the_page_waits_for_approval(admin_client):
    page = admin_client.post("/centre/users/", {"action": "user", "username": "sup-new", "role": "supervisor",
                                                "reason": "新任现场监督"}, follow=True)
    assert "待纪检监察人员审批" in page.content.decode()
    user = User.objects.get(username="sup-new")
    assert user.role == Role.NONE and RoleGrant.objects.get(user=user).state == RoleGrant.State.PENDING


def test_a_licence_lapsing_before_an_open_deadline_is_flagged_for_the_admin_and_the_enterprise(client):
    project = factories.fixed_price_project(deadline=clock.now() + dt.timedelta(days=60))
    enterprise, user = factories.enterprise_with_licences("短证企业")
    licence = Certificate.objects.get(organisation=enterprise, kind="safety")
    licence.valid_until = _today() + dt.timedelta(days=45)  # beyond 30 days, before the deadline
    licence.save()
    client.force_login(factories.user(Role.ADMIN))
    page = client.get(f"/centre/organisations/{enterprise.pk}/").content.decode()
    assert "证书即将到期" in page and project.code in page
    client.force_login(user)
    own = client.get("/my/organisation/").content.decode()
    assert "证书即将到期" in own and project.code in own


def test_a_certificate_expiring_within_30_days_is_flagged_and_a_long_one_is_not(client):
    enterprise, user = factories.enterprise_with_licences()
    licence = Certificate.objects.get(organisation=enterprise, kind="safety")
    client.force_login(user)
    assert "证书即将到期" not in client.get("/my/organisation/").content.decode()
    licence.valid_until = _today() + dt.timedelta(days=20)
    licence.save()
    assert "证书即将到期" in client.get("/my/organisation/").content.decode()


def test_the_enterprise_enters_its_own_manager_on_its_page(client):
    enterprise, user = factories.enterprise_with_licences()
    client.force_login(user)
    client.post("/my/organisation/", {"action": "manager", "name": "李四", "certificate": "川88", "grade": "2"})
    assert enterprise.managers.get().name == "李四"
    client.force_login(factories.agency_user())
    assert client.get("/my/organisation/").status_code == 403
