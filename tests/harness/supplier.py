"""The real supplier stub (devservers.supplier_stub) in a subprocess on a free port, for any test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from .processes import ROOT, free_port, stop_process, wait_for_port

# Small, still and picture-free: a catalog that syncs in seconds and only changes when a test
# says so; the picture tests switch pictures on (pictures_per_product) for a few products.
TEST_DEFAULTS = {"SUPPLIER_SIZE": "300", "SUPPLIER_PAGE_SIZE": "50", "SUPPLIER_VERSION_SECONDS": "0",
                 "SUPPLIER_PICTURES_PER_PRODUCT": "0"}  # fmt: skip


class SupplierStub:
    """`python -m devservers.supplier_stub`, driven through its control endpoint."""

    def __init__(self, *, port: int | None = None, log_path: Path | None = None, **env: str) -> None:
        self.port = port or free_port()
        self.env = {**TEST_DEFAULTS, **{k.upper(): str(v) for k, v in env.items()}}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.http = requests.Session()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SupplierStub:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devservers.supplier_stub", "--port", str(self.port)],
            cwd=ROOT,
            env={**os.environ, "LOG_LEVEL": "WARNING", **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None
        self.http.close()

    def control(self, **changes: Any) -> dict[str, Any]:
        """Change switches (see the stub's docstring); returns the stub's state."""
        response = self.http.post(f"{self.url}/control", json=changes, timeout=5)
        response.raise_for_status()
        return response.json()

    def state(self) -> dict[str, Any]:
        response = self.http.get(f"{self.url}/control", timeout=5)
        response.raise_for_status()
        return response.json()

    def reset(self, **changes: Any) -> dict[str, Any]:
        """Back to the start configuration (version 0, no faults, counters cleared), then `changes`."""
        return self.control(reset=True, **changes)

    def put_picture(self, path: str, content: bytes, *, content_type: str = "image/jpeg") -> None:
        """Serve `content` at the picture's path from now on (until a reset): a changed or hostile picture."""
        response = self.http.put(f"{self.url}{path}", data=content, headers={"Content-Type": content_type},
                                 timeout=30)  # fmt: skip
        response.raise_for_status()

    def catalog(self, version: int | None = None) -> list[dict[str, Any]]:
        """Every product the supplier lists (at `version`, default the current one)."""
        params = {} if version is None else {"version": version}
        response = self.http.get(f"{self.url}/catalog", params=params, timeout=10)
        response.raise_for_status()
        return response.json()["items"]
