"""Trading's periodic work, as tasks (Celery beat runs it every minute; `manage.py run_deadlines` by hand)."""

from __future__ import annotations

from core.tasks import task
from trading.services import deadlines


@task(retries=0)  # the next minute's run is the retry
def run_deadlines() -> dict:
    run = deadlines.deadlines_run()
    if run.refused:
        raise RuntimeError("refused: " + "; ".join(run.refused))
    return {"closed": run.closed, "lapsed": len(run.lapsed)}
