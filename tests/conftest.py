"""Shared fixtures. Every test that writes ends with a verified audit chain."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.db import connection
from hypothesis import settings as hypothesis_settings

from core import clock, context

# No deadline per example: Hypothesis's default (200 ms) fails a correct change on a loaded machine, and speed is
# bench/'s to measure (STYLE.md, "Tests")
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.OBJECT_STORE_DIR = tmp_path / "objects"
    settings.SIGNING_KEY_PATH = str(tmp_path / "keys" / "centre-ed25519.pem")
    settings.AXES_ENABLED = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    settings.AUDIT_SEQUENCER = "commit"  # sequenced by the committing thread: no thread outlives a test
    yield


@pytest.fixture(autouse=True)
def _tasks_run_when_the_code_under_test_commits(monkeypatch):
    """A test runs inside one transaction of its own, so on_commit would never fire: work enqueued while no
    transaction of the code under test is open (after a request's service committed) runs at once, as it does in
    production; work enqueued inside one stays pending, as it would until that transaction commits."""
    from django.db import connection, transaction

    from core import tasks

    def after_commit(fn):
        if all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
            fn()
        else:
            transaction.on_commit(fn)

    monkeypatch.setattr(tasks, "_after_commit", after_commit)


@pytest.fixture(autouse=True)
def _chain_verifies_after_test(request, _isolated_settings):  # checked under the test's settings (its key)
    yield
    if "django_db_setup" not in request.fixturenames:
        return
    if not any(m.name == "django_db" for m in request.node.iter_markers()) and not _uses_db(request):
        return
    if getattr(request.node, "_chain_deliberately_broken", False):
        return
    from audit.sequencer import sequence_pending
    from audit.verify import verify_chain

    sequence_pending()  # what the test wrote takes its place in the tree, which is then recomputed too
    result = verify_chain()
    assert result.ok, f"audit chain broken after the test: entry {result.broken_seq}: {result.problem}"


def _uses_db(request) -> bool:
    return any(name in request.fixturenames for name in ("db", "transactional_db", "client", "api"))


@pytest.fixture
def chain_broken_on_purpose(request):
    """For tests that tamper with the ledger: skip the end-of-test chain check."""
    request.node._chain_deliberately_broken = True


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL: run it with DATABASE_URL=postgres://… (make test does)")


@pytest.fixture
def system_actor(db):
    with context.acting_as_system():
        yield context.current().actor


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


def login(client, user):
    client.force_login(user)
    return client


class MovedClock:
    """The platform's clock moved for the rest of one test, and put back when it ends. Move it outside any
    `with clock.travel(...)` block: leaving that block puts the clock back to where the block found it."""

    def __init__(self, stack: contextlib.ExitStack):
        self._stack = stack

    def travel(self, delta: dt.timedelta) -> None:
        self._stack.enter_context(clock.travel(delta))

    def move_past(self, moment: dt.datetime) -> None:
        self.travel(moment - clock.now() + dt.timedelta(seconds=1))


@pytest.fixture
def moved_clock():
    """For a deadline the test must pass: tests move the platform's clock, never wait for the real one."""
    with contextlib.ExitStack() as stack:
        yield MovedClock(stack)
