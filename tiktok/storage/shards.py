"""A data directory written by many workers: each wrote its own shard, DATA_DIR/<worker id>/, with
the same files a single crawl writes at the top. The readers (analysis loader, `db build`) take
`data_files(DATA_DIR, name)` and so read top and shards as one dataset; `merge` writes one
compacted copy, each record once.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tiktok.schema.items import ITEM_TYPES
from tiktok.storage.jsonl import AppendOnlyFile, read_jsonl

# Files merged as they are, every line kept (a run's record, a rejected item are not keyed).
PLAIN_FILES = ("runs", "rejected")


def shards(data_dir: Path) -> list[Path]:
    """The worker shards of a data directory: its sub-folders that hold a crawl's run record."""
    return sorted(p for p in data_dir.iterdir() if p.is_dir() and (p / "runs.jsonl").is_file()) if data_dir.is_dir() else []


def data_files(data_dir: Path, name: str) -> list[Path]:
    """DATA_DIR/<name>.jsonl and each shard's, those that exist: top first, then shards by name."""
    return [p for p in [data_dir / f"{name}.jsonl", *(s / f"{name}.jsonl" for s in shards(data_dir))] if p.is_file()]


def merge(data_dir: Path, out: Path, problems: list[str]) -> dict[str, int]:
    """Writes OUT/<name>.jsonl for every kind with each record once (by the store's key: a video
    once per run and source), the run records and rejected items of every shard, and the media
    files (each once). Returns the records written per file."""
    from tiktok.storage.store import key_hash  # here: the store imports Scrapy, the readers above must not

    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name in [*ITEM_TYPES, *PLAIN_FILES]:
        cls = ITEM_TYPES.get(name)
        target = out / f"{name}.jsonl"
        if target.exists():
            target.unlink()  # a merge is a fresh copy: a second merge into OUT must not append
        seen: set[int] = set()
        file: AppendOnlyFile | None = None
        count = 0
        for path in data_files(data_dir, name):
            for record in read_jsonl(path, problems):
                if cls is not None:
                    h = key_hash(cls, record)
                    if h in seen:
                        continue
                    seen.add(h)
                file = file or AppendOnlyFile(target)
                file.append(record)
                count += 1
        if file is not None:
            file.close()
            written[name] = count
    for media in [data_dir / "media", *(s / "media" for s in shards(data_dir))]:
        copy_missing(media, out / "media")
    return written


def copy_missing(source: Path, target: Path) -> None:
    """Copies the files of `source` that `target` lacks (a cover fetched by two workers is one file)."""
    if not source.is_dir():
        return
    for path in source.rglob("*"):
        dest = target / path.relative_to(source)
        if path.is_file() and not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)


def describe(counts: dict[str, Any]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items()) or "nothing"
