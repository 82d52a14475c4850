"""OCDS 1.1 release packages, validated against the vendored OCDS 1.1.5 schemas (tests/archive/schemas)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from archive import ocds, services
from archive.models import Release
from core import context
from core.errors import Conflict
from tests import factories
from tests.archive.conftest import awarded_and_followed
from tests.archive.ocds_tools import assert_cove_clean, ocdskit_compile
from trading.models import Organisation
from trading.services.projects import project_close

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).with_name("schemas")


def validate(package: dict) -> None:
    release = json.loads((SCHEMAS / "release-schema.json").read_text())
    package_schema = json.loads((SCHEMAS / "release-package-schema.json").read_text())
    registry = Registry().with_resource(release["id"], Resource.from_contents(release, default_specification=DRAFT4))
    validator = Draft4Validator(package_schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(package)]
    assert not errors, errors
    # the package schema only points at the release schema: check each release against it directly too
    for item in package["releases"]:
        Draft4Validator(release, format_checker=Draft4Validator.FORMAT_CHECKER).validate(item)


def package_of(project) -> dict:
    services.release_record(project)
    return ocds.release_package(project)


def test_a_fixed_price_project_is_a_valid_package_with_random_selection_and_the_proof(finished_project):
    package = package_of(finished_project)
    validate(package)
    (release,) = package["releases"]
    tender = release["tender"]
    assert tender["awardCriteria"] == "randomSelection" and "fps-draw-v1" in tender["awardCriteriaDetails"]
    proof = next(d for d in tender["documents"] if d["id"].endswith("-proof"))
    assert proof["url"].endswith(f"/api/projects/{finished_project.code}/proof")
    assert finished_project.draws.get().proof_sha256 in proof["description"]
    contract = finished_project.contracts.get()
    assert release["awards"][0]["suppliers"][0]["name"] == contract.enterprise.name
    assert release["contracts"][0]["status"] == "active" and release["contracts"][0]["value"]["amount"] == 1780000.0
    assert tender["numberOfTenderers"] == 4


def test_a_failed_round_is_an_unsuccessful_process_linked_from_the_next_round(failed_then_drawn_project):
    package = package_of(failed_then_drawn_project)
    validate(package)
    first, second = package["releases"]
    assert first["tender"]["status"] == "unsuccessful" and first["tender"]["numberOfTenderers"] == 2
    (link,) = second["relatedProcesses"]
    assert link["relationship"] == ["unsuccessfulProcess"] and link["identifier"] == first["ocid"]
    assert second["tender"]["numberOfTenderers"] == 3 and second["awards"][0]["status"] == "pending"


def test_a_tendered_procurement_project_is_a_valid_package(tendered_project):
    package = package_of(tendered_project)
    validate(package)
    tender = package["releases"][0]["tender"]
    assert tender["status"] == "active" and "awardCriteria" not in tender
    assert tender["value"]["amount"] == 3200000.0 and package["releases"][0]["tag"] == ["tender"]


def test_the_api_serves_published_projects_to_anyone_and_hides_drafts(api, tendered_project):
    response = api.get(f"/api/ocds/{tendered_project.code}")
    assert response.status_code == 200
    validate(response.json())
    draft = factories.fixed_price_project(publish=False)
    api.force_login(draft.created_by)  # not even its own agency: a draft is no contracting process yet
    assert api.get(f"/api/ocds/{draft.code}").status_code == 404
    assert api.get("/api/ocds/NO-SUCH-CODE").status_code == 404


def test_the_ocds_endpoint_is_in_the_openapi_schema(api):
    schema = api.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/ocds/{code}" in paths and "/api/ocds/{code}/record" in paths


def test_export_ocds_writes_one_valid_package_per_published_project(tendered_project, tmp_path):
    factories.fixed_price_project(publish=False)
    stdout = io.StringIO()
    call_command("export_ocds", "--out", str(tmp_path), "--quiet", stdout=stdout)
    files = sorted(tmp_path.glob("*.json"))  # the release package and the record package
    assert [f.name for f in files] == [f"{tendered_project.code}.json", f"{tendered_project.code}.record.json"]
    validate(json.loads(files[0].read_text()))


def test_an_award_keeps_its_id_from_the_draw_to_the_signed_contract(drawn_project, monkeypatch):
    services.release_record(drawn_project)  # publicity: the first of the draw, pending
    project = awarded_and_followed(drawn_project)
    services.release_record(project)
    package = ocds.release_package(project)
    validate(package)
    assert_cove_clean(package, monkeypatch)
    publicity, contracted = package["releases"]
    assert publicity["tag"] == ["award"] and publicity["awards"][0]["status"] == "pending"
    (compiled,) = ocdskit_compile(package, monkeypatch)
    (award,) = compiled["awards"]
    contract = project.contracts.get()
    assert award["id"] == publicity["awards"][0]["id"] == compiled["contracts"][0]["awardID"]
    assert award["status"] == "active" and award["suppliers"][0]["id"] == f"CN-USCC-{contract.enterprise.uscc}"
    assert _without_id(ocds.record_package(project)["records"][0]["compiledRelease"]) == _without_id(compiled)


def _without_id(release: dict) -> dict:
    return {k: v for k, v in release.items() if k != "id"}


def test_releases_are_kept_append_only_and_a_read_without_change_adds_none(api, tendered_project):
    first = api.get(f"/api/ocds/{tendered_project.code}").json()
    again = api.get(f"/api/ocds/{tendered_project.code}").json()
    assert first == again and len(first["releases"]) == 1
    with context.acting(tendered_project.created_by):
        tendered_project.title = "县政务服务中心办公设备采购（更正）"
        tendered_project.save()
    package = api.get(f"/api/ocds/{tendered_project.code}").json()
    assert [r["tender"]["title"] for r in package["releases"]] == ["县政务服务中心办公设备采购", tendered_project.title]
    assert package["releases"][0] == first["releases"][0]  # the earlier release is served as it was
    row = Release.objects.get(release_id=package["releases"][1]["id"])
    assert row.sha256 == hashlib.sha256(json.dumps(row.data, ensure_ascii=False, sort_keys=True,
                                                   separators=(",", ":")).encode()).hexdigest()
    with pytest.raises(Conflict):
        row.save()
    with pytest.raises(Conflict):
        row.delete()
    record = api.get(f"/api/ocds/{tendered_project.code}/record").json()
    (compiled,) = record["records"]
    assert compiled["compiledRelease"]["tender"]["title"] == tendered_project.title
    assert [r["url"].rsplit("#", 1)[1] for r in compiled["releases"]] == [r["id"] for r in package["releases"]]


def test_a_state_change_records_a_release_once_committed(moved_clock, django_capture_on_commit_callbacks):
    project = factories.fixed_price_project()
    for n in range(2):
        factories.register(project, factories.enterprise_with_licences(f"提交后发布企业{n}")[1])
    moved_clock.move_past(project.registration_deadline)
    with django_capture_on_commit_callbacks(execute=True):
        project_close(actor=project.created_by, project=project)
    (release,) = Release.objects.filter(project=project)
    assert release.data["tender"]["numberOfTenderers"] == 2


def test_the_buyer_is_the_tenderer_and_the_agency_the_procuring_entity(tendered_project):
    tenderer = factories.organisation(name="某县教育和体育局", kind=Organisation.Kind.TENDERER)
    with context.acting(tendered_project.created_by):
        tendered_project.tenderer = tenderer
        tendered_project.save()
    (release,) = package_of(tendered_project)["releases"]
    assert release["buyer"] == {"id": f"CN-USCC-{tenderer.uscc}", "name": "某县教育和体育局"}
    agency = tendered_project.agency
    assert release["tender"]["procuringEntity"]["id"] == f"CN-USCC-{agency.uscc}"
    roles = {p["id"]: p["roles"] for p in release["parties"]}
    assert roles == {f"CN-USCC-{tenderer.uscc}": ["buyer"], f"CN-USCC-{agency.uscc}": ["procuringEntity"]}


def test_the_prefix_and_the_base_url_are_settings(settings, tendered_project):
    settings.OCDS_PREFIX, settings.PUBLIC_BASE_URL = "ocds-abc123", "https://ggzy.example.gov.cn/"
    package = package_of(tendered_project)
    assert package["uri"] == f"https://ggzy.example.gov.cn/api/ocds/{tendered_project.code}"
    assert package["releases"][0]["ocid"] == f"ocds-abc123-{tendered_project.code}-r1"
    assert package["releases"][0]["tender"]["documents"][0]["url"].startswith("https://ggzy.example.gov.cn/projects/")
