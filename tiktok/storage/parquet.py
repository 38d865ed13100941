"""DIR/parquet/: the jsonlines compacted into a Parquet dataset, for reading the same columns again
and again (issue #15). The jsonl files stay the record crawls append to; the Parquet copy holds
each file's lines up to a byte offset, and readers take it plus the jsonl beyond that offset
(`compacted`, `read_compacted`), which gives what the jsonl alone gives.

Layout: DIR/parquet/<kind>/day=YYYY-MM-DD/part-*.parquet, hive partitions by the day of each
record's observation time (`day=unknown` without one), in the data directory and in each worker
shard (DATA_DIR/<worker id>/parquet/); and DIR/parquet/_compacted.json, which names per jsonl file
the offset, the parts that hold its lines before it, and a hash of the bytes just before the
offset, so a jsonl file replaced or rewritten is noticed and read alone. Columns and types come
from the field table; lists of objects (the `records` kind) are JSON text, as SQLite holds them;
`jsonl_offset` is each row's byte offset in its jsonl file: its order, and where an incremental
reader (`db build`) resumes.

Crash-safe: parts are written as .tmp files beside the others, renamed, and only then named by the
state, itself written beside and renamed. Files the state does not name (left by a crash between
those steps, or replaced by a later part) are never read and are deleted by the next compaction.
A line that does not fit the field table stops its file's compaction there: the rest stays read
from the jsonl, and every compaction says so.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from tiktok.schema.fields import arrow_type, table
from tiktok.schema.items import ITEM_TYPES
from tiktok.storage.jsonl import lines_end
from tiktok.storage.shards import shards

FOLDER = "parquet"
STATE = "_compacted.json"  # a leading _ : pyarrow.dataset and DuckDB globs of *.parquet skip it
OFFSET = "jsonl_offset"
OBSERVED = ("scraped_at", "observed_at")  # the partition day comes from the first of these a kind has
CHUNK_BYTES = 64 << 20  # jsonl read per step: memory stays bounded on a 13 GB file
ROW_GROUP = 250_000  # rows per row group: parts of fewer are merged into the day's next part
CHECK_BYTES = 4096  # the bytes before the offset whose hash tells the jsonl is still the one compacted
BLOCK = 1 << 20  # pyarrow's parse block, as the analysis loader's: both accept the same lines


class Busy(Exception):
    """Another compaction holds the directory."""


def schema(kind: str) -> pa.Schema:
    """The columns of a kind's parts: every field with its kind's Arrow type (objects as JSON
    text), then `jsonl_offset`."""
    fields = [(r.name, arrow_type(r.kind) or pa.string()) for r in table(ITEM_TYPES[kind])]
    return pa.schema([*fields, (OFFSET, pa.int64())])


def parse_schema(kind: str) -> pa.Schema:
    """What pyarrow is told when it parses a kind's lines: the fields whose kind has an Arrow type
    (the others, and fields outside the schema, it infers)."""
    return pa.schema([(r.name, arrow_type(r.kind)) for r in table(ITEM_TYPES[kind]) if r.kind.arrow is not None])


def day_field(kind: str) -> str | None:
    names = {r.name for r in table(ITEM_TYPES[kind])}
    return next((f for f in OBSERVED if f in names), None)


def records_text(value: Any) -> str | None:
    """A list of objects as one JSON text: keys sorted and empty (null) values left out, so a line
    read by pyarrow (which fills every key it saw) and by json.loads give the same text. Raises
    ValueError when the value is not a list of objects of strings."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(d, dict) for d in value):
        raise ValueError(f"not a list of objects: {value!r:.60}")
    cleaned = [{k: v for k, v in d.items() if v is not None} for d in value]
    if not all(isinstance(v, str) for d in cleaned for v in d.values()):
        raise ValueError(f"an object holds a value that is not text: {value!r:.60}")
    return json.dumps(cleaned, ensure_ascii=False, sort_keys=True)


# Reading ---------------------------------------------------------------------------------------


@attrs.frozen
class Compacted:
    """A jsonl file's Parquet copy: its lines before `offset` are the rows of `parts`."""

    kind: str
    offset: int
    parts: tuple[Path, ...]  # in order of their first row


def read_state(directory: Path) -> dict[str, Any]:
    """DIR/parquet/_compacted.json, or {} when there is none (or it is not one a compaction wrote)."""
    try:
        state = json.loads((directory / FOLDER / STATE).read_bytes())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def tail_hash(path: Path, offset: int) -> str:
    with path.open("rb") as f:
        f.seek(max(0, offset - CHECK_BYTES))
        return hashlib.sha256(f.read(min(offset, CHECK_BYTES))).hexdigest()


