"""`python -m tiktok compact DATA_DIR`: the jsonlines of DATA_DIR (and of its worker shards)
compacted into DATA_DIR/parquet/, incrementally (tiktok/storage/parquet.py). Prints what was added
and what each copy now holds; a file that could not be compacted to its end is a note."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn, Protocol

from tiktok.cli.checks import DATA_DIR_HINT, notes
from tiktok.schema.items import ITEM_TYPES
from tiktok.storage import parquet
from tiktok.storage.shards import data_files, shards


class Parser(Protocol):
    def error(self, message: str) -> NoReturn: ...


def run_compact(parser: Parser, args: argparse.Namespace) -> int:
    if not any(data_files(args.data_dir, kind) for kind in ITEM_TYPES):
        parser.error(f"{args.data_dir} has no videos.jsonl or other file a crawl writes: {DATA_DIR_HINT}")
    problems: list[str] = []
    try:
        added = parquet.compact(args.data_dir, problems)
    except parquet.Busy as exc:
        parser.error(str(exc))
    new = ", ".join(f"{n:,} {kind}" for kind, n in added.items() if n) or "nothing new"
    print(f"compacted {args.data_dir}: {new}")
    for directory in [args.data_dir, *shards(args.data_dir)]:
        for line in held(directory):
            print(line)
    notes(problems)
    return 0


def held(directory: Path) -> list[str]:
    """What each Parquet copy of `directory` holds, and the jsonl left past it."""
    lines = []
    for name, entry in parquet.read_state(directory).items():
        jsonl = directory / name
        if not jsonl.is_file():
            continue
        rows = sum(p["rows"] for p in entry["parts"])
        files = [directory / parquet.FOLDER / p["file"] for p in entry["parts"]]
        size = sum(f.stat().st_size for f in files if f.is_file())
        left = jsonl.stat().st_size - entry["offset"]
        lines.append(
            f"  {jsonl}: {rows:,} rows in {len(entry['parts'])} parts, {size / 1e6:,.1f} MB of Parquet "
            f"for {entry['offset'] / 1e6:,.1f} MB of jsonl; {left:,} bytes past it, read from the jsonl"
        )
    return lines
