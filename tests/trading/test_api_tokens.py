"""API tokens: a person issues their own from a password login's session, never one for somebody else; each issue
and revocation is on the ledger, never the key."""

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.authtoken.models import Token

from audit.models import LedgerEntry
from core.roles import Role
from tests import factories
from trading.services import accounts

pytestmark = pytest.mark.django_db


def test_a_person_issues_their_own_token_once_shown_and_the_ledger_records_it_without_the_key(api):
    agency = factories.agency_user()
    api.force_login(agency)
    answer = api.post("/api/token")
    assert answer.status_code == 201
    key = answer.json()["token"]
    assert Token.objects.get(user=agency).key == key
    [entry] = LedgerEntry.objects.filter(action="api_token_issued")
    assert entry.actor == agency.username and entry.data["username"] == agency.username
    assert key not in str(entry.data) and key not in entry.object_id

    api.logout()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/rooms").status_code == 200
    assert api.post("/api/token").status_code == 403  # a token cannot mint its successor


def test_a_new_token_replaces_the_old_and_revoking_is_recorded(api):
    person = factories.user(Role.SUPERVISOR)
    api.force_login(person)
    first = api.post("/api/token").json()["token"]
    second = api.post("/api/token").json()["token"]
    assert first != second and list(Token.objects.filter(user=person).values_list("key", flat=True)) == [second]
    assert api.delete("/api/token").status_code == 204
    assert not Token.objects.filter(user=person).exists()
    actions = list(LedgerEntry.objects.filter(action__startswith="api_token").order_by("seq")
                   .values_list("action", "actor"))
    assert actions == [("api_token_issued", person.username), ("api_token_revoked", person.username),
                       ("api_token_issued", person.username), ("api_token_revoked", person.username)]


def test_nobody_mints_a_token_for_another_person_not_even_the_administrator():
    admin, inspector = factories.user(Role.ADMIN), factories.user(Role.INSPECTOR)
    with pytest.raises(PermissionDenied):
        accounts.api_token_issue(actor=admin, user=inspector)
    assert not Token.objects.exists()
