"""Expert panels (conflicts excluded with reasons, an fps-draw-v1 proof verified by lottery/verify.py, a decliner
replaced by the next in the ranking, names hidden) and scoring (own panel only, locked on submission, a worked
comprehensive example, outliers, top three, publicity with objections, §55 withdrawal)."""

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from audit.models import LedgerEntry
from core import clock
from core.errors import Conflict
from core.roles import Role
from evaluation import selectors
from evaluation.models import Candidate, Panel, PanelMember, Score
from evaluation.services import bids as bid_services
from evaluation.services import evaluating, objections, panels
from lottery import engine
from tests import factories
from tests.evaluation import builders
from trading.models import BadBehaviourRecord

pytestmark = pytest.mark.django_db
VERIFY = Path(__file__).resolve().parents[2] / "lottery" / "verify.py"


@pytest.fixture(autouse=True)
def _short_registration(settings):
    settings.REGISTRATION_MIN_DAYS = 1


@pytest.fixture
def opened():
    """Opened at the opening session; the clock stays at the opening for the whole test."""
    project, users = builders.opened_project()
    with builders.at_opening():
        bid_services.bids_close(actor=project.created_by, project=project)
        bid_services.bids_open(actor=project.created_by, project=project)
        project.refresh_from_db()
        yield project, users


def test_conflicted_experts_are_excluded_before_the_draw_with_reasons(opened):
    project, users = opened
    admin = factories.user(Role.ADMIN)
    employed = panels.expert_save(actor=admin, user=factories.user(Role.EXPERT), name="雇员专家",
                                  specialty="教学仪器", employer=users[0].organisation)
    related = panels.expert_save(actor=admin, user=factories.user(Role.EXPERT), name="亲属专家",
                                 specialty="教学仪器", relations=[{"uscc": project.tenderer.uscc.lower(),
                                                                   "relation": "配偶任职"}])
    builders.pool(5)

    panel = panels.panel_request(actor=project.created_by, project=project, specialty="教学仪器", size=5)

    excluded = {e["expert"]: e["reasons"] for e in panel.excluded}
    assert set(excluded) == {employed.identifier, related.identifier}
    assert "工作单位是投标人" in excluded[employed.identifier][0]
    assert "招标人" in excluded[related.identifier][0] and "配偶任职" in excluded[related.identifier][0]
    assert employed.identifier not in panel.candidates and len(panel.candidates) == 5
    assert LedgerEntry.objects.get(action="panel_requested").data["excluded"] == panel.excluded


@pytest.mark.parametrize("size", [4, 6, 3])
def test_a_panel_must_be_an_odd_number_of_at_least_five(opened, size):
    project, _ = opened
    builders.pool(9)
    with pytest.raises(ValidationError, match="单数"):
        panels.panel_request(actor=project.created_by, project=project, specialty="教学仪器", size=size)
    assert not Panel.objects.exists()


def test_too_few_conflict_free_experts_is_refused(opened):
    project, _ = opened
    builders.pool(4)
    with pytest.raises(Conflict, match="不足"):
        panels.panel_request(actor=project.created_by, project=project, specialty="教学仪器", size=5)


def test_the_panel_proof_verifies_with_lottery_verify_py(opened, tmp_path):
    project, _ = opened
    panel = builders.drawn_panel(project)
    path = tmp_path / "proof.json"
    path.write_bytes(panels.proof_bytes(panel.proof))

    ok = subprocess.run([sys.executable, str(VERIFY), str(path), "--commitment", panel.commitment,
                         "--candidates-digest", panel.candidates_digest], capture_output=True, text=True)

    assert ok.returncode == 0 and ok.stdout.splitlines()[0] == "OK", ok.stdout + ok.stderr
    seated = [m.expert.identifier for m in panel.members.order_by("rank")]
    assert seated == panel.proof["ranking"][:5] and panel.proof["selected"] == 5
    forged = dict(panel.proof, ranking=list(reversed(panel.proof["ranking"])))
    path.write_text(json.dumps(forged))
    bad = subprocess.run([sys.executable, str(VERIFY), str(path)], capture_output=True, text=True)
    assert bad.returncode == 1


def test_the_panel_is_drawn_once_by_a_present_supervisor(opened):
    project, _ = opened
    panel = builders.drawn_panel(project)
    drawer = panel.drawn_by
    with pytest.raises(Conflict, match="不能重复"):
        panels.panel_draw(actor=drawer, project=project)
    with pytest.raises(PermissionDenied, match="签到"):
        panels.panel_draw(actor=factories.user(Role.SUPERVISOR), project=project)
    with pytest.raises(PermissionDenied):
        panels.panel_draw(actor=project.created_by, project=project)


