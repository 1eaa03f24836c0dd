"""The sync's own exceptions (the supplier's are in sync.client)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shop.platform.errors import Conflict, TransientError, Unavailable, UpstreamRefused

if TYPE_CHECKING:
    from .models import SyncRun


class SyncAlreadyRunning(Conflict):
    """Another sync is running; `run` is it (None if it is still being started)."""

    code = "sync_running"

    def __init__(self, run: SyncRun | None) -> None:
        running = (
            {"id": run.pk, "status": run.status, "trigger": run.trigger, "job": run.job_id} if run else None
        )
        super().__init__("A supplier sync is already running.", details={"run": running})
        self.run = run


class SupplierUnavailable(Unavailable):
    code = "supplier_unavailable"
    default_message = "The supplier's API does not answer."


class SupplierRejected(UpstreamRefused):
    code = "supplier_rejected"
    default_message = "The supplier's API refused the request."


class PagesOutstanding(TransientError):
    """The finish step ran before every page reported (a redelivered page counted twice)."""
