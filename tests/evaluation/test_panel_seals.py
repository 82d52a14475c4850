"""Issue 13's attacks on the expert-panel draw, through the API: a seal opened as a second value is refused (the
nonce is exactly 32 lower-case hex characters), and a supervisor who signs in after sealing closed is recorded
as present but neither seals nor blocks the draw; the proof is format 2 and verifies."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from core import clock
from core.roles import Role
from evaluation.models import Panel, PanelInput
from evaluation.services import bids as bid_services
from evaluation.services import panels
from lottery import engine
from tests import factories
from tests.evaluation import builders
from trading.services.sessions import attendance_sign

pytestmark = pytest.mark.django_db
VERIFY = Path(__file__).resolve().parents[2] / "lottery" / "verify.py"


@pytest.fixture(autouse=True)
def _short_registration(settings):
    settings.REGISTRATION_MIN_DAYS = 1


@pytest.fixture
def requested(api):
    """Opened, a panel of 5 requested, two supervisors signed in to the draw session; the clock at the opening."""
    project, _ = builders.opened_project()
    with builders.at_opening():
        bid_services.bids_close(actor=project.created_by, project=project)
        bid_services.bids_open(actor=project.created_by, project=project)
        project.refresh_from_db()
        builders.pool(7)
        panels.panel_request(actor=project.created_by, project=project, specialty="教学仪器", size=5)
        yield project, builders.draw_session(project)


def _post(api, user, url, body):
    api.force_login(user)
    return api.post(url, body, format="json")


def test_a_panel_seal_opens_as_one_value_only(api, requested):
    project, (first, second) = requested
    url = f"/api/projects/{project.code}/panel/inputs"
    nonce = builders.INPUTS[0][0]
    assert _post(api, first, url, {"commitment": engine.input_commitment(nonce, "424242")}).status_code == 201
    assert _post(api, second, url, {"commitment": engine.input_commitment(*builders.INPUTS[1])}).status_code == 201

    shifted = _post(api, first, url, {"value": "24242", "nonce": nonce + "4"})  # the same bytes, split elsewhere
    upper = _post(api, first, url, {"value": "424242", "nonce": nonce.upper()})

    for answer in (shifted, upper):
        assert answer.status_code == 400 and "32" in answer.json()["errors"]["nonce"][0], answer.json()
    assert not PanelInput.objects.filter(revealed_at__isnull=False).exists()
    assert _post(api, first, url, {"value": "424242", "nonce": nonce}).status_code == 201


def test_a_supervisor_signing_in_after_the_panel_seals_is_recorded_and_does_not_block(api, requested, tmp_path):
    project, supervisors = requested
    url = f"/api/projects/{project.code}/panel/inputs"
    for supervisor, (nonce, value) in zip(supervisors, builders.INPUTS, strict=True):
        assert _post(api, supervisor, url, {"commitment": engine.input_commitment(nonce, value)}).status_code == 201
    (nonce, value) = builders.INPUTS[0]
    assert _post(api, supervisors[0], url, {"value": value, "nonce": nonce}).status_code == 201
    late = factories.user(Role.SUPERVISOR)
    attendance_sign(actor=late, session=project.sessions.get(kind="draw"), badge="supervisor")

    late_seal = _post(api, late, url, {"commitment": engine.input_commitment("c" * 32, "9")})
    (nonce, value) = builders.INPUTS[1]
    second_reveal = _post(api, supervisors[1], url, {"value": value, "nonce": nonce})
    drawn = _post(api, late, f"/api/projects/{project.code}/panel/draw", {})

    assert late_seal.status_code == 409 and "密封已截止" in late_seal.json()["detail"]
    assert second_reveal.status_code == 201
    assert drawn.status_code == 200, drawn.json()
    proof = Panel.objects.get().proof
    assert proof["metadata"]["supervisors"] == [s.username for s in supervisors]
    assert late.username in proof["metadata"]["supervisors_present"]
    assert late.username not in proof["metadata"]["supervisors"]
    path = tmp_path / "proof.json"
    path.write_bytes(panels.proof_bytes(proof))
    checked = subprocess.run([sys.executable, str(VERIFY), str(path), "--record-digest",
                              proof["record_digest"]], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    assert proof["proof_format"] == 2 and "selected (5, kind expert-panel)" in checked.stdout


def test_the_panel_draw_is_still_refused_while_a_present_supervisor_has_not_sealed(api, requested):
    project, supervisors = requested
    url = f"/api/projects/{project.code}/panel/inputs"
    with clock.travel(dt.timedelta(seconds=1)):
        sealed = _post(api, supervisors[0], url, {"commitment": engine.input_commitment(*builders.INPUTS[0])})
        drawn = _post(api, supervisors[0], f"/api/projects/{project.code}/panel/draw", {})

    assert sealed.status_code == 201 and drawn.status_code == 409
