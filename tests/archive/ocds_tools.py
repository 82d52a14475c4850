"""The Open Contracting Partnership's own tools, run offline against the vendored OCDS 1.1.5 schemas: libcoveocds
(what the OCDS Data Review Tool runs) and ocdskit's compile (the reference merge, ocdsmerge)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import ocdskit.combine
import requests
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig

SCHEMAS = Path(__file__).with_name("schemas")


def _standard_zip() -> bytes:
    """libcoveocds reads the standard's schema files from a ZIP of the standard repository (config `standard_zip`,
    which also takes bytes): ours holds the two vendored schemas, a versioned-release schema that accepts anything
    (we publish no versioned releases) and one codelist (libcoveocds 0.17 fails on a standard without codelists). The
    closed codelists are enums in the release schema, checked by tests/archive/test_ocds.validate."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard/", "")
        for name in ("release-schema.json", "release-package-schema.json"):
            archive.writestr(f"standard/schema/{name}", (SCHEMAS / name).read_text())
        archive.writestr("standard/schema/versioned-release-validation-schema.json",
                         json.dumps({"$schema": "http://json-schema.org/draft-04/schema#"}))
        archive.writestr("standard/schema/codelists/currency.csv", "Code,Title\nCNY,Yuan Renminbi\n")
    return buffer.getvalue()


def _offline(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError(f"the OCDS tools tried the network: {args[1:3]}")
    monkeypatch.setattr(requests.Session, "request", refuse)


def cove(package: dict, monkeypatch) -> dict:
    """libcoveocds' report on a release package: its validation errors, additional fields and checks."""
    _offline(monkeypatch)
    config = LibCoveOCDSConfig({"standard_zip": _standard_zip(), "context": "api"})
    return ocds_json_output(json_data=package, schema_version="1.1", lib_cove_ocds_config=config, record_pkg=False)


def assert_cove_clean(package: dict, monkeypatch) -> None:
    report = cove(package, monkeypatch)
    assert report["version_used"] == "1.1"
    assert report["validation_errors"] == [], report["validation_errors"]
    assert report["additional_fields"] == [], report["additional_fields"]
    assert report["additional_checks"] == {}, report["additional_checks"]


def ocdskit_compile(package: dict, monkeypatch) -> list[dict]:
    """The compiled releases ocdskit makes of a release package, one per ocid."""
    _offline(monkeypatch)
    schema = json.loads((SCHEMAS / "release-schema.json").read_text())
    return list(ocdskit.combine.merge([package], schema=schema))