def test_panel_inputs_are_sealed_before_any_is_revealed_and_checked_in_the_proof(opened):
    project, _ = opened
    builders.pool(7)
    panels.panel_request(actor=project.created_by, project=project, specialty="教学仪器", size=5)
    supervisors = builders.draw_session(project)
    (nonce, value), first = builders.INPUTS[0], supervisors[0]
    panels.panel_input_seal(actor=first, project=project, commitment=engine.input_commitment(nonce, value))

    with pytest.raises(Conflict, match="未密封"):
        panels.panel_input_reveal(actor=first, project=project, value=value, nonce=nonce)
    with pytest.raises(Conflict):
        panels.panel_draw(actor=first, project=project)
    other_nonce, other_value = builders.INPUTS[1]
    panels.panel_input_seal(actor=supervisors[1], project=project,
                            commitment=engine.input_commitment(other_nonce, other_value))
    with pytest.raises(ValidationError, match="不符"):
        panels.panel_input_reveal(actor=first, project=project, value="99999", nonce=nonce)
    panels.panel_input_reveal(actor=first, project=project, value=value, nonce=nonce)
    with pytest.raises(Conflict, match="未揭示"):
        panels.panel_draw(actor=first, project=project)
    with clock.travel(dt.timedelta(minutes=10)):  # the second supervisor never reveals: the empty string
        panel = panels.panel_draw(actor=first, project=project)

    assert [i["value"] for i in panel.proof["public_inputs"]] == [value, ""]
    assert panel.proof["input_commitments"][0]["nonce"] == nonce
    assert panel.proof["metadata"]["not_revealed"] == [panel.proof["public_inputs"][1]["source"]]


def test_a_decliner_is_replaced_by_the_next_in_the_ranking_recorded(opened):
    project, _ = opened
    panel = builders.drawn_panel(project)
    second = panel.members.get(rank=2)

    substitute = panels.member_decline(actor=second.expert.user, member=second, reason="出差")

    assert substitute.rank == 6 and substitute.replaces == second
    assert substitute.expert.identifier == panel.proof["ranking"][5]
    second.refresh_from_db()
    assert second.state == PanelMember.State.DECLINED and second.declined_reason == "出差"
    assert LedgerEntry.objects.get(action="panel_member_replaced").data["substitute_rank"] == 6
    assert panels.seated(panel).count() == 5


def test_expert_names_are_hidden_from_agency_and_bidders_until_evaluation_ends(opened):
    project, users = opened
    builders.drawn_panel(project)
    names = set(PanelMember.objects.values_list("expert__name", flat=True))

    for viewer in (project.created_by, users[0]):
        shown = {r["name"] for r in selectors.panel_rows(viewer, project)}
        assert not shown & names and all(r["identifier"] == "" for r in selectors.panel_rows(viewer, project))
    assert {r["name"] for r in selectors.panel_rows(factories.user(Role.INSPECTOR), project)} == names


# --- scoring ---------------------------------------------------------------------------------------------------

TECH = {0: ["35", "35", "35", "35", "10"], 1: ["36"] * 5, 3: ["32"] * 5}  # by bidder index
SERVICE = {0: "15", 1: "18", 3: "16"}


def _bids_by_index(project, users):
    return {i: evaluating.valid_bids(project).get(bidder=users[i].organisation) for i in TECH}


def _score_all(project, users, panel):
    bids = _bids_by_index(project, users)
    for n, member in enumerate(panels.seated(panel).order_by("rank")):
        sheet = {str(bids[i].pk): {"tech": TECH[i][n], "service": SERVICE[i]} for i in TECH}
        evaluating.score_submit(actor=member.expert.user, project=project, sheet=sheet)
    return bids


def test_comprehensive_scoring_worked_example_ranks_and_names_three_candidates(opened):
    project, users = opened
    panel = builders.drawn_panel(project)
    bids = _score_all(project, users, panel)

    evaluating.evaluation_finish(actor=project.created_by, project=project)

    # by hand: lowest valid price 900,000 (bid 2 at 1,100,000 is over the ceiling and invalid)
    # A: 900000/900000*40 = 40.00; tech mean (35*4+10)/5 = 30 -> 30/40*40 = 30.00; service 15 -> 15.00; 85.00
    # B: 900000/950000*40 = 37.894.. -> 37.89; 36 + 18; total 91.89
    # D: 900000/980000*40 = 36.734.. -> 36.73; 32 + 16; total 84.73
    report = selectors.evaluation_report(project)
    assert [(r["bidder"], r["total"]) for r in report["ranking"]] == [
        (users[1].organisation.name, Decimal("91.89")), (users[0].organisation.name, Decimal("85.00")),
        (users[3].organisation.name, Decimal("84.73"))]
    assert [c.bid for c in Candidate.objects.order_by("rank")] == [bids[1], bids[0], bids[3]]
    assert report["invalid"][0]["bidder"] == users[2].organisation.name
    # the fifth expert's 10 is 20 from the mean 30, more than 20% of 40: flagged, and only that one
    assert [(o["bidder"], o["score"]) for o in report["outliers"]] == [(users[0].organisation.name, "10.00")]
    project.refresh_from_db()
    assert project.status == "publicity"
    assert project.publicity_until >= clock.now() + dt.timedelta(days=3) - dt.timedelta(seconds=1)
    assert len(selectors.public_candidates(project)) == 3


