"""403 and 404 in the site's layout and the reader's language, saying why: an expert not on a panel is told so,
a missing project is a page with the navigation, never Django's bare English "403 Forbidden"."""

import pytest
from django.test import Client

from core.roles import Role
from tests import factories
from tests.evaluation import builders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.DEBUG = False  # the error pages people meet (DEBUG shows Django's technical 404 instead)
    settings.REGISTRATION_MIN_DAYS = 1


def test_an_expert_not_on_the_panel_is_told_why_in_the_site_layout():
    project = builders.procurement()
    client = Client()
    client.force_login(factories.user(Role.EXPERT))

    response = client.get(f"/evaluation/{project.code}/score/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "您不是本项目评标委员会成员。" in page
    assert "无权访问" in page and "我的评标任务" in page  # the site's title and navigation, the expert's own link
    assert "403 Forbidden" not in page and 'class="top"' in page


def test_the_403_page_speaks_english_to_an_english_reader():
    project = builders.procurement()
    client = Client(headers={"accept-language": "en"})
    client.force_login(factories.user(Role.EXPERT))
    client.cookies["django_language"] = "en"

    page = client.get(f"/evaluation/{project.code}/score/").content.decode()

    assert "You are not a member of this project&#x27;s evaluation panel." in page
    assert "Access denied" in page


def test_a_missing_project_is_a_404_page_in_the_layout_with_the_reason():
    client = Client()
    response = client.get("/projects/GD-2099-9999/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "项目不存在。" in page and "页面不存在" in page
    assert 'class="top"' in page and "交易公告" in page
    assert "Not Found" not in page


def test_a_404_from_django_itself_shows_no_english_internals():
    page = Client().get("/no-such-page/").content.decode()

    assert "页面不存在" in page and "Resolver404" not in page and "matches the given query" not in page
