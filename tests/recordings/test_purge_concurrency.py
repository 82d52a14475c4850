"""Two purge runs at once on PostgreSQL (threads, one connection each, a barrier): every expired recording is
purged exactly once, with exactly one tombstone, and neither run reports a failure."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from audit.models import LedgerEntry
from core import clock, context
from recordings import services
from recordings.models import Recording
from tests.recordings.uploads import as_user, upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_purges_at_once_purge_each_recording_once(on_postgres, api, past_session, roles, clip):
    ids = [upload(as_user(api, roles["supervisor"]), past_session, clip).json()["id"] for _ in range(4)]
    barrier, runs, errors = threading.Barrier(2, timeout=120), [], []  # a failed thread never hangs the run

    def purge() -> None:
        try:
            with context.acting_as_system():
                barrier.wait()
                runs.append(services.recordings_purge(actor=context.current().actor))
        except Exception as error:  # noqa: BLE001 - reported by the test thread
            errors.append(error)
        finally:
            connection.close()

    with clock.travel(dt.timedelta(days=61)):
        threads = [threading.Thread(target=purge) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

    assert errors == [] and all(run.failed == [] for run in runs)
    assert sorted(pk for run in runs for pk in run.done) == sorted(ids)
    assert set(Recording.objects.values_list("status", flat=True)) == {Recording.Status.PURGED}
    tombstones = LedgerEntry.objects.filter(action="recording_purged").values_list("object_id", flat=True)
    assert sorted(int(pk) for pk in tombstones) == sorted(ids)
