"""PostgreSQL, threads with a barrier and one connection each: one signer's two simultaneous signatures of a record
store one; a signature racing its key's revocation is either refused or made before the revocation."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from archive import selectors
from archive.models import RecordSignature
from core.errors import Conflict
from core.roles import Role
from tests import factories
from tests.archive.test_signatures import bound_key, draw_supervisor, sign
from trading.models import SigningKey
from trading.services.signing_keys import signing_key_revoke

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return ("ok", call())
        except (Conflict, ValidationError) as exc:
            return ("refused", exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [r[0] for r in pool.map(run, calls)]


def test_two_simultaneous_signatures_of_one_signer_store_one(on_postgres, drawn_project):
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(supervisor, factories.user(Role.ADMIN))
    record = selectors.record_for(drawn_project, "draw")

    outcomes = _race([lambda: sign(supervisor, personal, key, record)] * 2)

    assert sorted(outcomes) == ["ok", "refused"]
    assert RecordSignature.objects.count() == 1


def test_a_signature_racing_its_keys_revocation_is_refused_or_made_before_it(on_postgres, drawn_project):
    admin = factories.user(Role.ADMIN)
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(supervisor, admin)
    record = selectors.record_for(drawn_project, "draw")

    outcomes = _race([lambda: sign(supervisor, personal, key, record),
                      lambda: signing_key_revoke(actor=admin, key=key, reason="电脑遗失")])

    key = SigningKey.objects.get(pk=key.pk)
    assert outcomes[1] == "ok" and key.revoked_at is not None
    for signed in RecordSignature.objects.all():
        assert signed.signed_at < key.revoked_at
    assert outcomes[0] == "ok" or not RecordSignature.objects.exists()
