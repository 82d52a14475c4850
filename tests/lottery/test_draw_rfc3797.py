"""The RFC 3797 draw mode: public sources named in the announcement, fixed in the ledger at publication, their
values entered by a supervisor after the close, the selection computed from them and verified offline."""

import hashlib
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from audit.models import LedgerEntry
from lottery import engine
from lottery.models import Draw, DrawSecret
from lottery.services import draw_run
from tests import factories
from tests.lottery.test_draw_flow import _book_draw_session, _supervisor_in
from trading.models import Registration
from trading.services.projects import project_close

pytestmark = pytest.mark.django_db
VERIFY = Path(__file__).resolve().parents[2] / "lottery" / "verify.py"
SOURCES = ["2026年12月10日中国福利彩票双色球开奖号码", "2026年12月10日深圳证券交易所成份指数收盘点位"]


@pytest.fixture
def rfc_project(moved_clock):
    project = factories.past_deadline_project(moved_clock, prefix="RFC企业", draw_protocol="rfc3797",
                                              draw_sources="\n".join(SOURCES))
    return project_close(actor=project.created_by, project=project)


def _session_with_supervisors(api, project, n=2):
    session_id = _book_draw_session(api, project)
    return [_supervisor_in(api, project, session_id) for _ in range(n)]


def test_the_announced_sources_are_in_the_ledger_at_publication_and_no_secret_is_made(rfc_project):
    entry = LedgerEntry.objects.get(project=rfc_project.code, action="draw_sources_announced")

    assert entry.data["sources"] == SOURCES and entry.data["protocol"] == "rfc3797"
    assert not DrawSecret.objects.filter(project=rfc_project).exists()
    assert rfc_project.commitment == "" and rfc_project.candidates_digest