def still_prefix(path: Path, entry: dict[str, Any]) -> bool:
    """Whether the jsonl file still begins with what was compacted (not cut, replaced or rewritten)."""
    offset = entry.get("offset")
    if not isinstance(offset, int) or not path.is_file() or path.stat().st_size < offset:
        return False
    return tail_hash(path, offset) == entry.get("tail_sha256")


def compacted(path: Path, kind: str) -> Compacted | None:
    """The Parquet copy of jsonl `path` holding records of `kind`, when it has one that is still
    the file's beginning."""
    entry = read_state(path.parent).get(path.name)
    if not isinstance(entry, dict) or entry.get("kind") != kind or not still_prefix(path, entry):
        return None
    folder = path.parent / FOLDER
    return Compacted(kind, entry["offset"], tuple(folder / p["file"] for p in entry["parts"]))


def read_compacted(
    copy: Compacted, columns: list[str] | None = None, since: int = 0, types: dict[str, pa.DataType] | None = None
) -> pa.Table:
    """The rows of a Parquet copy in the jsonl file's order (`columns` and `jsonl_offset`), only
    those of lines at or after byte `since`. `types` reads columns as another type than stored,
    batch by batch: a dictionary, as the parts store a column of few distinct values (an
    observation time is then never spelt out once per row), or large_string (pandas' strings)."""
    full = schema(copy.kind)
    names = [*(c for c in (columns if columns is not None else full.names[:-1]) if c in full.names and c != OFFSET), OFFSET]
    if not copy.parts:
        return full.empty_table().select(names)
    types = {c: t for c, t in (types or {}).items() if c in names}
    coded = [c for c, t in types.items() if pa.types.is_dictionary(t)]
    full = pa.schema([f.with_type(types.get(f.name, f.type)) for f in full])
    form = ds.ParquetFileFormat(read_options=ds.ParquetReadOptions(dictionary_columns=coded))
    dataset = ds.dataset([str(p) for p in copy.parts], schema=full, format=form)
    limits = {"batch_readahead": 1, "fragment_readahead": 1, "memory_pool": read_pool()}
    rows = dataset.to_table(columns=names, filter=ds.field(OFFSET) >= since if since else None, **limits)
    offsets = rows[OFFSET].to_numpy()
    if len(offsets) > 1 and not (offsets[1:] > offsets[:-1]).all():  # days interleaved in the file
        rows = rows.take(pc.sort_indices(rows[OFFSET]))
    return rows


def read_pool() -> pa.MemoryPool:
    """Where a copy is read into, with one part and one batch read ahead. With pyarrow's default
    allocator (mimalloc) and read-ahead, 10M rows held 1.4 times the table resident, and the
    memory freed as pandas takes the table over stayed with the process (as it does with the
    system's malloc); jemalloc gives it back (bench/compaction.py: peak 3.6 GB -> 3.0 GB)."""
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow built without it
        return pa.system_memory_pool()


def read_latest(
    path: Path, kind: str, columns: list[str] | None = None, since: int = 0, types: dict[str, pa.DataType] | None = None
) -> tuple[pa.Table | None, int]:
    """The compacted rows of jsonl `path` from byte `since` and the offset where its jsonl tail
    starts; (None, since) when it has no copy reaching past `since`. A compaction that replaces
    parts while this reads them is met by reading its new state once more."""
    for _ in range(2):
        copy = compacted(path, kind)
        if copy is None or copy.offset <= since:
            return None, since
        with contextlib.suppress(FileNotFoundError):
            return read_compacted(copy, columns, since, types), copy.offset
    return None, since


# Compacting ------------------------------------------------------------------------------------


def compact(data_dir: Path, notes: list[str]) -> dict[str, int]:
    """Compacts the jsonl files of a data directory and of each of its worker shards; returns the
    rows added per kind."""
    added: dict[str, int] = {}
    for directory in [data_dir, *shards(data_dir)]:
        for kind, n in compact_directory(directory, notes).items():
            added[kind] = added.get(kind, 0) + n
    return added


