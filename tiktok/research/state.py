"""What a Research API crawl keeps in DATA_DIR/state/ between runs: the quota used per UTC day and
endpoint family, and each crawl's progress (a cursor per window, video, comment thread or user
list). Written with tmp + rename, so a kill -9 leaves the last whole version.

A progress file that cannot be read stops the run (`CorruptState`, issue #13): rerunning from
nothing would collect and spend the quota twice. `-a reset=1` moves it aside. A quota ledger that
cannot be read is rebuilt from the day's runs in runs.jsonl rather than zeroed.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tiktok.storage.jsonl import read_jsonl

logger = logging.getLogger(__name__)
DAILY = {"research": (1000, 100_000), "follow": (20_000, 2_000_000)}  # requests, records (§6)
QUOTA_RUN_FIELD = "research_quota"  # in runs.jsonl: {"<family>/requests": n, "<family>/records": n}


class CorruptState(Exception):
    """A state file that cannot be read: the message names it and how to start over."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(
            f"the saved progress {path} cannot be read ({why}); run the same command with -a reset=1 to move it aside and start over"
        )


def save_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def load_json(path: Path) -> Any:
    """The file's JSON, or None when it is missing or unreadable (for readers that say so themselves)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def load_state(path: Path, valid: Callable[[Any], bool], reset: bool = False) -> Any:
    """A saved state, None when there is none. Raises CorruptState when it cannot be read or is not
    the shape `valid` accepts. With `reset` the file is first moved aside (`<name>.corrupt-<time>`
    when unreadable, `<name>.reset-<time>` otherwise), so the crawl starts over."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        why = "" if valid(data) else "not the progress this spider saves"
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or "not JSON"
    if reset:
        aside = path.with_name(f"{path.name}.{'corrupt' if why else 'reset'}-{stamp()}")
        os.replace(path, aside)
        logger.warning("-a reset=1: moved %s aside to %s", path, aside.name)
        return None
    if why:
        raise CorruptState(path, why)
    return data


def utc_day() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def next_reset() -> datetime:
    now = datetime.now(UTC)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def used_by_runs(runs: Path, day: str) -> dict[str, dict[str, int]]:
    """Today's quota use as the runs that ended today recorded it (runs killed before their end
    line are not counted: the rebuilt figure is a floor)."""
    used: dict[str, dict[str, int]] = {}
    for run in read_jsonl(runs):
        counts = run.get(QUOTA_RUN_FIELD)
        if not (isinstance(counts, dict) and str(run.get("finished_at", "")).startswith(day)):
            continue
        for key, value in counts.items():
            family, _, what = str(key).partition("/")
            if what in ("requests", "records") and isinstance(value, int):
                entry = used.setdefault(family, {"requests": 0, "records": 0})
                entry[what] += value
    return used


def ledger_shape(data: Any) -> bool:
    return isinstance(data, dict) and all(
        isinstance(day, dict) and all(isinstance(c, dict) and all(isinstance(n, int) for n in c.values()) for c in day.values())
        for day in data.values()
    )


class QuotaLedger:
    """Requests and records spent per UTC day and family. Kept by the Research API middleware,
    which counts every request sent, failed ones too, as the API does (§4)."""

    def __init__(self, state_dir: Path, runs: Path) -> None:
        self.path = state_dir / "research-quota.json"
        try:
            self.days: dict[str, dict[str, dict[str, int]]] = load_state(self.path, ledger_shape) or {}
        except CorruptState:
            self.days = {utc_day(): used_by_runs(runs, utc_day())}
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp()}")
            os.replace(self.path, aside)
            logger.warning(
                "%s could not be read (moved aside to %s); today's use rebuilt from %s: %s", self.path, aside.name, runs, self.days
            )

    def add(self, family: str, requests: int = 0, records: int = 0) -> None:
        used = self.days.setdefault(utc_day(), {}).setdefault(family, {"requests": 0, "records": 0})
        used["requests"] += requests
        used["records"] += records

    def today(self, family: str) -> dict[str, int]:
        return self.days.get(utc_day(), {}).get(family, {"requests": 0, "records": 0})

    def save(self) -> None:
        save_json(self.path, self.days)


def progress_shape(data: Any) -> bool:
    return isinstance(data, dict) and all(isinstance(step, dict) and isinstance(step.get("done"), bool) for step in data.values())


class Progress:
    """Where each part of a crawl stands: {key: {"cursor": ..., "done": bool, ...}}, saved after
    every stored page so the same command goes on from there (a window of a video query, a video's
    comments, a comment's replies, a user's list)."""

    def __init__(self, path: Path, fresh: dict[str, Any], reset: bool = False) -> None:
        self.path, self.fresh = path, fresh
        self.steps: dict[str, dict[str, Any]] = load_state(path, progress_shape, reset) or {}

    def get(self, key: str) -> dict[str, Any]:
        return self.steps.setdefault(key, {**self.fresh, "done": False})

    def add(self, key: str) -> bool:
        """Starts `key` unless it is known already; True when it is new."""
        if key in self.steps:
            return False
        self.get(key)
        return True

    def save(self) -> None:
        save_json(self.path, self.steps)
