"""The sync's own exceptions (the supplier's are in sync.client)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shop.errors import TransientError

if TYPE_CHECKING:
    from .models import SyncRun


class SyncAlreadyRunning(Exception):
    """Another sync is running; `run` is it (None if it is still being started)."""

    def __init__(self, run: SyncRun | None) -> None:
        super().__init__(f"sync run {run.pk if run else '?'} is already running")
        self.run = run


class PagesOutstanding(TransientError):
    """The finish step ran before every page reported (a redelivered page counted twice)."""
