"""OCDS 1.1 release packages, validated against the vendored OCDS 1.1.5 schemas (tests/archive/schemas)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from archive import ocds, services
from tests import factories

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
    assert "/api/ocds/{code}" in json.loads(schema.content)["paths"]


def test_export_ocds_writes_one_valid_package_per_published_project(tendered_project, tmp_path):
    factories.fixed_price_project(publish=False)
    stdout = io.StringIO()
    call_command("export_ocds", "--out", str(tmp_path), "--quiet", stdout=stdout)
    files = sorted(tmp_path.glob("*.json"))  # the release package and the record package
    assert [f.name for f in files] == [f"{tendered_project.code}.json", f"{tendered_project.code}.record.json"]
    validate(json.loads(files[0].read_text()))
