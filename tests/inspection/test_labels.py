"""The inspectors' timeline in Chinese: every action the platform writes has a Chinese name from the one mapping,
models by their verbose names, roles by their labels, objects by their names; and a login is one event, not an
event and an anonymous change of the user (Django's last_login, which the history leaves out)."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from audit.models import LedgerEntry
from core import context
from core.roles import Role
from inspection import labels
from tests import factories
from trading.models import User

pytestmark = pytest.mark.django_db


def test_every_action_the_demo_writes_has_a_chinese_name(settings):
    settings.AXES_ENABLED = False
    call_command("demo", stdout=io.StringIO())
    Client().post("/login/", {"username": "enterprise1", "password": "wrong"})
    Client().post("/login/", {"username": "enterprise1", "password": "Demo-pass-2026"})
    actions = set(LedgerEntry.objects.values_list("action", flat=True))

    unnamed = {a for a in actions if not re.search(r"[\u4e00-\u9fff]", labels.action_label(a))}

    assert not unnamed and {"login", "login_failed", "create"} <= actions


def test_models_roles_and_objects_are_named_as_people_read_them():
    enterprise = factories.user(Role.ENTERPRISE)
    entry = LedgerEntry.objects.filter(object_type="trading.User", object_id=str(enterprise.pk)).first()

    assert labels.model_label("trading.User") == "用户" and labels.model_label("gone.Model") == "gone.Model"
    assert labels.role_label("inspector") == "纪检监察" and labels.role_label("") == ""
    assert labels.object_names([entry]) == {("trading.User", str(enterprise.pk)): str(enterprise)}
    assert labels.action_label("access_denied") == "拒绝访问" and labels.action_label("new_code") == "new_code"


def test_a_login_is_one_event_without_a_history_row_of_its_last_login():
    enterprise = factories.user(Role.ENTERPRISE)
    rows = enterprise.history.count()
    answer = Client().post("/login/", {"username": enterprise.username, "password": factories.PASSWORD})

    assert answer.status_code == 302

    assert User.objects.get(pk=enterprise.pk).last_login is not None
    assert enterprise.history.count() == rows
    assert LedgerEntry.objects.filter(action="login", actor_id=enterprise.pk).count() == 1
    assert not LedgerEntry.objects.filter(action="update", object_type="trading.User",
                                          object_id=str(enterprise.pk)).exists()


def test_a_change_of_a_recorded_field_still_writes_history_when_named_with_last_login():
    enterprise = factories.user(Role.ENTERPRISE)
    rows = enterprise.history.count()

    with context.acting(enterprise):
        enterprise.first_name = "新名字"
        enterprise.save(update_fields=["first_name", "last_login"])

    assert enterprise.history.count() == rows + 1
    assert enterprise.history.latest("history_id").first_name == "新名字"
