"""Eligibility at the close of a fixed-price registration (DESIGN §3): each exclusion reason, read back by the
agency after the close as a client sees it (`eligible`, `exclusion_reasons`), and the positive case. The
qualification review is not tested here: its only path today runs after the close, which another change is
making impossible (DESIGN §3: review happens before the close freezes the list)."""

import datetime as dt

import pytest

from core import clock, context
from tests import factories
from trading.eligibility import exclusion_reasons, ongoing_fixed_price_count
from trading.lifecycle import project_transition
from trading.models import Certificate, Contract, Registration, Suspension
from trading.models.projects import Status
from trading.services.projects import project_close

pytestmark = pytest.mark.django_db


def close_and_read(api, project, moved_clock) -> dict[str, dict]:
    """Past the deadline, the agency closes; the list read back through the API, by enterprise name."""
    moved_clock.move_past(project.registration_deadline)
    project_close(actor=project.created_by, project=project)
    api.force_login(project.created_by)
    items = api.get(f"/api/projects/{project.code}/registrations").json()["items"]
    return {item["enterprise"]: item for item in items}


def awarded_to(enterprise, *, manager=None, contract_state=Contract.State.SIGNED):
    """A fixed-price project the enterprise won (awarded, its contract signed): an ongoing one."""
    won = factories.fixed_price_project(title="已中选的道路工程")
    with context.acting_as_system():
        system = context.current().actor
        for to in (Status.REGISTRATION_CLOSED, Status.QUALIFIED, Status.DRAWN, Status.PUBLICITY, Status.AWARDED):
            project_transition(won, to, actor=system, reason="测试布置")
        if manager is not None:
            Registration.objects.create(project=won, round=1, enterprise=enterprise, manager=manager, rank=1,
                                        registered_by=system, acknowledged_notice=True, eligible=True,
                                        deadline=clock.now() + dt.timedelta(days=1))
        Contract.objects.create(project=won, enterprise=enterprise, amount=won.fixed_price, offered_at=clock.now(),
                                sign_deadline=clock.now() + dt.timedelta(days=30), state=contract_state)
    won.refresh_from_db()
    return won


def test_an_enterprise_meeting_every_condition_is_eligible(api, moved_clock):
    project = factories.fixed_price_project()
    org, user = factories.enterprise_with_licences("合格建筑公司")
    factories.register(project, user)

    row = close_and_read(api, project, moved_clock)["合格建筑公司"]

    assert row["eligible"] is True and row["exclusion_reasons"] == []


def test_a_qualification_below_the_required_grade_excludes(api, moved_clock):
    project = factories.fixed_price_project(qualification_kind="construction",
                                            qualification_grade=Certificate.Grade.GRADE_1)
    _org, user = factories.enterprise_with_licences("二级资质公司")  # construction grade 2
    factories.register(project, user)

    row = close_and_read(api, project, moved_clock)["二级资质公司"]

    assert row["eligible"] is False
    assert row["exclusion_reasons"] == ["无有效的施工总承包一级及以上资质"]


def test_a_safety_licence_expired_at_the_deadline_excludes(api, moved_clock):
    project = factories.fixed_price_project()
    org, user = factories.enterprise_with_licences("许可证过期公司")
    licence = Certificate.objects.get(organisation=org, kind="safety")
    licence.valid_until = (project.registration_deadline - dt.timedelta(days=1)).date()
    with context.acting_as_system():
        licence.save()
    factories.register(project, user)

    row = close_and_read(api, project, moved_clock)["许可证过期公司"]

    assert row["eligible"] is False and row["exclusion_reasons"] == ["无有效的安全生产许可证"]


@pytest.mark.parametrize(("utc_hour", "valid"), [(15, True), (17, False)])
def test_a_licence_is_valid_through_its_last_day_in_the_centres_zone(utc_hour, valid):
    """A licence valid until 2 December: a deadline at 23:00 in Beijing (15:00 UTC) is within it, one at 01:00 on
    3 December in Beijing (17:00 UTC on the 2nd) is not, whatever zone the deadline is read in."""
    project = factories.fixed_price_project()
    org, user = factories.enterprise_with_licences("跨日许可证公司")
    licence = Certificate.objects.get(organisation=org, kind="safety")
    licence.valid_until = dt.date(2026, 12, 2)
    with context.acting_as_system():
        licence.save()
    registration = factories.register(project, user)
    deadline = dt.datetime(2026, 12, 2, utc_hour, tzinfo=dt.UTC)

    reasons = exclusion_reasons(registration, at=deadline)

    assert ("无有效的安全生产许可证" not in reasons) is valid


