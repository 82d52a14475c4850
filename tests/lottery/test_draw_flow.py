"""Issue acceptance, continuing the trading flow through the API: two supervisors' inputs → draw → a second draw
409 → an anonymous GET of the proof, which verifies with an independent implementation of fps-draw-v1."""

import datetime as dt
import hashlib
import hmac
import json
import subprocess
import sys
from pathlib import Path

import pytest

from audit.models import LedgerEntry
from core import clock
from core.roles import Role
from lottery.models import Draw, DrawSecret
from tests import factories
from trading.models import Registration
from trading.services.projects import project_close

pytestmark = pytest.mark.django_db
VERIFY = Path(__file__).resolve().parents[2] / "lottery" / "verify.py"
NONCE = "0123456789abcdef" * 2  # a nonce is exactly 32 lower-case hex characters


def independent_check(proof: dict) -> None:
    """fps-draw-v1 written again from its specification, sharing no code with lottery.engine."""
    secret = bytes.fromhex(proof["secret"])
    assert hashlib.sha256(secret).hexdigest() == proof["commitment"]
    assert hashlib.sha256("\n".join(sorted(proof["candidates"])).encode()).hexdigest() == proof["candidates_digest"]
    doc = {"candidates_digest": proof["candidates_digest"], "commitment": proof["commitment"],
           "project": proof["project"], "protocol": "fps-draw-v1", "public_inputs": proof["public_inputs"],
           "secret": proof["secret"]}
    seed = hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    assert seed == proof["seed"]
    key = bytes.fromhex(seed)
    ranking = sorted(proof["candidates"], key=lambda c: (hmac.new(key, c.encode(), hashlib.sha256).hexdigest(), c))
    assert ranking == proof["ranking"]


@pytest.fixture
def closed_project(moved_clock):
    """A fixed-price project past its deadline with 5 eligible registrations and a draw session under way."""
    project = factories.past_deadline_project(moved_clock, prefix="抽取企业")
    project = project_close(actor=project.created_by, project=project)
    assert project.status == "qualified" and project.candidates_digest
    return project


def _supervisor_in(api, project, session_id):
    supervisor = factories.user(Role.SUPERVISOR)
    api.force_login(supervisor)
    assert api.post(f"/api/sessions/{session_id}/attendance", {"badge": "supervisor"}, format="json").status_code == 201
    return supervisor


