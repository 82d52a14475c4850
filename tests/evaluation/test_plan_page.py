"""The evaluation plan on the agency's opening-and-evaluation page (评标办法): set without the API, corrected
until an expert has scored, refused with the field named and nothing saved; only the managing agency sets it."""

import pytest

from audit.models import LedgerEntry
from evaluation.models import EvaluationPlan
from evaluation.services import evaluating
from tests import factories
from tests.evaluation import builders

pytestmark = pytest.mark.django_db

ROWS = {"c1-name": "技术方案", "c1-kind": "technical", "c1-max": "40",
        "c2-name": "售后服务", "c2-kind": "commercial", "c2-max": "20",
        "c3-name": "", "c3-kind": "technical", "c3-max": "", "c4-name": "", "c4-kind": "technical", "c4-max": ""}


def test_the_agency_sets_a_comprehensive_plan_on_the_page():
    project = builders.procurement()
    page = factories.logged_in(project.created_by)

    answer = page.post(f"/evaluation/{project.code}/manage/", {
        "action": "plan", "method": "comprehensive", "price_weight": "40", **ROWS})

    assert answer.status_code == 302
    plan = EvaluationPlan.objects.get(project=project)
    assert (plan.method, str(plan.price_weight)) == ("comprehensive", "40.00")
    assert [(c["name"], c["kind"], c["weight"], c["max_score"]) for c in plan.criteria] == [
        ("技术方案", "technical", "40", "40"), ("售后服务", "commercial", "20", "20")]
    assert LedgerEntry.objects.filter(object_type="evaluation.EvaluationPlan",
                                      actor=project.created_by.username).exists()
    shown = page.get(f"/evaluation/{project.code}/manage/").content.decode()
    assert "综合评估法" in shown and 'value="售后服务"' in shown  # the saved rows come back to be corrected


def test_a_lowest_price_plan_needs_no_criteria():
    project = builders.procurement()
    factories.logged_in(project.created_by).post(f"/evaluation/{project.code}/manage/", {
        "action": "plan", "method": "lowest_price", "c1-name": "", "c1-max": ""})
    assert EvaluationPlan.objects.get(project=project).method == "lowest_price"


@pytest.mark.parametrize(("data", "named"), [
    ({"method": "", **ROWS}, "评标办法: "),
    ({"method": "comprehensive", "price_weight": "四十", **ROWS}, "价格分: "),
    ({"method": "comprehensive", "price_weight": "40", **ROWS, "c2-max": "-5"}, "评分因素: "),
    ({"method": "comprehensive", "price_weight": "0", "c1-name": "", "c1-max": ""}, "评分因素: "),
])
def test_bad_input_names_the_field_and_saves_nothing(data, named):
    project = builders.procurement()
    answer = factories.logged_in(project.created_by).post(f"/evaluation/{project.code}/manage/", {"action": "plan", **data})
    assert answer.status_code == 400 and named in answer.content.decode()
    assert not EvaluationPlan.objects.exists()


def test_the_plan_is_fixed_once_an_expert_has_scored():
    project, _ = builders.opened_project()
    with builders.at_opening():
        from evaluation.services import bids as bid_services
        from evaluation.services import panels

        bid_services.bids_close(actor=project.created_by, project=project)
        bid_services.bids_open(actor=project.created_by, project=project)
        panel = builders.drawn_panel(project)
        member = panels.seated(panel).first()
        sheet = {str(b.pk): {"tech": "30", "service": "15"} for b in evaluating.valid_bids(project)}
        evaluating.score_submit(actor=member.expert.user, project=project, sheet=sheet)
        page = factories.logged_in(project.created_by)
        assert 'value="plan"' not in page.get(f"/evaluation/{project.code}/manage/").content.decode()
        answer = page.post(f"/evaluation/{project.code}/manage/", {"action": "plan", "method": "lowest_price"})
    assert answer.status_code == 409 and "评标办法不能再改" in answer.content.decode()
    assert EvaluationPlan.objects.get(project=project).method == "comprehensive"


def test_only_the_managing_agency_sets_the_plan():
    project = builders.procurement()
    other = factories.agency_user()
    answer = factories.logged_in(other).post(f"/evaluation/{project.code}/manage/", {"action": "plan", "method": "lowest_price"})
    assert answer.status_code == 403 and not EvaluationPlan.objects.exists()
