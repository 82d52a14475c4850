"""The accessibility check: axe-core (installed by `make axe` from the npm registry) run in the page as a person's
browser renders it; serious and critical violations fail the test."""

from __future__ import annotations

from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")


def violations(page) -> list[dict]:
    """The serious and critical axe violations on the page, each with the elements it names."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make axe` (npm install of axe-core, pinned by package-lock.json)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in found if v["impact"] in FAILING]