def test_a_manager_on_another_ongoing_project_excludes(api, moved_clock):
    project = factories.fixed_price_project()
    org, user = factories.enterprise_with_licences("经理在建公司")
    registration = factories.register(project, user)
    won = awarded_to(org, manager=registration.manager)  # won after registering here

    row = close_and_read(api, project, moved_clock)["经理在建公司"]

    assert row["eligible"] is False
    assert row["exclusion_reasons"] == [f"项目经理{registration.manager.name}正在承担在建项目 {won.code}"]


def test_a_suspension_running_at_the_deadline_excludes(api, moved_clock):
    project = factories.fixed_price_project()
    org, user = factories.enterprise_with_licences("暂停期公司")
    factories.register(project, user)
    with context.acting_as_system():
        Suspension.objects.create(enterprise=org, starts_at=clock.now(), reason="逾期未签订合同",
                                  ends_at=project.registration_deadline + dt.timedelta(days=180))

    row = close_and_read(api, project, moved_clock)["暂停期公司"]

    assert row["eligible"] is False and row["exclusion_reasons"] == ["企业处于固定价比选暂停期"]


def test_a_suspension_ended_before_the_deadline_does_not_exclude(api, moved_clock):
    project = factories.fixed_price_project()
    org, user = factories.enterprise_with_licences("暂停已满公司")
    factories.register(project, user)
    with context.acting_as_system():
        Suspension.objects.create(enterprise=org, starts_at=clock.now() - dt.timedelta(days=200), reason="旧记录",
                                  ends_at=project.registration_deadline - dt.timedelta(days=1))

    assert close_and_read(api, project, moved_clock)["暂停已满公司"]["eligible"] is True


def test_holding_the_maximum_of_ongoing_fixed_price_projects_excludes(api, moved_clock, settings):
    settings.FPS_MAX_ONGOING = 2
    project = factories.fixed_price_project()
    org, user = factories.enterprise_with_licences("满负荷公司")
    factories.register(project, user)
    awarded_to(org)
    awarded_to(org)

    row = close_and_read(api, project, moved_clock)["满负荷公司"]

    assert row["eligible"] is False
    assert row["exclusion_reasons"] == ["企业已有2个中选未完工的固定价项目，须少于2个"]


def test_a_completed_project_frees_its_winner_for_the_cap(api, moved_clock, settings):
    settings.FPS_MAX_ONGOING = 1
    project = factories.fixed_price_project()
    org, user = factories.enterprise_with_licences("已完工公司")
    factories.register(project, user)
    won = awarded_to(org)
    with context.acting_as_system():
        system = context.current().actor
        for to in (Status.CONTRACTED, Status.IN_PROGRESS, Status.COMPLETED):
            project_transition(won, to, actor=system, reason="测试布置")

    assert close_and_read(api, project, moved_clock)["已完工公司"]["eligible"] is True


def test_the_alternate_offered_the_contract_after_a_lapse_counts_towards_the_cap():
    first, _ = factories.enterprise_with_licences("逾期企业")
    alternate, _ = factories.enterprise_with_licences("候补企业")
    won = awarded_to(first, contract_state=Contract.State.LAPSED)
    with context.acting_as_system():
        Contract.objects.create(project=won, enterprise=alternate, amount=won.fixed_price, offered_at=clock.now(),
                                sign_deadline=clock.now() + dt.timedelta(days=30))

    assert ongoing_fixed_price_count(first.pk) == 0
    assert ongoing_fixed_price_count(alternate.pk) == 1


def test_every_failed_condition_is_listed(api, moved_clock, settings):
    settings.FPS_MAX_ONGOING = 1
    project = factories.fixed_price_project(qualification_kind="municipal",
                                            qualification_grade=Certificate.Grade.GRADE_3)
    org, user = factories.enterprise_with_licences("多项不符公司")
    with context.acting_as_system():
        Certificate.objects.filter(organisation=org, kind="safety").get().delete()
        Suspension.objects.create(enterprise=org, starts_at=clock.now(), reason="不良行为",
                                  ends_at=project.registration_deadline + dt.timedelta(days=1))
    factories.register(project, user)
    awarded_to(org)

    row = close_and_read(api, project, moved_clock)["多项不符公司"]

    assert row["eligible"] is False
    assert row["exclusion_reasons"] == ["无有效的市政公用工程三级及以上资质", "无有效的安全生产许可证",
                                        "企业处于固定价比选暂停期", "企业已有1个中选未完工的固定价项目，须少于1个"]
