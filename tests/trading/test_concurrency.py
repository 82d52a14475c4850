"""PostgreSQL: registrations racing the deadline, and two agencies booking one room at once."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.utils import timezone

from core import clock
from core.errors import Conflict
from tests import factories
from trading.models import Registration, Session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_100_registrations_racing_the_deadline_are_each_stored_once_or_refused(on_postgres, settings):
    """Half of the attempts reach the database after the deadline although the service's check let them through
    (its clock still before the deadline, as for a request that checked just before it): the database refuses
    exactly those. Both projects race in one pool from one start, with no real time to wait for."""
    settings.REGISTRATION_MIN_DAYS = 0
    with clock.travel(-dt.timedelta(days=1)):
        open_project = factories.fixed_price_project()
        passed = factories.fixed_price_project(deadline=timezone.now() - dt.timedelta(minutes=1))
    enterprises = [factories.enterprise_with_licences(f"并发企业{n}")[1] for n in range(100)]
    projects = [open_project if n % 2 else passed for n in range(100)]
    start = threading.Event()
    outcomes: dict[int, str] = {}
    lock = threading.Lock()

    def attempt(index: int) -> None:
        start.wait()
        try:
            factories.register(projects[index], enterprises[index])
            result = "accepted"
        except Conflict as refused:  # by the database's constraint, not by the service's check
            result = "refused" if "registration_deadline" in refused.errors else f"refused: {refused.detail}"
        finally:
            connections.close_all()
        with lock:
            outcomes[index] = result

    with clock.travel(-dt.timedelta(days=1)), ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(attempt, n) for n in range(100)]
        start.set()
        for future in futures:
            future.result()

    accepted = {i for i, r in outcomes.items() if r == "accepted"}
    assert accepted == {i for i in range(100) if projects[i] == open_project}
    assert {i for i, r in outcomes.items() if r == "refused"} == set(range(100)) - accepted
    stored = Registration.objects.values_list("project_id", "registered_by_id", "registered_at")
    assert sorted(uid for _, uid, _ in stored) == sorted(enterprises[i].pk for i in accepted)
    assert all(project == open_project.pk and at < open_project.registration_deadline for project, _, at in stored)


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
