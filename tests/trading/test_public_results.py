"""The public finds results one click from the home page and from each project (中标候选人公示, 成交公示, the draw
result), without logging in."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("demo", verbosity=0)


def test_the_home_page_lists_every_kind_of_result_for_anonymous_visitors(client, demo):
    page = client.get("/").content.decode()
    assert 'href="/#results"' in page  # in the navigation of every page
    for link in ('href="/candidates/CG-2026-0002/"', 'href="/auction/TD-2026-0002/"',
                 'href="/projects/GD-2026-0002/result/"'):
        assert link in page
    assert 'href="/candidates/CG-2026-0001/"' not in page  # a project still open for registration has none


@pytest.mark.parametrize(("code", "link", "label"), [
    ("CG-2026-0002", "/candidates/CG-2026-0002/", "中标候选人公示"),
    ("TD-2026-0002", "/auction/TD-2026-0002/", "成交公示"),
    ("GD-2026-0002", "/projects/GD-2026-0002/result/", "抽取结果公示"),
])
def test_a_projects_page_links_its_result(client, demo, code, link, label):
    page = client.get(f"/projects/{code}/").content.decode()
    assert f'id="result-link" href="{link}">{label}<' in page
    assert client.get(link).status_code == 200


def test_an_open_project_offers_no_result_link(client, demo):
    assert 'id="result-link"' not in client.get("/projects/GD-2026-0001/").content.decode()
