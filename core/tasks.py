"""The one entry point for background work. `enqueue(fn, *args)` runs a module-level function of ours once the
current transaction commits (at once outside one), so a rolled-back change never publishes or notifies anything;
`job_start(...)` does the same for work a person waits for and follows on a page (a `Job` with state, progress and
result).

Where the work runs is chosen by one setting. Without `CELERY_BROKER_URL` (the embedded default, `make run`) it runs
in this process, on commit. With it (Redis), the call is sent to Celery workers (`celery -A config worker`), as
many as needed on as many machines. Either way the function runs as the system account, never as nobody.

On the workers a task is acknowledged only when it has finished (`acks_late`) and put back when its worker dies
(`reject_on_worker_lost`), so it may run more than once: every task is idempotent (a job already done is not run
again; a recording's derived media are adopted, not written twice; a notification has a unique key). A failure is
retried with exponential backoff; the last failure is kept as a `TaskFailure` that administrators see in the admin.
"""

from __future__ import annotations

import contextvars
import importlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction

from core import clock, context

logger = logging.getLogger(__name__)

# only functions of our own apps can be named in a message: a broker that someone else can write to must not be
# able to call anything importable
TASK_MODULES = frozenset({"core", "audit", "trading", "lottery", "evaluation", "recordings", "archive", "inspection"})
DEFAULT_RETRIES = 5
DEFAULT_BACKOFF_S = 10.0  # then 20, 40, 80, 160 s: a store or mail server that is down for minutes is waited for


@dataclass(frozen=True)
class Spec:
    name: str
    fn: Callable[..., Any]
    retries: int = DEFAULT_RETRIES
    backoff_s: float = DEFAULT_BACKOFF_S


_SPECS: dict[str, Spec] = {}
_current_job: contextvars.ContextVar[int | None] = contextvars.ContextVar("current_job", default=None)


def task(*, retries: int = DEFAULT_RETRIES, backoff_s: float = DEFAULT_BACKOFF_S) -> Callable[[Callable], Callable]:
    """Declare a function's retry policy (functions without it get the defaults)."""
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        _SPECS[name_of(fn)] = Spec(name_of(fn), fn, retries, backoff_s)
        return fn
    return register


def name_of(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}:{fn.__qualname__}"


def spec_for(name: str) -> Spec:
    """The function a message names: a module-level function of one of our apps, declared a task."""
    module, _sep, attribute = name.partition(":")
    if module.split(".")[0] not in TASK_MODULES or not attribute.isidentifier():
        raise LookupError(f"{name!r} is not a task of this platform")
    try:
        fn = getattr(importlib.import_module(module), attribute)  # importing it registers its @task policy
    except (ImportError, AttributeError) as error:
        raise LookupError(f"{name!r} is not a task of this platform") from error
    if name not in _SPECS:
        raise LookupError(f"{name!r} is not declared a task (core.tasks.task)")
    return _SPECS.get(name) or Spec(name, fn)


