"""The ``nightly`` deployment: when it runs and with which parameters.

Schedules live here (and in ``prefect.yaml``), never in a flow body.
``clausewise serve`` builds the deployment with :func:`nightly_deployment` and
either serves it (a long-running process that starts each scheduled run) or
only registers it with the Prefect server (``--apply-only``), for a worker or
``prefect.yaml`` to pick up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from prefect.schedules import Cron

from flows.nightly import nightly

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

__all__ = ["DEFAULT_CRON", "apply", "nightly_deployment", "serve"]

#: 02:00 every night.
DEFAULT_CRON = "0 2 * * *"


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
        schedule=Cron(cron, timezone=timezone),
        parameters={
            "inbox": absolute(inbox), "db": absolute(db), "register": absolute(register),
            "playbook": absolute(playbook), "out": absolute(out),
        },
        description="New signed contracts from the inbox, then refreshed renegotiation candidate lists.",
        tags=["clausewise"],
    )


def apply(deployment: RunnerDeployment) -> UUID:
    """Register the deployment (and its schedule) with the Prefect server; return its id."""
    return deployment.apply()


def serve(deployment: RunnerDeployment) -> None:
    """Register the deployment and run its scheduled flow runs in this process until interrupted."""
    from prefect import serve as prefect_serve

    prefect_serve(deployment)