def test_scores_lock_on_submission(opened):
    project, users = opened
    panel = builders.drawn_panel(project)
    _score_all(project, users, panel)
    member = panels.seated(panel).first()

    with pytest.raises(Conflict, match="已提交"):
        evaluating.score_submit(actor=member.expert.user, project=project, sheet={})

    assert Score.objects.filter(member=member).count() == 6


def test_an_expert_cannot_score_another_panel(opened):
    project, _ = opened
    builders.drawn_panel(project)
    outsider = builders.pool(1)[0]
    with pytest.raises(PermissionDenied, match="评标委员会"):
        evaluating.score_submit(actor=outsider.user, project=project, sheet={})
    with pytest.raises(PermissionDenied):
        evaluating.score_submit(actor=project.created_by, project=project, sheet={})


@pytest.mark.parametrize("value", ["41", "-1", "abc", "3.333"])
def test_a_score_outside_the_range_is_refused_and_nothing_stored(opened, value):
    project, users = opened
    panel = builders.drawn_panel(project)
    bids = _bids_by_index(project, users)
    sheet = {str(b.pk): {"tech": "30", "service": "10"} for b in bids.values()}
    sheet[str(bids[0].pk)]["tech"] = value
    member = panels.seated(panel).first()

    with pytest.raises(ValidationError) as error:
        evaluating.score_submit(actor=member.expert.user, project=project, sheet=sheet)

    assert f"scores.{bids[0].pk}.tech" in error.value.message_dict
    member.refresh_from_db()
    assert member.submitted_at is None and Score.objects.count() == 0


def test_scoring_a_bid_of_another_project_is_refused(opened):
    project, users = opened
    panel = builders.drawn_panel(project)
    other = builders.procurement()
    foreign, _ = builders.submit(other, users[0], "1000")
    member = panels.seated(panel).first()
    with pytest.raises(ValidationError, match=str(foreign.pk)):
        evaluating.score_submit(actor=member.expert.user, project=project, sheet={str(foreign.pk): {"tech": "1"}})


def test_evaluation_waits_for_every_seated_expert(opened):
    project, _ = opened
    builders.drawn_panel(project)
    with pytest.raises(Conflict, match="未提交"):
        evaluating.evaluation_finish(actor=project.created_by, project=project)


def test_lowest_evaluated_price_ranks_valid_bids_by_price(opened):
    project, users = opened
    builders.drawn_panel(project)
    evaluating.plan_set(actor=project.created_by, project=project, method="lowest_price")
    panel = Panel.objects.get(project=project)
    for member in panels.seated(panel):
        evaluating.score_submit(actor=member.expert.user, project=project, sheet={})

    evaluating.evaluation_finish(actor=project.created_by, project=project)

    # 900,000 < 950,000 < 980,000; 1,100,000 over the ceiling is out
    assert [c.bid.bidder for c in Candidate.objects.order_by("rank")] == [
        users[0].organisation, users[1].organisation, users[3].organisation]


@pytest.fixture
def in_publicity(opened):
    project, users = opened
    _score_all(project, users, builders.drawn_panel(project))
    evaluating.evaluation_finish(actor=project.created_by, project=project)
    project.refresh_from_db()
    return project, users


def test_names_show_once_the_evaluation_ends(in_publicity):
    project, users = in_publicity
    names = set(PanelMember.objects.values_list("expert__name", flat=True))
    assert {r["name"] for r in selectors.panel_rows(users[0], project)} == names


def test_award_waits_for_publicity_and_answered_objections(in_publicity):
    project, users = in_publicity
    objection = objections.objection_raise(actor=users[0], project=project, stage="publicity",
                                           content="第一候选人业绩不实")
    with pytest.raises(Conflict, match="公示期"):
        evaluating.candidate_award(actor=project.created_by, project=project)
    with clock.travel(dt.timedelta(days=3, minutes=1)):
        with pytest.raises(Conflict, match="异议"):
            evaluating.candidate_award(actor=project.created_by, project=project)
        objections.objection_answer(actor=project.created_by, objection=objection, answer="经核实业绩属实。")
        first = evaluating.candidate_award(actor=project.created_by, project=project)
    assert first.rank == 1 and first.state == Candidate.State.AWARDED
    project.refresh_from_db()
    assert project.status == "awarded"
    contract = project.contracts.get()  # the award notice offers the contract at the winning bid's price
    assert contract.enterprise == first.bid.bidder and contract.amount == first.bid.price
    assert contract.state == "offered"