def compact_directory(directory: Path, notes: list[str]) -> dict[str, int]:
    kinds = [kind for kind in ITEM_TYPES if (directory / f"{kind}.jsonl").is_file()]
    if not kinds:
        return {}
    folder = directory / FOLDER
    folder.mkdir(exist_ok=True)
    with (folder / ".lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(f"{folder} is being compacted by another process: wait for it to end") from None
        state = read_state(directory)
        delete_unnamed(folder, state)
        return {kind: compact_file(directory, kind, state, notes) for kind in kinds}


def named_parts(state: dict[str, Any]) -> set[str]:
    return {p["file"] for entry in state.values() if isinstance(entry, dict) for p in entry.get("parts", ())}


def delete_unnamed(folder: Path, state: dict[str, Any]) -> None:
    """Deletes the parts and .tmp files the state does not name: a crash's leftovers, or parts a
    later one replaced. Nothing reads them, and a glob over *.parquet would count them twice."""
    named = named_parts(state)
    for kind in ITEM_TYPES:
        for path in sorted((folder / kind).glob("day=*/part-*")):
            if path.relative_to(folder).as_posix() not in named:
                path.unlink()
        for day in (folder / kind).glob("day=*"):
            with contextlib.suppress(OSError):
                day.rmdir()  # only when empty


def compact_file(directory: Path, kind: str, state: dict[str, Any], notes: list[str]) -> int:
    """Adds the lines of DIR/<kind>.jsonl past the compacted offset (those a newline ends) to the
    Parquet copy; returns the rows added."""
    path = directory / f"{kind}.jsonl"
    entry = state.get(path.name)
    stale: list[str] = []
    if isinstance(entry, dict) and not still_prefix(path, entry):
        notes.append(f"{path}: changed before byte {entry.get('offset')} since its last compaction (rewritten?): compacted again")
        stale = [p["file"] for p in entry.get("parts", ())]
        entry = None
    start = entry["offset"] if isinstance(entry, dict) else 0
    end = lines_end(path, start, whole=False)
    if end <= start:
        return 0
    folder = directory / FOLDER
    parts = Parts(folder, kind, list(entry["parts"]) if isinstance(entry, dict) else [])
    reached, rows = start, 0
    try:
        for at, data in chunks(path, start, end):
            rows_of_chunk, used = fitting_rows(data, kind, at)
            if rows_of_chunk is not None:
                parts.add(rows_of_chunk)
                rows += rows_of_chunk.num_rows
            reached = at + used
            if used < len(data):
                notes.append(
                    f"{path}: the line at byte {reached} does not fit the field table: compacted up to it; "
                    "the rest is read from the jsonl (fix or remove that line)"
                )
                break
        if reached == start:
            return 0
        new_parts, replaced = parts.finish()
    except BaseException:
        parts.abandon()
        raise
    state[path.name] = {"kind": kind, "offset": reached, "tail_sha256": tail_hash(path, reached), "parts": new_parts}
    write_state(folder, state)  # the commit: readers see the new parts and offset from here on
    for old in [*replaced, *stale]:
        with contextlib.suppress(FileNotFoundError):
            (folder / old).unlink()
    return rows


def chunks(path: Path, start: int, end: int) -> Iterator[tuple[int, bytes]]:
    """The bytes from `start` to `end` in whole lines of about CHUNK_BYTES, with their offsets."""
    with path.open("rb") as f:
        f.seek(start)
        at, carry = start, b""
        while at + len(carry) < end:
            data = carry + f.read(min(CHUNK_BYTES, end - at - len(carry)))
            cut = data.rfind(b"\n") + 1 if at + len(data) < end else len(data)
            if cut == 0:  # a line longer than a chunk: read on until it ends
                carry = data
                continue
            yield at, data[:cut]
            at, carry = at + cut, data[cut:]


def fitting_rows(data: bytes, kind: str, at: int) -> tuple[pa.Table | None, int]:
    """The rows of whole lines `data` (starting at byte `at` of its file), and how many bytes they
    take: all of them, or up to the first line that does not fit (found by halving: such a line
    is rare, and pyarrow tells only that a block failed)."""
    whole = rows_of(data, kind, at)
    if whole is not None:
        return whole, len(data)
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10) + 1
    good, bad = 0, len(ends)  # line counts: the first `good` lines fit, the first `bad` do not
    best = None
    while bad - good > 1:
        middle = (good + bad) // 2
        rows = rows_of(data[: ends[middle - 1]], kind, at)
        good, bad, best = (middle, bad, rows) if rows is not None else (good, middle, best)
    return best, int(ends[good - 1]) if good else 0


def rows_of(data: bytes, kind: str, at: int) -> pa.Table | None:
    """Whole lines as a part's rows, or None when one does not fit the field table (not a JSON
    object, a value of another type, a list of objects that is not one)."""
    options = pa_json.ParseOptions(explicit_schema=parse_schema(kind), unexpected_field_behavior="infer", newlines_in_values=False)
    try:
        parsed = pa_json.read_json(io.BytesIO(data), parse_options=options, read_options=pa_json.ReadOptions(block_size=BLOCK))
    except pa.ArrowInvalid:
        return None
    offsets = line_offsets(data, parsed.num_rows)
    columns: list[pa.Array | pa.ChunkedArray] = []
    for field in schema(kind):
        if field.name == OFFSET:
            columns.append(pa.array(offsets + at, pa.int64()))
        elif field.name not in parsed.column_names:
            columns.append(pa.nulls(parsed.num_rows, field.type))
        elif field.type == parsed.schema.field(field.name).type:
            columns.append(parsed[field.name])
        elif parsed[field.name].null_count == parsed.num_rows:
            columns.append(pa.nulls(parsed.num_rows, field.type))
        else:  # a list of objects, which pyarrow inferred: as JSON text
            try:
                columns.append(pa.array([records_text(v) for v in parsed[field.name].to_pylist()], pa.string()))
            except ValueError:
                return None
    return pa.Table.from_arrays(columns, schema=schema(kind))


