"""Risk findings: each selector finds its pattern and names the ledger entries it rests on; the page links them."""

import datetime as dt

import pytest
from django.utils import timezone

from audit import ledger
from audit.models import LedgerEntry
from core import clock, context
from core.errors import Conflict
from core.roles import Role
from inspection import findings
from lottery import services as lottery_services
from tests import factories
from tests.lottery.test_draw_flow import closed_project  # noqa: F401 - the fixture
from trading.models import Attendance, Registration, Session

pytestmark = pytest.mark.django_db
SH = findings.SHANGHAI


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="10.9.9.9")


def test_repeated_failed_logins_are_found_at_the_threshold_and_not_below(client, settings):
    settings.AUDIT_FAILED_LOGIN_THRESHOLD = 3
    factories.user(Role.AGENCY, username="target")
    for _ in range(2):
        _login(client, "target", "wrong-password-1")
    assert findings.repeated_failed_logins() == []
    _login(client, "target", "wrong-password-2")
    [found] = findings.repeated_failed_logins()
    assert found.subject == "target" and "10.9.9.9" in found.detail
    assert sorted(LedgerEntry.objects.filter(action="login_failed").values_list("seq", flat=True)) == sorted(found.seqs)


@pytest.mark.parametrize(("local", "outside"), [
    ("2026-11-23 08:29", True), ("2026-11-23 08:30", False), ("2026-11-23 17:59", False),
    ("2026-11-23 18:00", True), ("2026-11-28 10:00", True),  # a Saturday
])
def test_office_hours_are_weekdays_0830_to_1800_shanghai(local, outside):
    moment = dt.datetime.fromisoformat(local).replace(tzinfo=SH)
    assert findings.outside_office_hours(moment.astimezone(dt.UTC)) is outside


def test_changes_outside_the_configured_office_hours_are_found_with_their_entries(settings):
    later = (timezone.now() + dt.timedelta(hours=3)).astimezone(SH)
    settings.AUDIT_OFFICE_HOURS = f"{later:%H:%M}-{later + dt.timedelta(minutes=1):%H:%M}"  # now is outside
    agency = factories.agency_user()
    project = factories.fixed_price_project(agency=agency, publish=False)
    found = {f.subject: f for f in findings.changes_outside_office_hours()}
    mine = LedgerEntry.objects.filter(actor=agency.username, action__in=findings.ROW_CHANGES)
    assert set(found[agency.username].seqs) == set(mine.values_list("seq", flat=True))
    assert found[agency.username].project in (project.code, "")


def test_a_person_signed_in_as_supervisor_on_their_own_agencys_project_is_found():
    agency = factories.agency_user()
    project = factories.fixed_price_project(agency=agency)
    colleague = factories.user(Role.SUPERVISOR, organisation=agency.organisation)
    outsider = factories.user(Role.SUPERVISOR)
    now = timezone.now()
    with context.acting(agency):
        session = Session.objects.create(project=project, room=factories.room("draw"), kind="draw", starts_at=now,
                                         ends_at=now + dt.timedelta(hours=1), booked_by=agency)
    for person in (colleague, outsider):
        with context.acting(person):
            Attendance.objects.create(session=session, user=person, badge="supervisor")
    [found] = findings.agency_and_supervisor()
    assert found.subject == colleague.username and found.project == project.code
    signed = LedgerEntry.objects.get(object_type="trading.Attendance", actor=colleague.username)
    assert signed.seq in found.seqs


def test_an_enterprise_winning_more_than_twice_its_chance_is_found():
    winner_org, winner = factories.enterprise_with_licences("常胜建筑")
    others = [factories.enterprise_with_licences(f"陪标{n}")[1] for n in range(4)]
    for n in range(2):
        project = factories.fixed_price_project()
        regs = [factories.register(project, user) for user in (winner, others[2 * n], others[2 * n + 1])]
        with context.acting(project.created_by):
            for rank, reg in enumerate(regs, start=1):
                reg.rank = rank
                reg.save()
    [found] = findings.frequent_winners()
    assert found.subject == "常胜建筑" and "中选 2 次" in found.detail
    wins = Registration.objects.filter(enterprise=winner_org, rank=1).values_list("pk", flat=True)
    assert set(found.seqs) == set(LedgerEntry.objects.filter(
        object_type="trading.Registration", object_id__in=[str(pk) for pk in wins], action="update")
        .values_list("seq", flat=True))


