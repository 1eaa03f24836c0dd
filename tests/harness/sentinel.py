"""A Redis master, a replica and three Sentinels (`redis-server --sentinel`) on free ports."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .processes import RedisServer, free_port, stop_process, wait_for_port

MASTER_NAME = "greengrocer"


def _redis_server() -> str:
    return shutil.which("redis-server") or "/usr/bin/redis-server"


class SentinelSet:
    """`start(master=False)` starts only the Sentinels, watching a master that is not there."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.master = RedisServer(directory / "master")
        self.replica_port = free_port()
        self.ports = [free_port() for _ in range(3)]
        self.processes: list[subprocess.Popen] = []

    @property
    def addresses(self) -> str:
        """The value of REDIS_SENTINELS."""
        return ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def start(self, *, master: bool = True) -> SentinelSet:
        if master:
            self.master.start()
            replica = self.directory / "replica"
            replica.mkdir(parents=True, exist_ok=True)
            self._launch([_redis_server(), "--port", str(self.replica_port), "--bind", "127.0.0.1",
                          "--dir", str(replica), "--replicaof", "127.0.0.1", str(self.master.port),
                          "--appendonly", "yes", "--save", ""], self.replica_port)  # fmt: skip
        for port in self.ports:
            folder = self.directory / f"sentinel-{port}"
            folder.mkdir(parents=True, exist_ok=True)
            # Sentinel rewrites its config file as it learns the set-up: one file each.
            (folder / "sentinel.conf").write_text(
                f"port {port}\nbind 127.0.0.1\ndir {folder}\n"
                f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.master.port} 2\n"
                f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
                f"sentinel failover-timeout {MASTER_NAME} 3000\n"
            )
            self._launch([_redis_server(), str(folder / "sentinel.conf"), "--sentinel"], port)
        return self

    def _launch(self, argv: list[str], port: int) -> None:
        log = open(self.directory / f"redis-{port}.log", "ab")  # noqa: SIM115
        self.processes.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT))
        wait_for_port(port)

    def stop(self) -> None:
        for process in self.processes:
            stop_process(process)
        self.master.stop()
