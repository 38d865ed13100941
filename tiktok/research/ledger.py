"""The daily quota ledger: what the lab's Research API client has spent today, per endpoint family,
and whether one more request fits. TikTok gives a client 1,000 research requests and 100,000
records a day, followers and following their own 20,000 and 2,000,000, reset at 00:00 UTC, and the
quota is shared by every member of the lab (TIKTOK-FORMATS.md §6).

One interface, two homes, chosen by the switch TIKTOK_REDIS_URL (issue 14):
- one machine: DATA_DIR/state/research-quota.json (QuotaLedger in state.py, which rebuilds a
  damaged file from runs.jsonl);
- workers sharing a crawl: one Redis hash per UTC day and family, so N workers together never send
  more than the quota: each request is taken from the day's allowance in one atomic step before
  it is sent.

A request counts when it is sent, whatever its answer: a 500 still costs (§4). A
daily_quota_limit_exceeded answer (someone else spent the quota) closes the day for every worker.

Settings: TIKTOK_QUOTA_RESEARCH_REQUESTS, TIKTOK_QUOTA_RESEARCH_RECORDS, TIKTOK_QUOTA_FOLLOW_REQUESTS,
TIKTOK_QUOTA_FOLLOW_RECORDS (default: the documented quota; a lab with another quota sets its
own), DATA_DIR, TIKTOK_REDIS_URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import redis

from tiktok.research.state import DAILY, QuotaLedger, utc_day

DAY_KEY_TTL = 2 * 86400  # a day's counts are kept a day past its end, then Redis forgets them


def limits(settings: Any) -> dict[str, tuple[int, int]]:
    """(requests, records) a day per family: the settings, else the documented quota."""
    return {
        family: (
            settings.getint(f"TIKTOK_QUOTA_{family.upper()}_REQUESTS", requests),
            settings.getint(f"TIKTOK_QUOTA_{family.upper()}_RECORDS", records),
        )
        for family, (requests, records) in DAILY.items()
    }


class Ledger(Protocol):
    def take(self, family: str) -> bool:
        """One request of today's allowance, counted as spent; False when the day is spent."""

    def add(self, family: str, requests: int = 0, records: int = 0) -> None:
        """Counts what an answer cost beyond its request (records; a request not taken first)."""

    def close_day(self, family: str) -> None:
        """The API said the quota is spent: nothing more is taken today."""

    def today(self, family: str) -> dict[str, int]:
        """{"requests": n, "records": n} spent today."""


class LocalLedger:
    """The ledger of one machine, in DATA_DIR/state/ (saved at each answer: a kill -9 must not
    forget what was spent)."""

    def __init__(self, data_dir: Path, daily: dict[str, tuple[int, int]]) -> None:
        self.book = QuotaLedger(data_dir / "state", data_dir / "runs.jsonl")
        self.daily = daily
        self.closed: set[tuple[str, str]] = set()

    def take(self, family: str) -> bool:
        used, (requests, records) = self.today(family), self.daily[family]
        if (utc_day(), family) in self.closed or used["requests"] >= requests or used["records"] >= records:
            return False
        self.add(family, requests=1)
        return True

    def add(self, family: str, requests: int = 0, records: int = 0) -> None:
        self.book.add(family, requests=requests, records=records)
        self.book.save()

    def close_day(self, family: str) -> None:
        self.closed.add((utc_day(), family))

    def today(self, family: str) -> dict[str, int]:
        return dict(self.book.today(family))


# Take one request if the day is open and below both limits (KEYS[1] the day's hash; ARGV the limits).
TAKE = """
if redis.call('HEXISTS', KEYS[1], 'closed') == 1 then return 0 end
local requests = tonumber(redis.call('HGET', KEYS[1], 'requests') or '0')
local records = tonumber(redis.call('HGET', KEYS[1], 'records') or '0')
if requests >= tonumber(ARGV[1]) or records >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], 'requests', 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


class RedisLedger:
    """The ledger every worker of the lab shares: tiktok:quota:<UTC day>:<family> in Redis."""

    def __init__(self, server: redis.Redis, daily: dict[str, tuple[int, int]]) -> None:
        self.server, self.daily = server, daily
        self._take = server.register_script(TAKE)

    @staticmethod
    def key(family: str) -> str:
        return f"tiktok:quota:{utc_day()}:{family}"

    def take(self, family: str) -> bool:
        return bool(self._take(keys=[self.key(family)], args=[*self.daily[family], DAY_KEY_TTL]))

    def add(self, family: str, requests: int = 0, records: int = 0) -> None:
        with self.server.pipeline() as pipe:
            pipe.hincrby(self.key(family), "requests", requests)
            pipe.hincrby(self.key(family), "records", records)
            pipe.expire(self.key(family), DAY_KEY_TTL)
            pipe.execute()

    def close_day(self, family: str) -> None:
        self.server.hset(self.key(family), "closed", 1)
        self.server.expire(self.key(family), DAY_KEY_TTL)

    def today(self, family: str) -> dict[str, int]:
        got = {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in self.server.hgetall(self.key(family)).items()}
        return {"requests": got.get("requests", 0), "records": got.get("records", 0)}


def open_ledger(settings: Any) -> Ledger:
    """The ledger the switch chooses: Redis's when TIKTOK_REDIS_URL is set, else DATA_DIR's."""
    from tiktok.scale import config  # the scale package only when the switch is read

    url = config.redis_url(settings)
    if url is not None:
        return RedisLedger(config.connect(url), limits(settings))
    return LocalLedger(Path(settings.get("DATA_DIR", "data")), limits(settings))
