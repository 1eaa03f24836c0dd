"""`celery beat` in a subprocess with the database scheduler, as the Procfile runs it.

with BeatProcess(tmp_path):
    ...  # the periodic tasks of `manage.py setup_schedules` (the outbox sweeper every 15 s, ...)
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from .processes import ROOT, stack_env


class BeatProcess:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> BeatProcess:
        call_command("setup_schedules", stdout=io.StringIO())
        log = (self.directory / "beat.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "shop", "beat", "--scheduler=django", "--pidfile=",
             f"--schedule={self.directory / 'beat-schedule'}", "--loglevel=INFO"],
            cwd=ROOT, env=stack_env(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> BeatProcess:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
