"""`celery beat` in a subprocess with the shop's scheduler, as the Procfile runs it.

with BeatProcess(tmp_path):
    ...  # the periodic tasks of `manage.py setup_schedules` (the outbox sweeper every 15 s, ...)

Several BeatProcess, each with its own directory, are beats on several hosts.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from shop.celery import BEAT_SCHEDULER

from .processes import ROOT, stack_env


class BeatProcess:
    def __init__(self, directory: Path, *, setup_schedules: bool = True) -> None:
        self.directory = directory
        self.setup_schedules = setup_schedules
        self.process: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return self.directory / "beat.log"

    def start(self) -> BeatProcess:
        if self.setup_schedules:
            call_command("setup_schedules", stdout=io.StringIO())
        self.directory.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "shop", "beat", f"--scheduler={BEAT_SCHEDULER}", "--pidfile=",
             f"--schedule={self.directory / 'beat-schedule'}", "--loglevel=INFO"],
            cwd=ROOT, env=stack_env(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        return self

    def kill(self) -> None:
        """SIGKILL: the host is gone, nothing is flushed or synced."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> BeatProcess:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
