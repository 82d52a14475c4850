"""An enterprise appeals (申诉) a bad-behaviour record of its own on its page; the centre's administrator decides
with a written reason on the organisation's page. Upheld: the record is annulled and its suspension lifted from the
decision on, so eligibility at a later deadline no longer excludes; rejected: both stand."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import LedgerEntry
from core import clock
from core.errors import Conflict
from core.roles import Role
from tests import factories
from trading import reference_selectors
from trading.eligibility import exclusion_reasons
from trading.models import Appeal, Suspension
from trading.services import notices, reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return factories.user(Role.ADMIN, username="centre-admin")


@pytest.fixture
def recorded(admin):
    """An enterprise with a bad-behaviour record and its running suspension, and one of its staff."""
    org, staff = factories.enterprise_with_licences("被记录公司")
    record, suspension = reference.bad_behaviour_record(actor=admin, enterprise=org, reason="逾期未签订合同",
                                                        days=180)
    return org, staff, record, suspension


def test_the_enterprise_appeals_and_an_upheld_appeal_annuls_the_record_and_lifts_the_suspension(admin, recorded):
    org, staff, record, suspension = recorded
    appeal = notices.appeal_file(actor=staff, record=record, reason="合同已按时签订，有回执为证")
    with clock.travel(dt.timedelta(days=3)):
        decided = notices.appeal_decide(actor=admin, appeal=appeal, outcome="upheld", reason="回执属实")
        decided_at = clock.now()

    record.refresh_from_db()
    suspension.refresh_from_db()
    assert decided.state == Appeal.State.UPHELD and decided.decided_by == admin
    assert decided.decision_reason == "回执属实"
    assert record.annulled_at is not None and suspension.lifted_at == record.annulled_at
    assert suspension.lifted_at <= decided_at and suspension.ends_at > decided_at  # the original end is kept
    entries = LedgerEntry.objects.filter(object_type="trading.Appeal").order_by("seq")
    assert [e.actor for e in entries] == [staff.username, admin.username]
    assert LedgerEntry.objects.filter(object_type="trading.Suspension", actor=admin.username).count() == 2


def test_a_rejected_appeal_leaves_the_record_and_the_suspension(admin, recorded):
    _org, staff, record, suspension = recorded
    appeal = notices.appeal_file(actor=staff, record=record, reason="理由")
    notices.appeal_decide(actor=admin, appeal=appeal, outcome="rejected", reason="证据不足")

    record.refresh_from_db()
    suspension.refresh_from_db()
    assert record.annulled_at is None and suspension.lifted_at is None
    assert Appeal.objects.get().state == Appeal.State.REJECTED


def test_eligibility_after_an_upheld_appeal_no_longer_sees_the_suspension(admin, recorded, moved_clock):
    org, staff, record, _suspension = recorded
    project = factories.fixed_price_project()
    registration = factories.register(project, staff)
    at = project.registration_deadline
    assert exclusion_reasons(registration, at=at) == ["企业处于固定价比选暂停期"]

    appeal = notices.appeal_file(actor=staff, record=record, reason="理由")
    notices.appeal_decide(actor=admin, appeal=appeal, outcome="upheld", reason="成立")

    assert exclusion_reasons(registration, at=at) == []


def test_a_suspension_lifted_after_a_deadline_still_counted_at_that_deadline(admin, recorded):
    _org, staff, record, _suspension = recorded
    project = factories.fixed_price_project(deadline=clock.now() + dt.timedelta(days=7))
    registration = factories.register(project, staff)
    appeal = notices.appeal_file(actor=staff, record=record, reason="理由")
    with clock.travel(dt.timedelta(days=10)):
        notices.appeal_decide(actor=admin, appeal=appeal, outcome="upheld", reason="成立")

    assert exclusion_reasons(registration, at=project.registration_deadline) == ["企业处于固定价比选暂停期"]


def test_one_appeal_open_at_a_time_and_a_rejected_one_may_be_followed_by_another(admin, recorded):
    _org, staff, record, _suspension = recorded
    appeal = notices.appeal_file(actor=staff, record=record, reason="第一次")
    with pytest.raises(Conflict, match="已有待处理的申诉"):
        notices.appeal_file(actor=staff, record=record, reason="第二次")
    notices.appeal_decide(actor=admin, appeal=appeal, outcome="rejected", reason="证据不足")

    again = notices.appeal_file(actor=staff, record=record, reason="补充证据")
    assert again.state == Appeal.State.OPEN and Appeal.objects.count() == 2


def test_nobody_but_the_enterprise_concerned_appeals(admin, recorded):
    _org, _staff, record, _suspension = recorded
    other = factories.enterprise_with_licences("别家公司")[1]
    for actor in (other, admin, factories.agency_user(), factories.user(Role.INSPECTOR)):
        with pytest.raises(PermissionDenied):
            notices.appeal_file(actor=actor, record=record, reason="代为申诉")
    assert not Appeal.objects.exists()


def test_an_appeal_without_a_reason_is_refused_on_its_field(recorded):
    _org, staff, record, _suspension = recorded
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        notices.appeal_file(actor=staff, record=record, reason="  ")
    assert refused.value.message_dict["reason"] == ["申诉理由：必填。"]
    assert LedgerEntry.objects.count() == before


@pytest.mark.parametrize(("outcome", "reason", "field", "message"), [
    ("upheld", "", "reason", "处理理由：必填。"),
    ("maybe", "理由", "outcome", "处理结果"),
])
def test_a_decision_without_a_reason_or_a_valid_outcome_is_refused(admin, recorded, outcome, reason, field, message):
    _org, staff, record, _suspension = recorded
    appeal = notices.appeal_file(actor=staff, record=record, reason="理由")
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        notices.appeal_decide(actor=admin, appeal=appeal, outcome=outcome, reason=reason)
    assert message in refused.value.message_dict[field][0]
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.OPEN and LedgerEntry.objects.count() == before


def test_a_decided_appeal_is_not_decided_again_and_only_the_administrator_decides(admin, recorded):
    _org, staff, record, _suspension = recorded
    appeal = notices.appeal_file(actor=staff, record=record, reason="理由")
    for actor in (staff, factories.user(Role.INSPECTOR), factories.agency_user()):
        with pytest.raises(PermissionDenied):
            notices.appeal_decide(actor=actor, appeal=appeal, outcome="upheld", reason="成立")
    notices.appeal_decide(actor=admin, appeal=appeal, outcome="rejected", reason="驳回")
    with pytest.raises(Conflict, match="已处理"):
        notices.appeal_decide(actor=admin, appeal=appeal, outcome="upheld", reason="改判")


def test_an_annulled_record_is_not_appealed_again(admin, recorded):
    _org, staff, record, _suspension = recorded
    appeal = notices.appeal_file(actor=staff, record=record, reason="理由")
    notices.appeal_decide(actor=admin, appeal=appeal, outcome="upheld", reason="成立")
    with pytest.raises(Conflict, match="已撤销"):
        notices.appeal_file(actor=staff, record=record, reason="再来")


def test_the_appeal_flow_through_the_pages(client, admin, recorded):
    org, staff, record, suspension = recorded
    client.force_login(staff)
    refused = client.post("/my/organisation/", {"action": "appeal", "record": record.pk, "reason": ""})
    assert refused.status_code == 400 and "申诉理由：必填。" in refused.content.decode()
    assert client.post("/my/organisation/", {"action": "appeal", "record": record.pk,
                                             "reason": "已按时签约"}).status_code == 302
    page = client.get("/my/organisation/").content.decode()
    assert "已按时签约" in page and "待处理" in page and 'id="appeal"' not in page  # nothing left to appeal

    client.force_login(admin)
    path = f"/centre/organisations/{org.pk}/"
    appeal = Appeal.objects.get()
    refused = client.post(path, {"action": "appeal_decision", "appeal": appeal.pk, "outcome": "upheld",
                                 "reason": ""})
    assert refused.status_code == 400 and "处理理由：必填。" in refused.content.decode()
    assert client.post(path, {"action": "appeal_decision", "appeal": appeal.pk, "outcome": "upheld",
                              "reason": "回执属实"}).status_code == 302
    page = client.get(path).content.decode()
    assert "申诉成立" in page and "回执属实" in page and "解除" in page
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None


def test_another_enterprise_cannot_appeal_a_record_through_its_page(client, recorded):
    _org, _staff, record, _suspension = recorded
    client.force_login(factories.enterprise_with_licences("别家公司")[1])
    page = client.post("/my/organisation/", {"action": "appeal", "record": record.pk, "reason": "代为申诉"})
    assert page.status_code == 400 and not Appeal.objects.exists()


def test_the_active_suspension_shown_ends_with_an_upheld_appeal(client, admin, recorded):
    _org, staff, record, _suspension = recorded
    client.force_login(staff)
    assert "暂停" in client.get("/my/organisation/").content.decode()
    appeal = notices.appeal_file(actor=staff, record=record, reason="理由")
    notices.appeal_decide(actor=admin, appeal=appeal, outcome="upheld", reason="成立")
    assert reference_selectors.active_suspension(record.enterprise) is None
    assert Suspension.objects.get().lifted_at is not None


# --- the same through the API --------------------------------------------------------------------------------------

def test_an_appeal_is_filed_and_decided_through_the_api(api, admin, recorded):
    org, staff, record, suspension = recorded
    api.force_authenticate(user=factories.enterprise_with_licences("别家公司")[1])
    assert api.post(f"/api/bad-behaviour/{record.pk}/appeals", {"reason": "冒名申诉"}, format="json").status_code == 403
    assert api.get(f"/api/bad-behaviour/{record.pk}/appeals").status_code == 403

    api.force_authenticate(user=staff)
    empty = api.post(f"/api/bad-behaviour/{record.pk}/appeals", {"reason": " "}, format="json")
    filed = api.post(f"/api/bad-behaviour/{record.pk}/appeals", {"reason": "合同已按时签订"}, format="json")
    again = api.post(f"/api/bad-behaviour/{record.pk}/appeals", {"reason": "再次申诉"}, format="json")
    assert empty.status_code == 400 and "reason" in empty.json()["errors"]
    assert filed.status_code == 201 and filed.json()["state"] == "open"
    assert again.status_code == 409
    assert api.get(f"/api/bad-behaviour/{record.pk}/appeals").json()["count"] == 1

    path = f"/api/appeals/{filed.json()['id']}/decide"
    assert api.post(path, {"outcome": "upheld", "reason": "自行决定"}, format="json").status_code == 403
    api.force_authenticate(user=admin)
    bad = api.post(path, {"outcome": "maybe", "reason": "回执属实"}, format="json")
    assert bad.status_code == 400 and "outcome" in bad.json()["errors"]
    decided = api.post(path, {"outcome": "upheld", "reason": "回执属实"}, format="json")
    assert decided.status_code == 200 and decided.json()["state"] == "upheld"
    assert api.post(path, {"outcome": "rejected", "reason": "改判"}, format="json").status_code == 409
    record.refresh_from_db()
    assert record.annulled_at is not None
    assert Appeal.objects.count() == 1
    assert LedgerEntry.objects.filter(object_type="trading.Appeal", actor=admin.username).exists()
