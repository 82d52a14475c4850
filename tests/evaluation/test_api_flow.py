"""Acceptance through the API and the pages: a procurement project from sealed bids to publicised candidates
(the panel proof checked by lottery/verify.py), and a land auction to its hammer price."""

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from core import clock
from core.roles import Role
from evaluation.models import Bid, PanelMember
from lottery import engine
from tests import factories
from tests.evaluation import builders
from trading.models import Project

pytestmark = pytest.mark.django_db
VERIFY = Path(__file__).resolve().parents[2] / "lottery" / "verify.py"


@pytest.fixture(autouse=True)
def _short_registration(settings):
    settings.REGISTRATION_MIN_DAYS = 1


def _as(api, user):
    api.force_login(user)
    return api


def _create(api, agency, **data):
    deadline = (clock.now() + builders.DAYS).isoformat()
    answer = _as(api, agency).post("/api/projects", {"registration_deadline": deadline, **data}, format="json")
    assert answer.status_code == 201, answer.json()
    code = answer.json()["code"]
    assert api.post(f"/api/projects/{code}/publish").status_code == 200
    return code


def _book(api, agency, code, kind):
    room = factories.room(kind)
    start = clock.now() + builders.DAYS + dt.timedelta(minutes=30)
    answer = _as(api, agency).post(f"/api/projects/{code}/sessions", {
        "kind": kind, "room": room.pk, "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=4)).isoformat()}, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()["id"]


def test_procurement_end_to_end_through_the_api_and_pages(api, client, tmp_path):
    agency = factories.agency_user()
    code = _create(api, agency, type="procurement", title="县医院设备采购", budget="1200000.00",
                   ceiling_price="1000000.00")
    bidders = [builders.bidder(f"医疗设备公司{n}") for n in range(4)]
    receipts = {}
    for user, price in zip(bidders, ["900000", "950000", "1100000", "980000"], strict=True):
        answer = _as(api, user).post(f"/api/projects/{code}/bids", {"price": price, "terms": "质保三年"},
                                     format="json")
        assert answer.status_code == 201, answer.json()
        receipts[user.pk] = answer.json()["receipt"]
    bad = _as(api, bidders[0]).post(f"/api/projects/{code}/bids", {"price": "-3"}, format="json")
    assert bad.status_code == 400 and "price" in bad.json()["errors"]
    assert _as(api, agency).get(f"/api/projects/{code}/bids").json() == {"items": [], "count": 0}
    assert len(_as(api, bidders[0]).get(f"/api/projects/{code}/bids").json()["items"]) == 1
    session = _book(api, agency, code, "opening")

    with builders.at_opening():
        late = _as(api, bidders[0]).post(f"/api/projects/{code}/bids", {"price": "1"}, format="json")
        assert late.status_code == 409 and late.json()["detail"]
        assert _as(api, agency).post(f"/api/projects/{code}/bids/close").json() == {"status": "qualified",
                                                                                    "bids": 4}
        assert _as(api, bidders[1]).post(f"/api/sessions/{session}/attendance", {"badge": "bidder"},
                                         format="json").status_code == 201
        opened = _as(api, agency).post(f"/api/projects/{code}/opening").json()
        assert opened["count"] == 4 and sum(not b["valid"] for b in opened["items"]) == 1
        for b in opened["items"]:
            assert b["plaintext_sha256"] in {r["plaintext_sha256"] for r in receipts.values()}
        assert api.post(f"/api/projects/{code}/objections", {"stage": "opening", "raised_by": "代表乙",
                                                              "content": "报价唱标有误"},
                        format="json").status_code == 201
        record = api.get(f"/api/projects/{code}/opening").json()
        assert record["attendees"][0]["role"] == "投标人代表" and len(record["objections"]) == 1
        objection = api.get(f"/api/projects/{code}/objections").json()["items"][0]
        assert api.post(f"/api/objections/{objection['id']}/answer", {"answer": "经核对无误。"},
                        format="json").status_code == 200

        builders.pool(7)
        assert api.post(f"/api/projects/{code}/panel", {"specialty": "教学仪器", "size": 5},
                        format="json").status_code == 201
        assert api.put(f"/api/projects/{code}/evaluation/plan", {
            "method": "comprehensive", "price_weight": "40", "criteria": builders.CRITERIA},
            format="json").status_code == 200
        project = Project.objects.get(code=code)
        supervisors = builders.draw_session(project)
        for supervisor, (nonce, value) in zip(supervisors, builders.INPUTS, strict=True):
            sealed = _as(api, supervisor).post(f"/api/projects/{code}/panel/inputs",
                                               {"commitment": engine.input_commitment(nonce, value)}, format="json")
            assert sealed.status_code == 201, sealed.json()
        for supervisor, (nonce, value) in zip(supervisors, builders.INPUTS, strict=True):
            assert _as(api, supervisor).post(f"/api/projects/{code}/panel/inputs", {"value": value, "nonce": nonce},
                                             format="json").status_code == 201
        drawn = api.post(f"/api/projects/{code}/panel/draw")
        assert drawn.status_code == 200, drawn.json()
        assert api.post(f"/api/projects/{code}/panel/draw").status_code == 409
        proof = api.get(f"/api/projects/{code}/panel/proof").content
        panel = _as(api, agency).get(f"/api/projects/{code}/panel").json()
        names = set(PanelMember.objects.values_list("expert__name", flat=True))
        assert not {m["name"] for m in panel["members"]} & names
        path = tmp_path / "proof.json"
        path.write_bytes(proof)
        check = subprocess.run([sys.executable, str(VERIFY), str(path), "--commitment", panel["commitment"],
                                "--candidates-digest", panel["candidates_digest"]], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout

        valid = Bid.objects.filter(valid=True)
        for member in PanelMember.objects.all():
            sheet = {str(b.pk): {"tech": "30", "service": "15"} for b in valid}
            answer = _as(api, member.expert.user).post(f"/api/projects/{code}/scores", {"scores": sheet},
                                                       format="json")
            assert answer.status_code == 201, answer.json()
        again = api.post(f"/api/projects/{code}/scores", {"scores": {}}, format="json")
        assert again.status_code == 409
        page = _as(client, member.expert.user).get(f"/evaluation/{code}/score/")
        assert page.status_code == 200 and "评分已提交并锁定" in page.content.decode()

        figures = _as(api, agency).post(f"/api/projects/{code}/evaluation").json()
        assert [r["rank"] for r in figures["ranking"]] == [1, 2, 3]
        assert _as(api, factories.user(Role.INSPECTOR)).get(f"/api/projects/{code}/evaluation").status_code == 200

    api.logout()
    public = api.get(f"/api/projects/{code}/candidates").json()
    assert public["count"] == 3 and public["items"][0]["bidder"] == "医疗设备公司0"  # lowest price, equal scores
    page = client.get(f"/candidates/{code}/").content.decode()
    assert "中标候选人公示" in page and "医疗设备公司0" in page
    assert _as(api, agency).post(f"/api/projects/{code}/candidates/award").status_code == 409
    with clock.travel(builders.DAYS + dt.timedelta(days=4)):  # publicity began at the opening
        assert api.post(f"/api/projects/{code}/candidates/award").status_code == 200
    manage = _as(client, agency).get(f"/evaluation/{code}/manage/").content.decode()
    assert "医疗设备公司0" in manage and "超过最高投标限价" in manage


def test_roles_are_checked_on_the_pages(client):
    project, users = builders.opened_project()
    client.force_login(users[0])
    for page in ("manage", "panel-draw", "score"):
        assert client.get(f"/evaluation/{project.code}/{page}/").status_code == 403, page
    client.force_login(factories.user(Role.EXPERT))
    assert client.get(f"/evaluation/{project.code}/score/").status_code == 403
    assert client.get(f"/evaluation/{project.code}/bid/").status_code == 403
    client.force_login(project.created_by)
    assert client.get(f"/evaluation/{project.code}/manage/").status_code == 200


def test_roles_are_checked_on_the_api(api):
    project, users = builders.opened_project()
    assert _as(api, project.created_by).post(f"/api/projects/{project.code}/bids", {"price": "1"},
                                             format="json").status_code == 403
    api.logout()
    assert api.post(f"/api/projects/{project.code}/bids", {"price": "1"}, format="json").status_code in (401, 403)
    assert _as(api, users[0]).post(f"/api/projects/{project.code}/bids/close").status_code == 403
    assert _as(api, users[0]).get("/api/experts").status_code == 403
    assert _as(api, factories.user(Role.EXPERT)).post(f"/api/projects/{project.code}/scores",
                                                      {"scores": {}}, format="json").status_code in (403, 409)


def test_land_auction_to_its_hammer_price_through_the_api(api, client):
    agency = factories.agency_user()
    code = _create(api, agency, type="land_auction", title="城南2026-07号地块", budget="46000000.00")
    assert api.post(f"/api/projects/{code}/auction", {"starting_price": "46000000", "increment": "500000",
                                                      "reserve_price": "46500000"}, format="json").status_code == 201
    orgs = [builders.bidder().organisation for _ in range(2)]
    for n, org in enumerate(orgs, start=1):
        assert api.post(f"/api/projects/{code}/auction/bidders", {"bidder": org.uscc, "number": f"00{n}"},
                        format="json").status_code == 201
    dup = api.post(f"/api/projects/{code}/auction/bidders", {"bidder": builders.bidder().organisation.uscc,
                                                             "number": "001"}, format="json")
    assert dup.status_code == 409
    with builders.at_opening():
        assert api.post(f"/api/projects/{code}/auction/start").status_code == 200
        for number, amount in [("001", "46000000"), ("002", "46500000"), ("001", "47000000")]:
            assert api.post(f"/api/projects/{code}/auction/bids", {"bidder_number": number, "amount": amount},
                            format="json").status_code == 201
        low = api.post(f"/api/projects/{code}/auction/bids", {"bidder_number": "002", "amount": "47400000"},
                       format="json")
        assert low.status_code == 400 and "amount" in low.json()["errors"]
        done = api.post(f"/api/projects/{code}/auction/hammer").json()
    assert done["sold"] is True and Decimal(done["hammer_price"]) == Decimal("47000000.00")
    assert done["winner"] == orgs[0].name and [e["seq"] for e in done["log"]] == [1, 2, 3]
    client.logout()
    page = client.get(f"/auction/{code}/").content.decode()
    assert "47,000,000.00" in page and "成交" in page


def test_openapi_schema_lists_the_evaluation_endpoints(api):
    schema = api.get("/api/openapi.json").json()
    for path in ("/api/projects/{code}/bids", "/api/projects/{code}/opening", "/api/projects/{code}/panel/draw",
                 "/api/projects/{code}/scores", "/api/projects/{code}/candidates", "/api/projects/{code}/auction/bids"):
        assert path in schema["paths"], path


def test_admin_shows_bids_without_their_envelopes_and_edits_nothing(client):
    project, _ = builders.opened_project()
    bid = Bid.objects.first()
    client.force_login(factories.user(Role.ADMIN))

    page = client.get(f"/admin/evaluation/bid/{bid.pk}/change/")

    assert page.status_code == 200
    assert bid.envelope[:40] not in page.content.decode()
    assert client.get("/admin/evaluation/bid/add/").status_code == 403
    assert client.get(f"/admin/evaluation/bid/{bid.pk}/history/").status_code == 200
