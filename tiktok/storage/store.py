"""The data directory as the pipelines see it: one jsonlines file per item type, rejected items,
and the set of keys already stored, which survives restarts and crashes.

Keys: catalogue records (users, comments, follows, hashtags, sounds) once across runs; videos once
per run and source (a video under #london and #paris is one row in each), since each run's
observation is kept so growth can be measured. The seen-set holds 64-bit
hashes of keys in a sorted numpy array plus a small set of recent ones (10 million keys take about
80 MB, where a Python set of strings would take gigabytes); with 10 million keys the chance that
two collide is about 3 in a million. Its snapshot in state/ records how far into each file it
reaches, and what was written after that is read back on start: the files stay the truth, and a
kill -9 between a write and a snapshot loses nothing and duplicates nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import operator
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import attrs
import numpy as np
from itemadapter import ItemAdapter

from tiktok.schema.items import ITEM_TYPES, Comment, Follow, Hashtag, Playlist, Sound, Totals, User, UserStatus, Video
from tiktok.storage.jsonl import AppendOnlyFile, read_from, repair

logger = logging.getLogger(__name__)

KEY_FIELDS: dict[type, tuple[str, ...]] = {
    Video: ("id", "run_id", "source"),  # one observation per run and per list it was seen in
    User: ("username", "run_id"),  # a profile once per run: hourly runs show follower growth
    Comment: ("id",),
    Follow: ("follower", "followee"),
    Hashtag: ("id",),
    Sound: ("id",),
    Playlist: ("id",),
    Totals: ("kind", "id", "run_id"),  # a hashtag's, sound's or playlist's totals once per run: every run adds its reading
    UserStatus: ("username", "source"),
}
FILE_OF = {cls: name for name, cls in ITEM_TYPES.items()}
MERGE_EVERY = 200_000


def values_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """All the named attributes of an object in one C call (operator.attrgetter), always as a tuple.
    Per-item getattr loops and attrs.asdict were the chain's largest costs in issue #15's profile."""
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    return operator.attrgetter(*names)


FIELD_NAMES = {cls: tuple(f.name for f in attrs.fields(cls)) for cls in ITEM_TYPES.values()}
FIELD_VALUES = {cls: values_getter(names) for cls, names in FIELD_NAMES.items()}
KEY_VALUES = {cls: values_getter(names) for cls, names in KEY_FIELDS.items()}


def key_hash(cls: type, record: Any) -> int:
    """A 64-bit hash of the item's key, from an item or a stored record (a dict). The formula is the
    one saved snapshots were made with: changing it would make every stored key look new."""
    values = [record.get(f) for f in KEY_FIELDS[cls]] if isinstance(record, dict) else KEY_VALUES[cls](record)
    key = cls.__name__ + "\x1f" + "\x1f".join(map(str, values))
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


def as_record(item: Any) -> dict[str, Any]:
    """The item as the dict its line is made of: attrs.asdict(item, recurse=False), without its cost."""
    cls = type(item)
    if cls in FIELD_VALUES:
        return dict(zip(FIELD_NAMES[cls], FIELD_VALUES[cls](item), strict=True))
    return ItemAdapter(item).asdict()


class SeenKeys:
    """A set of 64-bit hashes: a sorted array for the bulk, a Python set for the newest."""

    def __init__(self, base: np.ndarray | None = None) -> None:
        self.base = np.empty(0, dtype=np.uint64)
        if base is not None:
            base = base.astype(np.uint64, copy=False)
            ordered = len(base) < 2 or bool((base[1:] > base[:-1]).all())  # a snapshot is saved sorted: a linear check
            self.base = base if ordered else np.unique(base)
        self.recent: set[int] = set()

    def __contains__(self, h: int) -> bool:
        if h in self.recent:
            return True
        i = int(np.searchsorted(self.base, np.uint64(h)))
        return i < len(self.base) and int(self.base[i]) == h

    def add(self, h: int) -> None:
        self.recent.add(h)
        if len(self.recent) >= MERGE_EVERY:
            self.merge()

    def merge(self) -> None:
        """Folds the recent set into the sorted array. A stable sort of the two (a radix sort for
        integers) keeps each merge linear; np.union1d would re-sort everything every time."""
        if self.recent:
            merged = np.concatenate([self.base, np.fromiter(self.recent, dtype=np.uint64, count=len(self.recent))])
            merged.sort(kind="stable")
            keep = np.ones(len(merged), dtype=bool)
            keep[1:] = merged[1:] != merged[:-1]
            self.base = merged[keep]
            self.recent.clear()

    def __len__(self) -> int:
        return len(self.base) + len(self.recent)


class SharedKeys(Protocol):
    """A seen-set shared by many workers (tiktok/scale/seen.py): the same reserve, then
    commit after the write, as the local one."""

    def reserve(self, h: int) -> bool: ...
    def commit(self, h: int) -> None: ...
    def release(self, h: int) -> None: ...


class DataStore:
    """Files, rejected items and the seen-keys of one data directory, for one crawl. With `shared`
    (TIKTOK_REDIS_URL set) the keys are reserved and committed there, across machines."""

    def __init__(self, data_dir: Path, shared: SharedKeys | None = None) -> None:
        self.dir = data_dir
        self.shared = shared
        self.state_dir = data_dir / "state"
        self.files: dict[str, AppendOnlyFile] = {}
        self.seen = SeenKeys()
        self.in_flight: set[int] = set()
        self.repairs: list[str] = []

    # ----------------------------------------------------------------- open and close
    def open(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        for name in [*ITEM_TYPES, "rejected", "runs"]:
            note = repair(self.dir / f"{name}.jsonl", self.state_dir)
            if note:
                self.repairs.append(note)
                logger.warning("%s", note)
        offsets = self._load_snapshot()
        for name, cls in ITEM_TYPES.items():
            path = self.dir / f"{name}.jsonl"
            start = offsets.get(name, 0)
            if path.exists() and path.stat().st_size < start:
                start = 0  # the file was replaced or cut by hand: read it all again
            notes: list[str] = []
            for record in read_from(path, start, notes).records:  # repair() left no unfinished line
                self.seen.add(key_hash(cls, record))
            for note in notes:
                logger.warning("%s", note)
        self.seen.merge()

    def close(self) -> None:
        try:
            self.snapshot()
        except OSError as exc:
            logger.warning("dedupe state not saved (%s): it is rebuilt from the data files on the next start", exc.strerror)
        for f in self.files.values():
            f.close()
        self.files.clear()

    def _load_snapshot(self) -> dict[str, int]:
        meta = self.state_dir / "seen.json"
        keys = self.state_dir / "seen.npy"
        if not (meta.exists() and keys.exists()):
            return {}
        try:
            offsets = json.loads(meta.read_text())["offsets"]
            self.seen = SeenKeys(np.load(keys))
        except (ValueError, KeyError, OSError) as exc:
            logger.warning("dedupe state in %s is unreadable (%s): rebuilding it from the data files", self.state_dir, exc)
            self.seen = SeenKeys()
            return {}
        return {k: int(v) for k, v in offsets.items()}

    def snapshot(self) -> None:
        """Saves the seen-keys with how far into each file they reach (atomically: tmp + rename)."""
        self.seen.merge()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        offsets = {name: (self.dir / f"{name}.jsonl").stat().st_size for name in ITEM_TYPES if (self.dir / f"{name}.jsonl").exists()}
        tmp_keys = self.state_dir / "seen.tmp.npy"
        np.save(tmp_keys, self.seen.base)
        os.replace(tmp_keys, self.state_dir / "seen.npy")
        tmp_meta = self.state_dir / "seen.json.tmp"
        tmp_meta.write_text(json.dumps({"offsets": offsets, "keys": len(self.seen)}))
        os.replace(tmp_meta, self.state_dir / "seen.json")

    # ----------------------------------------------------------------- items
    def reserve(self, item: Any) -> bool:
        """True when the item's key is neither stored nor on its way: it is then reserved."""
        h = key_hash(type(item), item)
        if self.shared is not None:
            return self.shared.reserve(h)
        if h in self.in_flight or h in self.seen:
            return False
        self.in_flight.add(h)
        return True

    def write(self, item: Any) -> str:
        """Appends the item to its type's file and marks its key stored; returns the file name."""
        cls = type(item)
        name = FILE_OF[cls]
        if name not in self.files:
            self.files[name] = AppendOnlyFile(self.dir / f"{name}.jsonl")
        self.files[name].append(as_record(item))
        h = key_hash(cls, item)
        if self.shared is not None:
            self.shared.commit(h)
            return name
        self.seen.add(h)
        self.in_flight.discard(h)
        return name

    def release(self, item: Any) -> None:
        """An item reserved but not written (dropped on the way) may come again."""
        if self.shared is not None:
            self.shared.release(key_hash(type(item), item))
            return
        self.in_flight.discard(key_hash(type(item), item))

    def reject(self, record: dict[str, Any]) -> None:
        if "rejected" not in self.files:
            self.files["rejected"] = AppendOnlyFile(self.dir / "rejected.jsonl")
        self.files["rejected"].append(record)

    def append_run(self, record: dict[str, Any]) -> None:
        runs = AppendOnlyFile(self.dir / "runs.jsonl")
        try:
            runs.append(record)
        finally:
            runs.close()