def test_an_rfc3797_draw_through_the_api_verifies_offline_against_the_published_digests(api, rfc_project, tmp_path):
    supervisors = _session_with_supervisors(api, rfc_project)
    api.force_login(supervisors[1])
    values = ["03 07 12 19 25 31 09", "10853.27"]

    drawn = api.post(f"/api/projects/{rfc_project.code}/draw", {"source_values": values}, format="json")

    assert drawn.status_code == 201, drawn.json()
    draw = Draw.objects.get(project=rfc_project)
    proof = draw.proof
    assert proof["protocol"] == "rfc3797" and proof["key"] == "3.7.9.12.19.25.31./10853.27/"
    pool = sorted(r.enterprise.uscc for r in Registration.objects.filter(project=rfc_project, eligible=True))
    assert proof["candidates"] == pool and proof["selected"] == len(pool)
    key = proof["key"].encode()
    expected, remaining = [], list(pool)  # the RFC's selection written again, sharing no code with the engine
    for i in range(len(pool)):
        c = i.to_bytes(2, "big")
        expected.append(remaining.pop(int(hashlib.md5(c + key + c).hexdigest(), 16) % len(remaining)))
    assert proof["ranking"] == expected
    assert Registration.objects.get(project=rfc_project, rank=1).enterprise.uscc == expected[0]
    completed = LedgerEntry.objects.get(project=rfc_project.code, action="draw_completed")
    assert completed.actor_id == supervisors[1].pk and completed.data["record_digest"] == proof["record_digest"]
    entered = LedgerEntry.objects.get(project=rfc_project.code, action="draw_sources_entered")
    assert entered.data["values"] == [["3", "7", "12", "19", "25", "31", "9"], ["10853.27"]]
    assert entered.actor_id == supervisors[1].pk
    path = tmp_path / "proof.json"
    api.logout()
    path.write_bytes(api.get(f"/api/projects/{rfc_project.code}/proof").content)
    ok = subprocess.run([sys.executable, str(VERIFY), str(path), "--candidates-digest", rfc_project.candidates_digest,
                         "--record-digest", completed.data["record_digest"]], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("OK"), ok.stdout
    page = api.get(f"/projects/{rfc_project.code}/result/").content.decode()
    assert SOURCES[1] in page and "10853.27" in page and proof["key"] in page and "--commitment" not in page


@pytest.mark.parametrize(("values", "field", "message"), [
    (["1 2 3"], "source_values", "全部2个"),
    (["1 2 3", ""], "source_values.2", "须录入公布的数值"),
    (["1 -2 3", "5"], "source_values.1", "“-2”不是非负数"),
    (["1 2 3", "1e5"], "source_values.2", "“1e5”不是非负数"),
    (["1 2 3", "１２"], "source_values.2", "不是非负数"),
    ("1 2 3", "source_values", "全部2个"),
])
def test_bad_source_values_are_refused_by_name_and_nothing_is_drawn(api, rfc_project, values, field, message):
    supervisor = _session_with_supervisors(api, rfc_project)[0]

    with pytest.raises(ValidationError) as refused:
        draw_run(actor=supervisor, project=rfc_project, source_values=values)

    assert message in " ".join(refused.value.message_dict[field])
    assert not Draw.objects.filter(project=rfc_project).exists()
    assert not LedgerEntry.objects.filter(project=rfc_project.code, action="draw_sources_entered").exists()


def test_sealed_inputs_are_refused_in_rfc3797_mode(api, rfc_project):
    supervisor = _session_with_supervisors(api, rfc_project)[0]
    api.force_login(supervisor)

    answer = api.post(f"/api/projects/{rfc_project.code}/draw/inputs", {"commitment": "a" * 64}, format="json")

    assert answer.status_code == 409


def test_a_non_supervisor_cannot_enter_the_values(api, rfc_project):
    _session_with_supervisors(api, rfc_project)
    api.force_login(rfc_project.created_by)

    answer = api.post(f"/api/projects/{rfc_project.code}/draw", {"source_values": ["1", "2"]}, format="json")

    assert answer.status_code == 403
    assert not Draw.objects.filter(project=rfc_project).exists()


def test_the_draw_screen_form_draws_and_redirects_to_the_result(client, api, rfc_project):
    supervisor = _session_with_supervisors(api, rfc_project)[0]
    client.force_login(supervisor)
    screen = client.get(f"/projects/{rfc_project.code}/draw/").content.decode()
    assert SOURCES[0] in screen and 'name="source_values"' in screen

    bad = client.post(f"/projects/{rfc_project.code}/draw/rfc3797", {"source_values": ["1 2", "x"]})
    assert bad.status_code == 400 and "不是非负数" in bad.content.decode()
    done = client.post(f"/projects/{rfc_project.code}/draw/rfc3797", {"source_values": ["1 2", "2.50"]})

    assert done.status_code == 302 and done["Location"] == f"/projects/{rfc_project.code}/result/"
    assert Draw.objects.get(project=rfc_project).proof["key"] == "1.2./2.5/"


@pytest.mark.parametrize(("data", "field"), [
    ({"draw_protocol": "rfc3797"}, "draw_sources"),
    ({"draw_protocol": "rfc3797", "draw_sources": "\n \n"}, "draw_sources"),
    ({"draw_protocol": "rfc3797", "draw_sources": ["A", "A"]}, "draw_sources"),
    ({"draw_protocol": "rfc3797", "draw_sources": ["x" * 201]}, "draw_sources.1"),
    ({"draw_protocol": "lottery"}, "draw_protocol"),
])
def test_a_project_choosing_rfc3797_must_name_its_sources(data, field):
    with pytest.raises(ValidationError) as refused:
        factories.fixed_price_project(publish=False, **data)

    assert field in refused.value.message_dict


def test_only_fixed_price_projects_choose_a_draw_protocol():
    with pytest.raises(ValidationError) as refused:
        factories.fixed_price_project(publish=False, type="procurement", fixed_price=None, draw_protocol="rfc3797",
                                      draw_sources=["A"])

    assert "draw_protocol" in refused.value.message_dict


def test_fractional_source_values_reach_the_proof_exactly():
    proof = engine.build_rfc3797_proof(project="P", pool=["a", "b", "c"], sources=[[Decimal("10853.270")]], k=3)

    assert json.loads(json.dumps(proof))["sources"] == [[10853.27]] and proof["key"] == "10853.27/"


def test_the_draw_record_of_an_rfc3797_draw_names_the_sources_values_and_key(api, rfc_project, tmp_path):
    from archive import selectors as archive_selectors
    from tests.archive.test_records import pdf_text

    supervisor = _session_with_supervisors(api, rfc_project)[0]
    draw_run(actor=supervisor, project=rfc_project, source_values=["5 1 22", "3308.5"])

    text = pdf_text(archive_selectors.record_for(rfc_project, "draw").build(), tmp_path)

    for fact in ["固定价比选抽取记录", "RFC3797", "1.5.22./3308.5/", rfc_project.candidates_digest,
                 "深圳证券交易所成份指数", "--record-digest", "中选"]:
        assert fact in text, fact
    assert "--commitment" not in text