def _book_draw_session(api, project) -> int:
    room = factories.room("draw")
    api.force_login(project.created_by)
    starts = clock.now() + dt.timedelta(minutes=30)
    answer = api.post(f"/api/projects/{project.code}/sessions", {
        "kind": "draw", "room": room.pk, "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat()}, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()["id"]


def test_a_draw_through_the_api_verifies_independently(api, closed_project, tmp_path):
    code = closed_project.code
    session_id = _book_draw_session(api, closed_project)
    supervisors = [_supervisor_in(api, closed_project, session_id) for _ in range(2)]
    values = [("aaaa1111" * 4, "731"), ("bbbb2222" * 4, "春分")]
    for supervisor, (nonce, value) in zip(supervisors, values, strict=True):
        api.force_login(supervisor)
        sealed = api.post(f"/api/projects/{code}/draw/inputs",
                          {"commitment": hashlib.sha256((nonce + value).encode()).hexdigest()}, format="json")
        assert sealed.status_code == 201, sealed.json()
    for supervisor, (nonce, value) in zip(supervisors, values, strict=True):
        api.force_login(supervisor)
        revealed = api.post(f"/api/projects/{code}/draw/inputs", {"value": value, "nonce": nonce}, format="json")
        assert revealed.status_code == 200, revealed.json()
    drawn = api.post(f"/api/projects/{code}/draw", {}, format="json")
    assert drawn.status_code == 201, drawn.json()
    assert api.post(f"/api/projects/{code}/draw", {}, format="json").status_code == 409
    assert Draw.objects.filter(project=closed_project).count() == 1

    api.logout()
    proof_response = api.get(f"/api/projects/{code}/proof")
    assert proof_response.status_code == 200
    proof = json.loads(proof_response.content)
    independent_check(proof)
    assert [i["value"] for i in proof["public_inputs"]] == ["731", "春分"]
    path = tmp_path / "proof.json"
    path.write_bytes(proof_response.content)
    ok = subprocess.run([sys.executable, str(VERIFY), str(path), "--commitment", closed_project.commitment,
                         "--candidates-digest", closed_project.candidates_digest], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("OK"), ok.stdout

    winner = Registration.objects.get(project=closed_project, rank=1)
    assert winner.enterprise.uscc == proof["ranking"][0]
    closed_project.refresh_from_db()
    assert closed_project.status == "publicity" and closed_project.publicity_until
    actions = set(LedgerEntry.objects.filter(project=code).values_list("action", flat=True))
    assert {"draw_commitment_published", "draw_candidates_frozen", "draw_input_sealed", "draw_input_revealed",
            "draw_completed"} <= actions


def test_the_secret_appears_nowhere_before_the_draw(api, closed_project):
    secret_row = DrawSecret.objects.get(project=closed_project)
    from lottery.secrets import unseal

    secret_hex = unseal(secret_row.sealed_secret, closed_project.code, closed_project.round).hex()
    assert hashlib.sha256(bytes.fromhex(secret_hex)).hexdigest() == closed_project.commitment
    pages = [api.get(f"/api/projects/{closed_project.code}").content,
             api.get(f"/api/projects/{closed_project.code}/draw/state").content,
             api.get(f"/projects/{closed_project.code}/").content]
    admin = factories.user(Role.ADMIN)
    api.force_login(admin)
    pages.append(api.get("/api/audit?limit=500").content)
    for history in secret_row.history.all():
        pages.append(str(history.__dict__).encode())
    for entry in LedgerEntry.objects.all():
        pages.append(json.dumps(entry.data, ensure_ascii=False).encode())
    assert not any(secret_hex.encode() in page for page in pages)
    assert api.get(f"/api/projects/{closed_project.code}/proof").status_code == 404


def test_a_draw_needs_two_supervisors_signed_in(api, closed_project):
    session_id = _book_draw_session(api, closed_project)
    supervisor = _supervisor_in(api, closed_project, session_id)
    api.force_login(supervisor)
    api.post(f"/api/projects/{closed_project.code}/draw/inputs", {"commitment": "a" * 64}, format="json")
    assert api.post(f"/api/projects/{closed_project.code}/draw", {}, format="json").status_code == 409
    assert not Draw.objects.exists()


def test_a_non_supervisor_cannot_seal_or_draw(api, closed_project):
    _book_draw_session(api, closed_project)
    api.force_login(closed_project.created_by)
    assert api.post(f"/api/projects/{closed_project.code}/draw/inputs", {"commitment": "a" * 64},
                    format="json").status_code == 403
    assert api.post(f"/api/projects/{closed_project.code}/draw", {}, format="json").status_code == 403


def test_a_reveal_not_matching_its_commitment_or_too_long_is_refused(api, closed_project):
    code = closed_project.code
    session_id = _book_draw_session(api, closed_project)
    supervisors = [_supervisor_in(api, closed_project, session_id) for _ in range(2)]
    for n, supervisor in enumerate(supervisors):
        api.force_login(supervisor)
        api.post(f"/api/projects/{code}/draw/inputs",
                 {"commitment": hashlib.sha256(f"{NONCE}{n}".encode()).hexdigest()}, format="json")
    api.force_login(supervisors[0])
    wrong = api.post(f"/api/projects/{code}/draw/inputs", {"value": "1", "nonce": NONCE}, format="json")
    assert wrong.status_code == 400 and "value" in wrong.json()["errors"]
    long = api.post(f"/api/projects/{code}/draw/inputs", {"value": "9" * 65, "nonce": NONCE}, format="json")
    assert long.status_code == 400 and "64" in long.json()["errors"]["value"][0]


def test_a_draw_before_close_is_refused(api, settings):
    project = factories.fixed_price_project()
    session_id = _book_draw_session(api, project)
    supervisor = _supervisor_in(api, project, session_id)
    api.force_login(supervisor)
    assert api.post(f"/api/projects/{project.code}/draw", {}, format="json").status_code == 409
