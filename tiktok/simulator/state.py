"""What one running simulator holds besides the world: clock, quota, tokens, faults, counters."""

from __future__ import annotations

import secrets
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from aiohttp import web

from tiktok.simulator.faults import Faults
from tiktok.simulator.world import DAY, EPOCH, World

DEMO_CLIENT_KEY = "sim-demo-key"
DEMO_CLIENT_SECRET = "sim-demo-secret"  # printed at start; accepted only by this local simulator


class SimClock:
    """Simulated time: starts at EPOCH, runs `speed` times real time, and can be moved by hand."""

    def __init__(self, start: float = EPOCH, speed: float = 1.0) -> None:
        self._sim0, self._real0, self.speed = float(start), time.monotonic(), speed

    def now(self) -> float:
        return self._sim0 + (time.monotonic() - self._real0) * self.speed

    def _rebase(self) -> None:
        self._sim0, self._real0 = self.now(), time.monotonic()

    def advance(self, seconds: float) -> None:
        self._rebase()
        self._sim0 += seconds

    def set(self, t: float) -> None:
        self._rebase()
        self._sim0 = t

    def set_speed(self, speed: float) -> None:
        self._rebase()
        self.speed = speed


@dataclass
class QuotaLimits:
    """Per UTC day, per endpoint family (TIKTOK-FORMATS.md §6)."""

    research_requests: int = 1000
    research_records: int = 100_000
    follow_requests: int = 20_000
    follow_records: int = 2_000_000

    def limits(self, family: str) -> tuple[int, int]:
        return getattr(self, f"{family}_requests"), getattr(self, f"{family}_records")


class Quota:
    """Requests and records used per family and simulated UTC day; resets at 00:00 UTC."""

    def __init__(self, limits: QuotaLimits) -> None:
        self.limits = limits
        self.used: dict[tuple[str, int], list[int]] = {}

    def _day(self, family: str, t: float) -> list[int]:
        return self.used.setdefault((family, int(t // DAY)), [0, 0])

    def exhausted(self, family: str, t: float) -> bool:
        requests, records = self.limits.limits(family)
        used = self._day(family, t)
        return used[0] >= requests or used[1] >= records

    def charge(self, family: str, t: float, requests: int = 0, records: int = 0) -> None:
        used = self._day(family, t)
        used[0] += requests
        used[1] += records

    def reset(self) -> None:
        self.used.clear()

    def describe(self, t: float) -> dict[str, Any]:
        day = int(t // DAY)
        out = {}
        for family in ("research", "follow"):
            requests, records = self.limits.limits(family)
            used = self.used.get((family, day), [0, 0])
            out[family] = {"requests": used[0], "records": used[1], "request_limit": requests, "record_limit": records}
        return {"day_start": day * DAY, "next_reset": (day + 1) * DAY, **out}


class Bounded(OrderedDict[str, Any]):
    """A dict that forgets its oldest entries past `limit` (search ids, sessions, tokens)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


@dataclass
class SimState:
    world: World
    clock: SimClock
    faults: Faults
    quota: Quota
    client_key: str = DEMO_CLIENT_KEY
    client_secret: str = DEMO_CLIENT_SECRET
    token_ttl: int = 7200
    cache_dir: Path = Path("/tmp/tiktok-sim-cache")
    media_secret: bytes = b""
    tokens: Bounded = field(default_factory=lambda: Bounded(10_000))
    searches: Bounded = field(default_factory=lambda: Bounded(2_000))
    ms_tokens: Bounded = field(default_factory=lambda: Bounded(100_000))
    feed_sessions: Bounded = field(default_factory=lambda: Bounded(1_000))
    page_times: Bounded = field(default_factory=lambda: Bounded(10_000))
    comment_times: Bounded = field(default_factory=lambda: Bounded(200_000))  # "video:k" -> when comment k appeared
    served: Counter[str] = field(default_factory=Counter)
    foryou_cache: tuple[int, np.ndarray, np.ndarray] | None = None
    feed_rng: np.random.Generator | None = None  # seeded from the world: the same requests get the same feed
    personal_feed: bool = True  # False: everyone gets the popularity feed, whatever they watched (--feed popular)

    def __post_init__(self) -> None:
        if not self.media_secret:
            self.media_secret = f"{self.world.seed}:media".encode()
        if self.feed_rng is None:
            self.feed_rng = np.random.default_rng([self.world.seed, 0xF0F0])

    def log_id(self) -> str:
        """A log id like the real ones: UTC YYYYMMDDhhmmss then 20 hex characters."""
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(self.clock.now()))
        return stamp + secrets.token_hex(10).upper()


STATE_KEY = web.AppKey("state", SimState)


def state_of(request: web.Request) -> SimState:
    return request.app[STATE_KEY]