def test_a_frozen_pool_at_the_minimum_is_thin_and_a_large_one_is_not(settings):
    settings.FPS_MIN_CANDIDATES = 3
    thin = ledger.record_event("draw_candidates_frozen", project="GD-THIN", data={"count": 4})
    ledger.record_event("draw_candidates_frozen", project="GD-WIDE", data={"count": 9})
    assert [(f.project, f.seqs) for f in findings.thin_candidate_pools()] == [("GD-THIN", [thin.seq])]


def test_a_refused_draw_is_recorded_and_a_draw_tried_after_it_ran_is_found():
    project = factories.fixed_price_project()  # published, not qualified: the draw is refused
    supervisor = factories.user(Role.SUPERVISOR)
    with pytest.raises(Conflict):
        lottery_services.draw_run(actor=supervisor, project=project)
    refused = LedgerEntry.objects.get(action="draw_refused")
    assert refused.actor == supervisor.username and refused.data["already_drawn"] is False
    assert findings.repeated_draws() == []
    done = ledger.record_event("draw_completed", project="GD-TWICE", data={})
    again = ledger.record_event("draw_refused", project="GD-TWICE", data={"already_drawn": True})
    assert [(f.project, f.seqs) for f in findings.repeated_draws()] == [("GD-TWICE", [done.seq, again.seq])]


def test_the_findings_page_lists_every_kind_and_links_the_entries(client):
    ledger.record_event("registration_list_viewed", project="GD-READ", data={"count": 3})
    client.force_login(factories.user(Role.INSPECTOR))
    page = client.get("/inspect/findings/").content.decode()
    for kind in findings.KINDS:
        assert f'id="finding-{kind.key}"' in page
    seq = LedgerEntry.objects.get(action="registration_list_viewed").seq
    assert f'href="/inspect/entries/{seq}/"' in page


def test_a_bid_changed_within_the_hour_before_its_deadline_is_found_and_an_early_one_is_not(settings):
    from tests.evaluation import builders

    with clock.travel(-(builders.DAYS - dt.timedelta(minutes=30))):
        late = builders.procurement()  # its deadline is 30 minutes from now
    early = builders.procurement()  # six days from now
    builders.submit(late, builders.bidder("赶点企业"), "900000.00")
    builders.submit(early, builders.bidder("从容企业"), "900000.00")
    [found] = findings.changes_near_deadline()
    assert found.project == late.code and "分钟内" in found.detail
    bid_entry = LedgerEntry.objects.get(object_type="evaluation.Bid", action="create", project=late.code)
    assert found.seqs == [bid_entry.seq]


def test_a_second_draw_through_the_api_is_a_409_recorded_and_found(api, closed_project):  # noqa: F811
    import hashlib

    from tests.lottery.test_draw_flow import _book_draw_session, _supervisor_in

    code = closed_project.code
    session_id = _book_draw_session(api, closed_project)
    supervisors = [_supervisor_in(api, closed_project, session_id) for _ in range(2)]
    for supervisor, nonce in zip(supervisors, ("1111" * 8, "2222" * 8), strict=True):
        api.force_login(supervisor)
        api.post(f"/api/projects/{code}/draw/inputs", {"commitment": hashlib.sha256(f"{nonce}7".encode()).hexdigest()},
                 format="json")
    for supervisor, nonce in zip(supervisors, ("1111" * 8, "2222" * 8), strict=True):
        api.force_login(supervisor)
        api.post(f"/api/projects/{code}/draw/inputs", {"value": "7", "nonce": nonce}, format="json")
    assert api.post(f"/api/projects/{code}/draw", {}, format="json").status_code == 201
    assert api.post(f"/api/projects/{code}/draw", {}, format="json").status_code == 409
    refused = LedgerEntry.objects.get(action="draw_refused", project=code)
    assert refused.actor == supervisors[-1].username and refused.data["already_drawn"] is True
    [found] = findings.repeated_draws()
    completed = LedgerEntry.objects.get(action="draw_completed", project=code)
    assert found.project == code and found.seqs == [completed.seq, refused.seq]
