"""The records and dossier page of a project is reachable: linked from the project page for those who may read it,
from the agency's workspace and from the inspectors' pages, and from nowhere for anyone else."""

import pytest
from django.test import Client

from core.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _page(user, path: str) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(path).content.decode()


def test_the_project_page_links_the_records_for_those_who_may_read_them():
    project = factories.fixed_price_project()
    link = f'href="/projects/{project.code}/records/"'
    readers = [project.created_by, factories.user(Role.SUPERVISOR), factories.user(Role.INSPECTOR)]
    others = [None, factories.user(Role.ENTERPRISE), factories.user(Role.EXPERT), factories.agency_user()]

    for user in readers:
        assert link in _page(user, f"/projects/{project.code}/"), user.role
    for user in others:
        assert link not in _page(user, f"/projects/{project.code}/"), getattr(user, "role", "anonymous")


def test_the_workspace_and_the_inspectors_trail_link_the_records():
    project = factories.fixed_price_project()
    link = f'href="/projects/{project.code}/records/"'

    assert link in _page(project.created_by, "/workspace/")
    assert link in _page(factories.user(Role.INSPECTOR), f"/inspect/projects/{project.code}/")
