"""The apps' imports point one way: core ← audit ← trading ← lottery, evaluation, recordings ← archive, inspection.
Every import counts, at module level or inside a function, and so does naming a model by its label."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = {"core": 0, "audit": 1, "trading": 2, "lottery": 3, "evaluation": 3, "recordings": 3, "archive": 4,
         "inspection": 4}
# imports between apps of one floor that the design names, each one way only: panels are drawn with the draw
# engine; a draw's result cites its session's video; the inspectors' PDF export uses the archive's record layout
SIDEWAYS = {("evaluation", "lottery"), ("lottery", "recordings"), ("inspection", "archive")}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _sources(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", sorted(LAYER))
def test_an_app_imports_only_the_floors_below_it(app):
    wrong = []
    for path in _sources(app):
        for other in _imports(path) & LAYER.keys():
            if other != app and LAYER[other] >= LAYER[app] and (app, other) not in SIDEWAYS:
                wrong.append(f"{path.relative_to(ROOT)} imports {other}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("app", ["core", "audit"])
def test_the_ground_floors_name_no_domain_model_by_label(app):
    domain = "|".join(name for name, floor in LAYER.items() if floor >= 2)
    label = re.compile(rf"""["'](?:{domain})\.[A-Z]\w*["']""")
    named = [f"{path.relative_to(ROOT)}: {m.group(0)}" for path in _sources(app)
             for m in label.finditer(path.read_text(encoding="utf-8"))]
    assert not named, "\n".join(named)
