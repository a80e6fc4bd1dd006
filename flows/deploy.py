"""The ``nightly`` deployment: when it runs and with which parameters.

Schedules live here (and in ``prefect.yaml``), never in a flow body.
``clausewise serve`` builds the deployment with :func:`nightly_deployment` and
either serves it (a long-running process that starts each scheduled run) or
only registers it with the Prefect server (``--apply-only``), for a worker or
``prefect.yaml`` to pick up.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from prefect.schedules import Cron

from flows.nightly import nightly
from pipeline.store import NoDatabase, Store

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

__all__ = [
    "DEFAULT_CRON", "BadSchedule", "NoPrefectServer", "apply", "check_server", "close_interrupted_runs",
    "nightly_deployment", "schedule", "serve",
]

#: The checkout the deployment's entrypoint (``flows/nightly.py:nightly``) is relative to.
ROOT = Path(__file__).resolve().parent.parent

#: 02:00 every night.
DEFAULT_CRON = "0 2 * * *"


class BadSchedule(ValueError):
    """A cron expression or time zone Prefect would reject."""


class NoPrefectServer(RuntimeError):
    """The Prefect server ``PREFECT_API_URL`` names cannot be reached (refused, unknown host, no answer)."""


def _api_url() -> str:
    from prefect.settings import get_current_settings

    return get_current_settings().api.url or "(PREFECT_API_URL not set)"


def _transport_error(error: BaseException) -> BaseException | None:
    """The httpx transport error (connect, timeout, network) behind ``error``, if that is what it is."""
    import httpx

    seen: set[int] = set()
    todo = [error]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, httpx.TransportError):
            return e
        todo.extend(x for x in (e.__cause__, e.__context__) if x is not None)
        if isinstance(e, BaseExceptionGroup):
            todo.extend(e.exceptions)
    return None


def _unreachable(error: BaseException) -> NoPrefectServer:
    """One line: which server, why in words (``connection refused``), and what to do."""
    import httpx

    why = "no answer (timed out)" if isinstance(error, httpx.TimeoutException) else None
    cause: BaseException | None = error
    while why is None and cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            why = cause.strerror[0].lower() + cause.strerror[1:]
        cause = cause.__cause__ or cause.__context__
    why = why or str(error).strip() or type(error).__name__
    return NoPrefectServer(f"cannot reach the Prefect server at {_api_url()}: {why}. Start it (`prefect server "
                           "start`) or set PREFECT_API_URL to its API address (docs/flows.md)")


def check_server() -> None:
    """Raise :class:`NoPrefectServer` unless the server ``PREFECT_API_URL`` names answers (its ``/health``).

    A server that answers, even with an error status, is left to the call that needs it to judge."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    found = _transport_error(problem) if problem is not None else None
    if found is not None:
        raise _unreachable(found) from problem


def schedule(cron: str = DEFAULT_CRON, timezone: str = "UTC") -> Cron:
    """The cron schedule, checked now (Prefect would otherwise reject it with a traceback later)."""
    from pydantic import ValidationError

    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValidationError as e:
        error = e.errors()[0]
        setting = "--timezone" if error["loc"] == ("timezone",) else "--cron"
        raise BadSchedule(f"{setting}: {error['msg'].removeprefix('Value error, ')}") from None
    return Cron(cron, timezone=timezone)


def nightly_deployment(
    inbox: str,
    db: str,
    register: str | None = None,
    playbook: str | None = None,
    out: str | None = None,
    *,
    cron: str = DEFAULT_CRON,
    timezone: str = "UTC",
    name: str = "nightly",
) -> RunnerDeployment:
    """A deployment of :func:`flows.nightly.nightly` on a cron schedule, paths made absolute."""

    def absolute(path: str | None) -> str | None:
        return str(Path(path).resolve()) if path else None

    return nightly.to_deployment(
        name=name,
        schedule=schedule(cron, timezone),
        parameters={
            "inbox": absolute(inbox), "db": absolute(db), "register": absolute(register),
            "playbook": absolute(playbook), "out": absolute(out),
        },
        description="New signed contracts from the inbox, then refreshed renegotiation candidate lists.",
        tags=["clausewise"],
    )


def apply(deployment: RunnerDeployment, pool: str | None = None) -> UUID:
    """Register the deployment (and its schedule) with the Prefect server; return its id.

    Without ``pool`` only a ``serve`` of the same deployment runs it; with ``pool`` a worker of that work pool
    (``prefect worker start --pool NAME``, a process pool) does, in this checkout (job variable ``working_dir``):
    the entrypoint is ``flows/nightly.py:nightly`` relative to it.
    """
    if pool:
        deployment.job_variables = {"working_dir": str(ROOT), **deployment.job_variables}
    try:
        return deployment.apply(work_pool_name=pool)
    except Exception as e:
        found = _transport_error(e)
        if found is None:
            raise
        raise _unreachable(found) from e


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def serve(deployment: RunnerDeployment) -> None:
    """Register the deployment and run its scheduled flow runs in this process until interrupted.

    Losing the Prefect server (refused, no answer) raises :class:`NoPrefectServer`. A run still going when this
    process stops (Ctrl-C, SIGTERM) is killed with it, before it can record its
    own end: :func:`close_interrupted_runs` records it ``interrupted`` and marks it Crashed in Prefect.
    """
    from prefect import serve as prefect_serve

    started = _now()
    try:
        prefect_serve(deployment)
    except Exception as e:
        found = _transport_error(e)
        if found is None:
            raise
        raise _unreachable(found) from e
    finally:
        close_interrupted_runs(deployment.parameters["db"], deployment.parameters["inbox"], since=started)


def close_interrupted_runs(db: str, inbox: str, *, since: str) -> list[str]:
    """Close the ``nightly`` runs of ``inbox`` started since ``since`` and still ``running``: status
    ``interrupted`` in ``flow_runs`` (the watermark stays), and Crashed in Prefect with their running
    subflows. Returns their ids."""
    try:
        store = Store(db, create=False)
    except NoDatabase:
        return []
    with store:
        ids = [r["id"] for r in store.flow_runs("nightly")
               if r["status"] == "running" and r["started_at"] >= since and r["parameters"].get("inbox") == inbox]
        for run_id in ids:
            store.finish_flow_run(run_id, "interrupted", _now())
    if ids:
        _crash_in_prefect(ids)
    return ids


def _crash_in_prefect(run_ids: list[str]) -> None:
    """Mark the flow runs and their running subflows Crashed (best effort: the database record is what counts)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter, FlowRunFilterParentFlowRunId, FlowRunFilterState, FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    message = "clausewise serve stopped while the run was going; its flow_runs row says interrupted"
    try:
        with get_client(sync_client=True) as client:
            todo = [UUID(i) for i in run_ids]
            while todo:
                for run_id in todo:
                    client.set_flow_run_state(run_id, Crashed(message=message), force=True)
                todo = [r.id for r in client.read_flow_runs(flow_run_filter=FlowRunFilter(
                    parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=todo),
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING])),
                ))]
    except Exception:  # noqa: BLE001 - the server may be gone too; the database is already right
        pass