def enqueue(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `fn(*args, **kwargs)` after the current transaction commits, here or on a worker. Slow I/O (object
    storage, PDFs, mail) belongs here, never inside the locked transaction that caused it. Arguments travel as
    JSON: ids and text, never model instances."""
    name = spec_for(name_of(fn)).name
    _after_commit(lambda: dispatch(name, list(args), kwargs))


def job_start(*, kind: str, subject: str, actor: Any, fn: Callable[..., Any], args: tuple = ()) -> Any:
    """A job the actor follows: `fn(*args)` runs in the background; its return value (JSON) is the job's result,
    and it may report `progress(percent)` on the way."""
    from core.models import Job

    name = spec_for(name_of(fn)).name
    job = Job.objects.create(kind=kind, subject=subject[:100], started_by=actor if actor.pk else None,
                             created_at=clock.now())
    _after_commit(lambda: dispatch(name, list(args), {}, job_id=job.pk))
    return job


def _after_commit(fn: Callable[[], None]) -> None:
    transaction.on_commit(fn)


def progress(percent: int) -> None:
    """Report how far the current job has come (nothing outside a job)."""
    from core.models import Job

    if (job_id := _current_job.get()) is not None:
        Job.objects.filter(pk=job_id).update(progress=max(0, min(100, int(percent))))


def dispatch(name: str, args: list, kwargs: dict, *, job_id: int | None = None) -> None:
    if settings.CELERY_BROKER_URL:
        from celery import current_app
        from kombu import pools

        try:  # the URL is read here, not when the app was configured, so the setting is the one switch
            broker = current_app.connection_for_write(settings.CELERY_BROKER_URL)
            # from kombu's pool of connections to that URL: a new connection per message (TCP, the broker's
            # handshake) cost a request more than the rest of a registration did
            with pools.connections[broker].acquire(block=True, timeout=10) as connection:
                run_task.apply_async(args=[name, args, kwargs, job_id], connection=connection,
                                     queue=settings.CELERY_TASK_DEFAULT_QUEUE)
        except Exception as error:  # noqa: BLE001 - the change has committed: the broker's outage is kept, not raised
            _record_failure(name, args, kwargs, job_id, 0, error)
        return
    try:
        execute(name, args, kwargs, job_id=job_id, attempt=1, final=True)
    except Exception:  # noqa: BLE001 - recorded as a TaskFailure by execute; the request that caused it goes on
        pass


def execute(name: str, args: list, kwargs: dict, *, job_id: int | None, attempt: int, final: bool) -> Any:
    """One attempt, as the system account. The last allowed attempt that fails leaves a TaskFailure (and fails the
    job); an earlier one only raises, to be retried."""
    from core.models import Job

    spec = spec_for(name)
    if job_id is not None and not _job_begins(job_id, attempt):
        return None  # delivered again after it had finished: done once
    token = _current_job.set(job_id)
    try:
        with context.acting_as_system(reason=name):
            result = spec.fn(*args, **kwargs)
    except Exception as error:
        logger.warning("task %s attempt %d failed: %s", name, attempt, error)
        if final:
            _record_failure(name, args, kwargs, job_id, attempt, error)
        raise
    finally:
        _current_job.reset(token)
    if job_id is not None:
        Job.objects.filter(pk=job_id).update(state=Job.State.DONE, progress=100, result=result,
                                             finished_at=clock.now(), error="")
    return result


def _job_begins(job_id: int, attempt: int) -> bool:
    from core.models import Job

    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.finished:
            return False
        job.state, job.attempts, job.started_at = Job.State.RUNNING, job.attempts + 1, clock.now()
        job.save(update_fields=["state", "attempts", "started_at"])
    return True


def _record_failure(name: str, args: list, kwargs: dict, job_id: int | None, attempt: int, error: Exception) -> None:
    from core.models import Job, TaskFailure

    logger.error("task %s failed for good after %d attempt(s): %s", name, attempt, error)
    text = f"{type(error).__name__}: {error}"[:4000]
    with transaction.atomic():
        if job_id is not None:
            Job.objects.filter(pk=job_id).update(state=Job.State.FAILED, error=text, finished_at=clock.now())
        TaskFailure.objects.create(task=name, arguments={"args": args, "kwargs": kwargs}, job_id=job_id,
                                   attempts=attempt, error=text, traceback=traceback.format_exc()[-20000:],
                                   failed_at=clock.now())


@shared_task(name="core.run", bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_task(self: Any, name: str, args: list, kwargs: dict, job_id: int | None = None) -> None:
    """The one Celery task: runs the named function of ours, retried with exponential backoff."""
    spec = spec_for(name)
    final = self.request.retries >= spec.retries
    try:
        execute(name, args, kwargs, job_id=job_id, attempt=self.request.retries + 1, final=final)
    except Exception as error:
        if final:
            return  # kept as a TaskFailure: acknowledged, not redelivered for ever
        raise self.retry(exc=error, countdown=spec.backoff_s * 2 ** self.request.retries) from error


def run_now(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a task's function here and now, as the system account (the management commands do this by hand)."""
    with context.acting_as_system(reason=name_of(fn)):
        return fn(*args, **kwargs)
