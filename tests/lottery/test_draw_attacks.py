"""Issue 13's attacks on the fixed-price draw, kept as tests: a qualification review after the supervisors revealed
(the list is immutable from its digest's publication at the close), a seal opened as a second value (the nonce is
exactly 32 lower-case hex characters), and a supervisor signing in late (sealing closes the set of participants)."""

import datetime as dt
import hashlib
import json
import subprocess
import sys

import pytest
from django.test import Client

from audit.models import LedgerEntry
from core import clock
from lottery import engine
from lottery.models import Draw, DrawInput
from tests import factories
from tests.lottery.test_draw_flow import VERIFY, _book_draw_session, _supervisor_in
from trading.models import Registration
from trading.services.projects import project_close, project_republish

pytestmark = pytest.mark.django_db
NONCES = ["aaaa1111" * 4, "bbbb2222" * 4, "cccc3333" * 4]


@pytest.fixture
def closed_project(moved_clock):
    project = factories.past_deadline_project(moved_clock, prefix="攻击测试企业")
    return project_close(actor=project.created_by, project=project)


def _seal(api, code, supervisor, nonce, value):
    api.force_login(supervisor)
    return api.post(f"/api/projects/{code}/draw/inputs",
                    {"commitment": hashlib.sha256((nonce + value).encode()).hexdigest()}, format="json")


def _reveal(api, code, supervisor, nonce, value):
    api.force_login(supervisor)
    return api.post(f"/api/projects/{code}/draw/inputs", {"value": value, "nonce": nonce}, format="json")


def _sealed_and_revealed(api, project):
    """Two supervisors signed in to a draw session under way, both sealed and revealed."""
    session_id = _book_draw_session(api, project)
    supervisors = [_supervisor_in(api, project, session_id) for _ in range(2)]
    for supervisor, nonce, value in zip(supervisors, NONCES, ["731", "春分"], strict=False):
        assert _seal(api, project.code, supervisor, nonce, value).status_code == 201
    for supervisor, nonce, value in zip(supervisors, NONCES, ["731", "春分"], strict=False):
        assert _reveal(api, project.code, supervisor, nonce, value).status_code == 200
    return session_id, supervisors


def _verify(tmp_path, proof_bytes, *options):
    path = tmp_path / "proof.json"
    path.write_bytes(proof_bytes)
    return subprocess.run([sys.executable, str(VERIFY), str(path), *options], capture_output=True, text=True)


# --- item 2: the candidate list is immutable from the close -----------------------------------------------------

def test_a_review_after_the_reveal_is_refused_and_the_draw_verifies_against_the_close_digest(api, closed_project,
                                                                                           tmp_path):
    code, close_digest = closed_project.code, closed_project.candidates_digest
    _, supervisors = _sealed_and_revealed(api, closed_project)
    target = Registration.objects.filter(project=closed_project, eligible=True).select_related("enterprise").first()
    agency = Client()
    agency.force_login(closed_project.created_by)

    answer = agency.post(f"/projects/{code}/manage/", {"action": "review", "registration": target.pk,
                                                       "eligible": "0", "reason": "发现资质证书存疑"})

    assert answer.status_code == 409
    assert "冻结" in answer.content.decode() and "流标" in answer.content.decode()
    target.refresh_from_db()
    closed_project.refresh_from_db()
    assert target.eligible is True and target.review == Registration.Review.PENDING
    assert closed_project.candidates_digest == close_digest
    assert LedgerEntry.objects.filter(project=code, action="draw_candidates_frozen").count() == 1
    api.force_login(supervisors[0])
    assert api.post(f"/api/projects/{code}/draw", {}, format="json").status_code == 201
    api.logout()
    proof = api.get(f"/api/projects/{code}/proof").content
    assert target.enterprise.uscc in json.loads(proof)["candidates"]
    ok = _verify(tmp_path, proof, "--commitment", closed_project.commitment, "--candidates-digest", close_digest)
    assert ok.returncode == 0 and ok.stdout.startswith("OK"), ok.stdout


def test_a_review_that_confirms_the_result_is_recorded_and_changes_nothing_in_the_list(closed_project):
    code, close_digest = closed_project.code, closed_project.candidates_digest
    target = Registration.objects.filter(project=closed_project, eligible=True).first()
    agency = Client()
    agency.force_login(closed_project.created_by)

    page = agency.get(f"/projects/{code}/registrations/").content.decode()
    answer = agency.post(f"/projects/{code}/manage/", {"action": "review", "registration": target.pk,
                                                       "eligible": "1", "reason": "证书原件核验无误"})

    assert 'id="list-frozen"' in page and "确认原结论" in page
    assert answer.status_code == 302
    target.refresh_from_db()
    closed_project.refresh_from_db()
    assert target.review == Registration.Review.CONFIRMED and target.review_reason == "证书原件核验无误"
    assert target.reviewed_by == closed_project.created_by and closed_project.candidates_digest == close_digest


