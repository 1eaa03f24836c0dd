"""Linux network namespaces for the hosts suite: a "core" and worker "hosts" on one bridge.

The core namespace holds a bridge with CORE_ADDRESS; each host namespace gets a veth pair,
one end on that bridge, the other its `eth0` with 10.231.0.(10+n). Only these namespaces
and addresses are ever created or contacted; the machine's own network is left alone (the
links are made inside the namespaces, never in the initial one). Deleting a namespace
deletes its links.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from pathlib import Path

CORE_ADDRESS = "10.231.0.1"
PREFIX = 24
CLONE_NEWNET = 0x40000000


def _ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")


def cannot_create_reason() -> str:
    """Why namespaces cannot be made here ("" when they can): not root, no iproute2, refused."""
    if os.geteuid() != 0:
        return "creating network namespaces needs root"
    if shutil.which("ip") is None:
        return "creating network namespaces needs iproute2's `ip` (make test-hosts installs it)"
    probe = f"ggprobe{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except RuntimeError as exc:
        return f"network namespaces cannot be created here: {exc}"
    _ip("netns", "del", probe)
    return ""


def _setns(path: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {path}")
    finally:
        os.close(fd)


class Network:
    """`create()` the core and `hosts`; `cut(host)` sets a host's link down; `delete()`."""

    def __init__(self, hosts: list[str]) -> None:
        tag = os.getpid()
        self.core = f"gg{tag}-core"
        self.namespaces = {name: f"gg{tag}-{name}" for name in hosts}
        self.addresses = {name: f"10.231.0.{10 + n}" for n, name in enumerate(hosts, 1)}
        self._original = f"/proc/{os.getpid()}/task/{os.getpid()}/ns/net"
        self._original_fd: int | None = None

    def create(self) -> Network:
        _ip("netns", "add", self.core)
        _ip("-n", self.core, "link", "set", "lo", "up")
        _ip("-n", self.core, "link", "add", "br0", "type", "bridge")
        _ip("-n", self.core, "addr", "add", f"{CORE_ADDRESS}/{PREFIX}", "dev", "br0")
        _ip("-n", self.core, "link", "set", "br0", "up")
        for name, namespace in self.namespaces.items():
            _ip("netns", "add", namespace)
            _ip("-n", namespace, "link", "set", "lo", "up")
            veth = ["type", "veth", "peer", "name", "eth0", "netns", namespace]
            _ip("-n", self.core, "link", "add", f"v{name}", *veth)
            _ip("-n", self.core, "link", "set", f"v{name}", "master", "br0", "up")
            _ip("-n", namespace, "addr", "add", f"{self.addresses[name]}/{PREFIX}", "dev", "eth0")
            _ip("-n", namespace, "link", "set", "eth0", "up")
        return self

    def enter_core(self) -> None:
        """This thread (and the threads and processes it starts) joins the core's network, as
        a client on the core host would; `leave_core()` goes back."""
        self._original_fd = os.open(self._original, os.O_RDONLY)
        _setns(f"/run/netns/{self.core}")

    def leave_core(self) -> None:
        if self._original_fd is not None:
            _setns(f"/proc/self/fd/{self._original_fd}")
            os.close(self._original_fd)
            self._original_fd = None

    def cut(self, host: str) -> None:
        """The host's cable is pulled: its veth goes down, every packet to the core is lost."""
        _ip("-n", self.namespaces[host], "link", "set", "eth0", "down")

    def prefix(self, host: str | None = None) -> list[str]:
        """The command prefix that runs a program in the core (None) or in `host`."""
        return ["ip", "netns", "exec", self.namespaces[host] if host else self.core]

    def delete(self) -> None:
        for namespace in [*self.namespaces.values(), self.core]:
            if Path(f"/run/netns/{namespace}").exists():
                subprocess.run(["ip", "netns", "del", namespace], capture_output=True, check=False)
