"""PostgreSQL: registrations racing the deadline, and two agencies booking one room at once."""

import datetime as dt
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.utils import timezone

from core.errors import Conflict
from tests import factories
from trading.models import Registration, Session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_100_registrations_racing_the_deadline_are_each_stored_once_or_refused(on_postgres, settings):
    settings.REGISTRATION_MIN_DAYS = 0
    deadline = timezone.now() + dt.timedelta(seconds=4)
    project = factories.fixed_price_project(deadline=deadline)
    enterprises = [factories.enterprise_with_licences(f"并发企业{n}")[1] for n in range(100)]
    wait = max(0.0, (deadline - timezone.now()).total_seconds())
    rng = random.Random(7)
    # spread the attempts around the deadline: about half before, half after
    delays = [wait - 1.0 + rng.random() * 2.0 for _ in enterprises]
    start = time.monotonic()
    outcomes: dict[int, str] = {}
    lock = threading.Lock()

    def attempt(index: int) -> None:
        time.sleep(max(0.0, delays[index] - (time.monotonic() - start)))
        try:
            factories.register(project, enterprises[index])
            result = "accepted"
        except Conflict:
            result = "refused"
        finally:
            connections.close_all()
        with lock:
            outcomes[index] = result

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(attempt, range(100)))
    accepted = {i for i, r in outcomes.items() if r == "accepted"}
    refused = {i for i, r in outcomes.items() if r == "refused"}
    assert len(accepted) + len(refused) == 100
    assert accepted and refused, "the attempts did not straddle the deadline"
    stored = list(Registration.objects.filter(project=project).values_list("registered_by_id", "registered_at"))
    assert sorted(uid for uid, _ in stored) == sorted(enterprises[i].pk for i in accepted)
    assert all(at < deadline for _, at in stored)


def test_two_agencies_booking_one_room_at_once_get_one_session(on_postgres):
    room = factories.room("draw")
    projects = [factories.fixed_price_project(), factories.fixed_price_project()]
    starts = timezone.now() + dt.timedelta(days=3)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def book(project) -> None:
        from trading.services.sessions import session_book

        barrier.wait()
        try:
            session_book(actor=project.created_by, project=project, room=room, kind="draw", starts_at=starts,
                         ends_at=starts + dt.timedelta(hours=2))
            results.append("booked")
        except Conflict:
            results.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(p,)) for p in projects]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["booked", "conflict"]
    assert Session.objects.filter(room=room).count() == 1