def test_the_draw_refuses_a_list_changed_behind_the_services_back(api, closed_project):
    """Defence in depth: an eligibility flipped outside the services (an admin screen, a script) stops the draw,
    even with the project's digest rewritten to fit: the digest published at the close is the ledger's."""
    code = closed_project.code
    _, supervisors = _sealed_and_revealed(api, closed_project)
    changed = Registration.objects.filter(project=closed_project, eligible=True).first()
    changed.eligible = False
    changed.save()
    api.force_login(supervisors[0])

    refused = api.post(f"/api/projects/{code}/draw", {}, format="json")
    closed_project.candidates_digest = engine.candidates_digest(
        Registration.objects.filter(project=closed_project, eligible=True).values_list("enterprise__uscc", flat=True))
    closed_project.save()
    still_refused = api.post(f"/api/projects/{code}/draw", {}, format="json")

    assert refused.status_code == 409 and "不一致" in refused.json()["detail"]
    assert still_refused.status_code == 409 and "流标" in still_refused.json()["detail"]
    assert not Draw.objects.exists()
    assert LedgerEntry.objects.filter(project=code, action="draw_refused").count() == 2


def test_the_agency_fails_the_round_with_a_reason_and_publishes_it_again(api, closed_project):
    code, first_commitment = closed_project.code, closed_project.commitment
    api.force_login(closed_project.created_by)

    without_reason = api.post(f"/api/projects/{code}/fail", {}, format="json")
    api.force_login(factories.agency_user())
    other_agency = api.post(f"/api/projects/{code}/fail", {"reason": "x"}, format="json")
    api.force_login(closed_project.created_by)
    failed = api.post(f"/api/projects/{code}/fail", {"reason": "资格审查遗漏一家企业的安全生产许可证过期"}, format="json")
    again = api.post(f"/api/projects/{code}/fail", {"reason": "再次"}, format="json")

    assert without_reason.status_code == 400 and "reason" in without_reason.json()["errors"]
    assert other_agency.status_code == 403
    assert failed.status_code == 200 and failed.json()["status"] == "failed"
    assert again.status_code == 409
    closed_project.refresh_from_db()
    assert "安全生产许可证过期" in closed_project.history.first().history_change_reason
    republished = project_republish(actor=closed_project.created_by, project=closed_project,
                                    registration_deadline=clock.now() + dt.timedelta(days=7), reason="重新组织")
    assert republished.round == 2 and republished.commitment and republished.commitment != first_commitment
    assert not republished.candidates_digest


def test_the_manage_page_fails_the_round_with_the_reason_written(closed_project):
    agency = Client()
    agency.force_login(closed_project.created_by)
    url = f"/projects/{closed_project.code}/manage/"

    assert 'id="fail-round"' in agency.get(url).content.decode()
    assert agency.post(url, {"action": "fail", "reason": ""}).status_code == 400
    assert agency.post(url, {"action": "fail", "reason": "名单有实质性错误", "confirmed": "1"}).status_code == 302

    closed_project.refresh_from_db()
    assert closed_project.status == "failed"


# --- item 3: a seal opens as one value only ---------------------------------------------------------------------

def test_a_seal_opens_as_one_value_only(api, closed_project):
    code = closed_project.code
    session_id = _book_draw_session(api, closed_project)
    first, second = (_supervisor_in(api, closed_project, session_id) for _ in range(2))
    assert _seal(api, code, first, NONCES[0], "424242").status_code == 201
    assert _seal(api, code, second, NONCES[1], "7").status_code == 201

    shifted = _reveal(api, code, first, NONCES[0] + "4", "24242")  # the same SHA-256 input, split elsewhere
    upper = _reveal(api, code, first, NONCES[0].upper(), "424242")
    short = _reveal(api, code, first, NONCES[0][:-2], "42" + "424242")

    for answer in (shifted, upper, short):
        assert answer.status_code == 400 and "nonce" in answer.json()["errors"], answer.json()
        assert "32" in answer.json()["errors"]["nonce"][0]
    assert not DrawInput.objects.filter(revealed_at__isnull=False).exists()
    assert _reveal(api, code, first, NONCES[0], "424242").json()["value"] == "424242"


# --- item 7: a supervisor who signs in late neither seals nor blocks -------------------------------------------

