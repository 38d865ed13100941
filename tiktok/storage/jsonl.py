"""Appending and reading jsonlines files so that a kill -9 or a full disk never corrupts them.

Writers append one line per record and flush it; a crash can leave at most a partial last line,
which `repair` cuts off (keeping the fragment beside the state, never deleting data), or completes
when only its newline is missing. Every reader of DATA_DIR's files goes through `read_from`: it
starts at a byte offset, says where the next read starts, skips a garbled line and says so, and
leaves an unfinished last line (being written, or cut by a crash) unread instead of failing.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

# One encoder for every line: json.dumps(..., ensure_ascii=False) builds a new JSONEncoder per call.
encode_json = json.JSONEncoder(ensure_ascii=False).encode


def repair(path: Path, keep_dir: Path) -> str | None:
    """Cut a partial last line off `path` (one not ending in a newline) and keep it in `keep_dir`.
    Returns a description of what was done, or None when the file was whole."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb+") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return None
        block = min(size, 1 << 20)
        while True:  # find the last newline, reading backwards
            f.seek(size - block)
            chunk = f.read(block)
            cut = chunk.rfind(b"\n")
            if cut >= 0 or block == size:
                break
            block = min(size, block * 2)
        keep_from = size - block + cut + 1 if cut >= 0 else 0
        f.seek(keep_from)
        fragment = f.read()
        if whole_record(fragment):  # only its newline was lost: the record itself is kept in place
            f.write(b"\n")
            return f"{path}: the last record lacked its newline; completed it"
        f.truncate(keep_from)
    keep_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    kept = keep_dir / f"{path.name}.truncated-{stamp}"
    kept.write_bytes(fragment)
    return f"{path}: cut a truncated last line of {len(fragment)} bytes (kept in {kept})"


def whole_record(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def whole_end(data: bytes) -> int:
    """Where the whole lines of `data` end: after its last newline, or at its end when the last line
    lacks only its newline (a whole record, as a hand-made file may end)."""
    cut = data.rfind(b"\n") + 1
    tail = data[cut:]
    return len(data) if not tail.strip() or whole_record(tail) else cut


def lines_end(path: Path, offset: int = 0, *, whole: bool = True) -> int:
    """Where the lines of `path` after `offset` end, found from the file's end (a big file is not
    read): after the last newline, or (`whole`) at the end when the last line lacks only its
    newline, as `whole_end` says. `whole=False` counts only lines ended by a newline: what a
    crawl has finished writing."""
    size = path.stat().st_size
    if size <= offset:
        return offset
    block = min(size - offset, 1 << 20)
    with path.open("rb") as f:
        while True:  # find the last newline, reading backwards
            f.seek(size - block)
            chunk = f.read(block)
            cut = chunk.rfind(b"\n")
            if cut >= 0 or block == size - offset:
                break
            block = min(size - offset, block * 2)
    after = size - block + cut + 1  # offset when no newline was found
    if not whole:
        return after
    tail = chunk[cut + 1 :]
    return size if not tail.strip() or whole_record(tail) else after


class ByteRange(io.RawIOBase):
    """Bytes `start` to `end` of a file as a stream, then a newline (pyarrow wants every line
    ended; a blank line it skips), so pyarrow parses a part of a big jsonl file without the whole
    of it in memory."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        self._file = path.open("rb")
        self._file.seek(start)
        self._left = end - start + 1

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left > 1:
            n = self._file.readinto(memoryview(buffer)[: min(len(buffer), self._left - 1)]) or 0
            if n:
                self._left -= n
                return n
            self._left = 1  # the file ended sooner (cut since): the newline now
        if self._left == 1 and len(buffer):
            memoryview(buffer)[0] = 10
            self._left = 0
            return 1
        return 0

    def close(self) -> None:
        self._file.close()
        super().close()


def cut_note(path: Path) -> str:
    return f"{path.name}: the last line (cut by a crash?) is not a JSON object; skipped"


@attrs.frozen
class Lines:
    """What `read_from` found."""

    records: list[dict[str, Any]]
    end: int  # the byte offset after the whole lines read: where the next read starts
    unfinished: int  # bytes of a last line that is not a whole record, left unread


def read_from(path: Path, offset: int = 0, notes: list[str] | None = None) -> Lines:
    """The records of a jsonlines file from byte `offset` on. A line that is not a JSON object is
    skipped and described in `notes`; an unfinished last line is left for the caller to describe."""
    if not path.exists():
        return Lines([], offset, 0)
    with path.open("rb") as f:
        f.seek(offset)
        data = f.read()
    end = whole_end(data)
    records = []
    where = f" after byte {offset}" if offset else ""
    for n, raw in enumerate(data[:end].split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: a line of thousands of nested brackets
            record = None
        if isinstance(record, dict):
            records.append(record)
        elif notes is not None:
            notes.append(f"{path.name}: line {n}{where} is not a JSON object; skipped")
    return Lines(records, offset + end, len(data) - end)


def read_jsonl(path: Path, problems: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """Every record of a jsonlines file (read_from for a whole file); a last line cut by a crash is
    described in `problems` too."""
    lines = read_from(path, 0, problems)
    if lines.unfinished and problems is not None:
        problems.append(cut_note(path))
    yield from lines.records


class AppendOnlyFile:
    """One jsonlines file opened for appending: each line written whole, or not at all.

    Raw os.write on an O_APPEND descriptor, not a buffered file object: a line is in the kernel once
    append() returns (a kill -9 cannot lose it), and after a failed write (a full disk) the file is cut
    back with ftruncate, where a buffered file would try to flush the failed bytes again."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._size = os.fstat(self._fd).st_size  # this process is the file's only writer

    def append(self, record: dict[str, Any]) -> None:
        line = (encode_json(record) + "\n").encode("utf-8")
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError:
            with contextlib.suppress(OSError):  # if this fails too, the next start's repair() cuts the rest
                os.ftruncate(self._fd, self._size)
            raise
        self._size += len(line)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)
