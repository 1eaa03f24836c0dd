"""The supplier stub's switches (faults, size, pictures) and its state: version clock, fault
counters, pictures a test put in place. See devservers/supplier_stub.py for what they do."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

from .supplier_catalog import CAPACITY, fraction, reserve_for
from .supplier_pictures import Picture

MAX_PAGE_SIZE = 1000


@dataclasses.dataclass
class Switches:
    size: int = 1000
    pictures_per_product: int = 2
    page_size: int = 100
    seed: int = 0
    version_seconds: float = 0.0
    latency_ms: int = 0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    retry_after: int = 1
    timeout_rate: float = 0.0
    timeout_seconds: float = 15.0
    malformed_pages: list[int] = dataclasses.field(default_factory=list)
    fault_seed: int = 0
    max_consecutive_faults: int = 3
    picture_latency_ms: int = 0
    picture_error_rate: float = 0.0
    picture_throttle_rate: float = 0.0
    picture_timeout_rate: float = 0.0

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Switches:
        switches = cls()
        for field in dataclasses.fields(cls):
            raw = env.get(f"SUPPLIER_{field.name.upper()}")
            if raw is not None:
                setattr(switches, field.name, _coerce(field.name, raw))
        switches.validate()
        return switches

    def validate(self) -> None:
        if self.size < 0 or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"size must be >= 0 and page_size within 1..{MAX_PAGE_SIZE}")
        if self.size + reserve_for(self.size) > CAPACITY:
            raise ValueError(f"size must leave room for its reserve within {CAPACITY} distinct products")
        for prefix in ("", "picture_"):
            rates = [getattr(self, f"{prefix}{kind}_rate") for kind in ("error", "throttle", "timeout")]
            if any(r < 0 for r in rates) or sum(rates) > 1:
                raise ValueError(
                    f"{prefix}error_rate, {prefix}throttle_rate and {prefix}timeout_rate must be >= 0 and sum to <= 1"
                )
        lowest = min(self.latency_ms, self.picture_latency_ms, self.retry_after, self.timeout_seconds,
                     self.max_consecutive_faults, self.pictures_per_product)  # fmt: skip
        if lowest < 0:
            raise ValueError(
                "latency_ms, picture_latency_ms, retry_after, timeout_seconds, max_consecutive_faults and"
                " pictures_per_product must be >= 0"
            )

    def rates(self, *, pictures: bool) -> tuple[float, float, float]:
        """The error, throttle and timeout rates of the catalog pages, or of the pictures."""
        prefix = "picture_" if pictures else ""
        return tuple(getattr(self, f"{prefix}{kind}_rate") for kind in ("error", "throttle", "timeout"))


_FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(Switches)}


def _coerce(name: str, value: Any) -> Any:
    """A switch value from JSON or the environment, or ValueError."""
    kind = _FIELD_TYPES[name]
    if kind == "list[int]":
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if not isinstance(value, list):
            raise ValueError(f"{name} must be a list of page numbers")
        return sorted({int(part) for part in value})
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    return int(value) if kind == "int" else float(value)


class StubState:
    """The switches, the version clock and the per-page fault counters, behind one lock."""

    def __init__(self, initial: Switches) -> None:
        self.initial = initial
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.switches = dataclasses.replace(self.initial, malformed_pages=list(self.initial.malformed_pages))
        self.base_version = 0
        self.clock_started = time.monotonic()
        self.attempts: dict[str, int] = {}
        self.fault_streaks: dict[str, int] = {}
        self.counters = {"ok": 0, "error": 0, "throttle": 0, "timeout": 0, "malformed": 0}
        self.picture_counters = {"ok": 0, "not_modified": 0, "error": 0, "throttle": 0, "timeout": 0}
        self.picture_overrides: dict[str, Picture] = {}

    @property
    def version(self) -> int:
        seconds = self.switches.version_seconds
        ticks = int((time.monotonic() - self.clock_started) / seconds) if seconds > 0 else 0
        return self.base_version + ticks

    def set_version(self, version: int) -> None:
        self.base_version = version
        self.clock_started = time.monotonic()

    def describe(self) -> dict[str, Any]:
        return {"version": self.version, "switches": dataclasses.asdict(self.switches),
                "counters": dict(self.counters), "picture_counters": dict(self.picture_counters)}  # fmt: skip

    def apply(self, changes: dict[str, Any]) -> None:
        """Change switches from a control request; ValueError leaves everything as it was."""
        if changes.get("reset"):
            self.reset()
        updated = dataclasses.replace(self.switches)
        for name, value in changes.items():
            if name in ("reset", "version", "advance_version"):
                continue
            if name not in _FIELD_TYPES:
                raise ValueError(f"unknown switch: {name}")
            setattr(updated, name, _coerce(name, value))
        updated.validate()
        version = self.version
        if "version" in changes:
            version = int(changes["version"])
        if "advance_version" in changes:
            version += int(changes["advance_version"])
        if version < 0:
            raise ValueError("version must be >= 0")
        if updated.version_seconds != self.switches.version_seconds or version != self.version:
            self.set_version(version)
        self.switches = updated

    def fault_for(self, key: str, *, pictures: bool = False) -> str | None:
        """The fault this attempt at `key` gets ("error", "throttle", "timeout") or None."""
        s = self.switches
        attempt = self.attempts.get(key, 0) + 1
        self.attempts[key] = attempt
        streak = self.fault_streaks.get(key, 0)
        roll = fraction(s.fault_seed, "fault", key, attempt)
        error_rate, throttle_rate, timeout_rate = s.rates(pictures=pictures)
        fault = None
        if streak < s.max_consecutive_faults:
            if roll < error_rate:
                fault = "error"
            elif roll < error_rate + throttle_rate:
                fault = "throttle"
            elif roll < error_rate + throttle_rate + timeout_rate:
                fault = "timeout"
        self.fault_streaks[key] = streak + 1 if fault else 0
        (self.picture_counters if pictures else self.counters)[fault or "ok"] += 1
        return fault
