"""The server's log: a refused request is one line, without a traceback (it is an answer, not a fault), printed
once; a fault keeps its traceback. Browsers find a favicon instead of a 404 on every page."""

import pytest
from django.test import Client
from django.urls import path

from core.roles import Role
from tests import factories
from tests.evaluation import builders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.REGISTRATION_MIN_DAYS = 1


@pytest.fixture
def server_log(settings, monkeypatch):
    """The log as `make run` prints it (DEBUG on): the logging set up as Django sets it up, its stderr read here;
    set up again afterwards for the tests that follow."""
    import io
    import sys

    from django.utils.log import configure_logging

    settings.DEBUG = True
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)

    def read() -> str:
        text = stderr.getvalue()
        stderr.seek(0)
        stderr.truncate()
        return text

    yield read
    monkeypatch.undo()
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def test_a_403_is_logged_as_one_line_without_a_traceback(server_log):
    project = builders.procurement()
    client = Client()
    client.force_login(factories.user(Role.EXPERT))
    server_log()

    assert client.get(f"/evaluation/{project.code}/score/").status_code == 403

    err = server_log()
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [f"Forbidden (Permission denied): /evaluation/{project.code}/score/"], err
    assert "Traceback" not in err


def _boom(request):
    raise RuntimeError("a real fault")


urlpatterns = [path("boom/", _boom)]


def test_a_fault_keeps_its_traceback_in_the_log(server_log, settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    assert client.get("/boom/").status_code == 500

    err = server_log()
    assert err.count("Traceback") == 1 and "a real fault" in err, err


def test_pages_link_a_favicon_that_exists():
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    page = Client().get("/").content.decode()
    assert f'<link rel="icon" type="image/svg+xml" href="{static("img/favicon.svg")}">' in page
    assert finders.find("img/favicon.svg")  # served with the other static files