def test_objection_outside_publicity_or_from_a_non_bidder_is_refused(in_publicity):
    project, _ = in_publicity
    with pytest.raises(PermissionDenied):
        objections.objection_raise(actor=builders.bidder(), project=project, stage="publicity", content="x")


def test_first_candidate_withdrawing_passes_the_award_to_the_next_then_a_new_round(in_publicity):
    project, _ = in_publicity
    with clock.travel(dt.timedelta(days=4)):
        first = evaluating.candidate_award(actor=project.created_by, project=project)
        second = evaluating.candidate_withdraw(actor=project.created_by, project=project, candidate=first,
                                               reason="放弃中标")
        assert second.rank == 2 and second.state == Candidate.State.AWARDED
        third = evaluating.candidate_withdraw(actor=project.created_by, project=project, candidate=second,
                                              reason="不能履约")
        assert third.rank == 3
        assert evaluating.candidate_withdraw(actor=project.created_by, project=project, candidate=third,
                                             reason="放弃") is None
    project.refresh_from_db()
    assert project.status == "failed" and "第五十五条" in project.history.first().history_change_reason


def test_opening_record_is_plain_data_shaped_for_archive(in_publicity):
    project, _ = in_publicity
    record = selectors.opening_record(project)
    assert {"project", "issued_at", "centre", "opened_at", "room", "host", "ceiling_price", "attendees", "bids",
            "objections"} <= set(record)
    assert len(record["bids"]) == 4 and sum(not b["valid"] for b in record["bids"]) == 1
    from archive.pdf.records import build_bid_opening_record, build_evaluation_report

    assert build_bid_opening_record(record)[:4] == b"%PDF"
    assert build_evaluation_report(selectors.evaluation_report(project))[:4] == b"%PDF"


# --- who is told -----------------------------------------------------------------------------------------------

def test_drawn_experts_are_called_up_and_bidders_told_of_the_result(opened, django_capture_on_commit_callbacks):
    from trading.models import Notification

    project, users = opened
    with django_capture_on_commit_callbacks(execute=True):
        panel = builders.drawn_panel(project)
    called = Notification.objects.filter(kind="expert_called")
    assert sorted(n.recipient_id for n in called) == sorted(m.expert.user_id for m in panels.seated(panel))
    with django_capture_on_commit_callbacks(execute=True):
        _score_all(project, users, panel)
        evaluating.evaluation_finish(actor=project.created_by, project=project)
    told = {n.recipient_id for n in Notification.objects.filter(kind="result")}
    assert told == {user.pk for user in users}


def test_a_lapsed_contract_goes_to_the_next_winning_candidate_at_its_own_price(in_publicity, settings):
    project, _ = in_publicity
    with clock.travel(dt.timedelta(days=4)):
        first = evaluating.candidate_award(actor=project.created_by, project=project)
    with clock.travel(dt.timedelta(days=4 + settings.SIGN_DAYS + 1)):
        call_command("run_deadlines", "--quiet")

    first.refresh_from_db()
    second = Candidate.objects.get(project=project, rank=2)
    assert first.state == Candidate.State.WITHDRAWN and second.state == Candidate.State.AWARDED
    offer = project.contracts.get(state="offered")
    assert (offer.enterprise, offer.amount) == (second.bid.bidder, second.bid.price)
    assert project.contracts.get(state="lapsed").enterprise == first.bid.bidder
    assert BadBehaviourRecord.objects.filter(enterprise=first.bid.bidder).exists()
    project.refresh_from_db()
    assert project.status == "awarded"


def test_when_every_winning_candidate_lets_the_contract_lapse_the_project_fails(in_publicity, settings):
    project, _ = in_publicity
    with clock.travel(dt.timedelta(days=4)):
        evaluating.candidate_award(actor=project.created_by, project=project)
    days = 4
    for _ in range(Candidate.objects.filter(project=project).count()):
        days += settings.SIGN_DAYS + 1
        with clock.travel(dt.timedelta(days=days)):
            call_command("run_deadlines", "--quiet")

    assert project.contracts.filter(state="lapsed").count() == Candidate.objects.filter(project=project).count()
    assert not Candidate.objects.filter(project=project, state=Candidate.State.AWARDED).exists()
    project.refresh_from_db()
    assert project.status == "failed"