@pytest.mark.parametrize("arrives", ["after the first reveal", "after every seal, before any reveal"])
def test_a_supervisor_signing_in_after_sealing_closed_is_recorded_and_does_not_block_the_draw(api, closed_project,
                                                                                              arrives):
    code = closed_project.code
    session_id = _book_draw_session(api, closed_project)
    first, second = (_supervisor_in(api, closed_project, session_id) for _ in range(2))
    for supervisor, nonce, value in ((first, NONCES[0], "1949"), (second, NONCES[1], "2026")):
        assert _seal(api, code, supervisor, nonce, value).status_code == 201
    if arrives == "after the first reveal":
        assert _reveal(api, code, first, NONCES[0], "1949").status_code == 200
    late = _supervisor_in(api, closed_project, session_id)

    late_seal = _seal(api, code, late, NONCES[2], "8")
    state = api.get(f"/api/projects/{code}/draw/state").json()
    for supervisor, nonce, value in ((first, NONCES[0], "1949"), (second, NONCES[1], "2026")):
        if not DrawInput.objects.get(supervisor=supervisor).revealed_at:
            assert _reveal(api, code, supervisor, nonce, value).status_code == 200
    api.force_login(late)
    drawn = api.post(f"/api/projects/{code}/draw", {}, format="json")

    assert late_seal.status_code == 409 and "密封已截止" in late_seal.json()["detail"]
    assert state["sealing_closed"] is True and state["all_sealed"] is True
    assert len(state["supervisors_present"]) == 3
    assert drawn.status_code == 201, drawn.json()
    metadata = Draw.objects.get(project=closed_project).proof["metadata"]
    assert metadata["supervisors"] == [first.username, second.username]
    assert metadata["supervisors_present"] == sorted([first.username, second.username, late.username])
    assert [i["value"] for i in Draw.objects.get().proof["public_inputs"]] == ["1949", "2026"]


def test_a_supervisor_present_before_sealing_closed_must_seal_before_anyone_reveals(api, closed_project):
    code = closed_project.code
    session_id = _book_draw_session(api, closed_project)
    supervisors = [_supervisor_in(api, closed_project, session_id) for _ in range(3)]
    for supervisor, nonce in zip(supervisors[:2], NONCES, strict=False):
        assert _seal(api, code, supervisor, nonce, "5").status_code == 201

    early = _reveal(api, code, supervisors[0], NONCES[0], "5")
    third = _seal(api, code, supervisors[2], NONCES[2], "5")

    assert early.status_code == 409 and third.status_code == 201
    assert DrawInput.objects.get(supervisor=supervisors[2]).closed_sealing is True
    assert _reveal(api, code, supervisors[0], NONCES[0], "5").status_code == 200


def test_sealing_stays_open_until_at_least_two_supervisors_have_sealed(api, closed_project):
    code = closed_project.code
    session_id = _book_draw_session(api, closed_project)
    first = _supervisor_in(api, closed_project, session_id)
    assert _seal(api, code, first, NONCES[0], "5").status_code == 201
    second = _supervisor_in(api, closed_project, session_id)

    api.force_login(second)
    assert api.post(f"/api/projects/{code}/draw", {}, format="json").status_code == 409
    assert _seal(api, code, second, NONCES[1], "6").status_code == 201  # sealing was still open: one sealer
    assert DrawInput.objects.get(supervisor=second).closed_sealing is True
    assert not Draw.objects.exists()


# --- item 4: the record digest is fixed in the ledger at the draw and shown with the result --------------------

def test_the_record_digest_is_recorded_at_the_draw_shown_on_the_result_page_and_checked(api, closed_project, tmp_path):
    code = closed_project.code
    _, supervisors = _sealed_and_revealed(api, closed_project)
    api.force_login(supervisors[0])
    assert api.post(f"/api/projects/{code}/draw", {}, format="json").status_code == 201
    api.logout()
    proof_bytes = api.get(f"/api/projects/{code}/proof").content
    proof = json.loads(proof_bytes)
    recorded = LedgerEntry.objects.get(project=code, action="draw_completed").data["record_digest"]
    page = Client().get(f"/projects/{code}/result/").content.decode()

    assert proof["proof_format"] == 2 and proof["metadata"]["kind"] == "fixed-price" and proof["selected"] == 1
    assert proof["record_digest"] == recorded
    assert f"--record-digest {recorded}" in page
    ok = _verify(tmp_path, proof_bytes, "--commitment", closed_project.commitment, "--candidates-digest",
                 closed_project.candidates_digest, "--record-digest", recorded)
    assert ok.returncode == 0, ok.stdout
    proof["metadata"]["fixed_price"] = "1999999.00"
    proof["record_digest"] = engine.record_digest(input_commitments=proof["input_commitments"],
                                                  metadata=proof["metadata"], selected=1)  # recomputed by a forger
    forged = _verify(tmp_path, json.dumps(proof).encode(), "--record-digest", recorded)
    assert forged.returncode == 1 and "not the one recorded at the draw" in forged.stdout