def line_offsets(data: bytes, rows: int) -> np.ndarray:
    """Where each non-blank line of `data` starts (pyarrow skips blank ones)."""
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
    starts = np.concatenate(([0], ends[:-1] + 1))
    starts = starts[ends > starts]
    if len(starts) != rows:  # a line of only spaces: found the slow way
        starts = np.array([s for s, e in zip(starts, ends, strict=True) if data[s:e].strip()], dtype=np.int64)
    return starts.astype(np.int64)


def day_of(rows: pa.Table, kind: str) -> pa.ChunkedArray:
    """Each row's partition: the UTC day of its observation time, or `unknown`."""
    field = day_field(kind)
    if field is None:
        return pa.chunked_array([pa.array(["unknown"] * rows.num_rows, pa.string())])
    when = rows[field]
    dated = pc.match_substring_regex(when, r"^\d{4}-\d{2}-\d{2}(T|$)")
    return pc.fill_null(pc.if_else(dated, pc.utf8_slice_codeunits(when, 0, 10), "unknown"), "unknown")


class Parts:
    """The parts one compaction writes: per day, a new part that first takes in the day's parts
    too small to keep (so hourly compactions do not leave thousands of tiny files), written as .tmp
    and renamed by `finish`."""

    def __init__(self, folder: Path, kind: str, kept: list[dict[str, Any]]) -> None:
        self.folder, self.kind, self.kept = folder, kind, kept
        self.token = secrets.token_hex(4)  # part names are never reused, even after a crash
        self.open: dict[str, tuple[Path, pq.ParquetWriter, list[pa.Table], dict[str, Any]]] = {}
        self.written: list[tuple[Path, dict[str, Any]]] = []
        self.replaced: list[str] = []

    def add(self, rows: pa.Table) -> None:
        days = day_of(rows, self.kind)
        touched = set()
        for day in pc.unique(days).to_pylist():
            touched.add(day)
            self.buffer(day, rows.filter(pc.equal(days, day)))
        for day in [d for d in self.open if d not in touched]:  # time moved on: keep memory to the days in hand
            self.close(day)

    def buffer(self, day: str, rows: pa.Table) -> None:
        if day not in self.open:
            self.start(day)
        _, writer, pending, part = self.open[day]
        pending.append(rows)
        part["rows"] += rows.num_rows
        part["first"] = min(part["first"], pc.min(rows[OFFSET]).as_py())
        if sum(t.num_rows for t in pending) >= ROW_GROUP:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
            pending.clear()

    def start(self, day: str) -> None:
        name = f"{self.kind}/day={day}/part-{self.token}-{len(self.written) + len(self.open)}.parquet"
        final = self.folder / name
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(final.name + ".tmp")
        writer = pq.ParquetWriter(tmp, schema(self.kind), compression="zstd")
        self.open[day] = (tmp, writer, [], {"file": name, "day": day, "rows": 0, "first": 2**62})
        small = [p for p in self.kept if p["day"] == day and p["rows"] < ROW_GROUP]
        for old in sorted(small, key=lambda p: p["first"]):
            self.kept.remove(old)
            self.replaced.append(old["file"])
            self.buffer(day, pq.read_table(self.folder / old["file"], schema=schema(self.kind)))

    def close(self, day: str) -> None:
        tmp, writer, pending, part = self.open.pop(day)
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
        writer.close()
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        self.written.append((tmp, part))

    def finish(self) -> tuple[list[dict[str, Any]], list[str]]:
        """Renames the new parts into place; returns every part of the file, in order of their
        first row, and the files they replace (deleted once the state names the new ones)."""
        for day in list(self.open):
            self.close(day)
        for tmp, part in self.written:
            tmp.rename(self.folder / part["file"])
        for directory in {self.folder / part["file"] for _, part in self.written}:
            sync_dir(directory.parent)
        parts = self.kept + [part for _, part in self.written]
        return sorted(parts, key=lambda p: p["first"]), self.replaced

    def abandon(self) -> None:
        for tmp, writer, _, _ in self.open.values():
            with contextlib.suppress(Exception):
                writer.close()
            tmp.unlink(missing_ok=True)
        for tmp, _ in self.written:
            tmp.unlink(missing_ok=True)


def write_state(folder: Path, state: dict[str, Any]) -> None:
    tmp = folder / (STATE + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(state, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(folder / STATE)
    sync_dir(folder)


def sync_dir(directory: Path) -> None:
    """Makes a rename in `directory` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
