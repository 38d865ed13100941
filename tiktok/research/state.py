"""What a Research API crawl keeps in DATA_DIR/state/ between runs: the quota used per UTC day and
endpoint family, and each query's progress (per window: cursor, search_id, done). Written with
tmp + rename, so a kill -9 leaves the last whole version."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DAILY = {"research": (1000, 100_000), "follow": (20_000, 2_000_000)}  # requests, records (§6)


def save_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def utc_day() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def next_reset() -> datetime:
    now = datetime.now(UTC)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


class QuotaLedger:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "research-quota.json"
        self.days: dict[str, dict[str, dict[str, int]]] = load_json(self.path) or {}

    def add(self, family: str, requests: int = 0, records: int = 0) -> None:
        used = self.days.setdefault(utc_day(), {}).setdefault(family, {"requests": 0, "records": 0})
        used["requests"] += requests
        used["records"] += records

    def today(self, family: str) -> dict[str, int]:
        return self.days.get(utc_day(), {}).get(family, {"requests": 0, "records": 0})

    def save(self) -> None:
        save_json(self.path, self.days)


class Progress:
    """One query's windows: {"YYYYMMDD-YYYYMMDD": {"cursor": int, "search_id": str|None, "done": bool}}."""

    def __init__(self, state_dir: Path, name: str) -> None:
        self.path = state_dir / f"research-videos-{name}.json"
        self.windows: dict[str, dict[str, Any]] = load_json(self.path) or {}

    def get(self, key: str) -> dict[str, Any]:
        return self.windows.setdefault(key, {"cursor": 0, "search_id": None, "done": False})

    def save(self) -> None:
        save_json(self.path, self.windows)
