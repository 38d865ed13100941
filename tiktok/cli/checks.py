"""The checks of `python -m tiktok`'s arguments, as argparse `type=` functions: each rule lives here
once, and a bad value becomes one line that names it and says what to give instead, then exit 2
(issue #13: no traceback, and no nonsense accepted with exit 0). Also how a command prints the
lines its readers skipped."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import ipaddress
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import attrs

from tiktok.schema.items import ITEM_TYPES

HEAD_BYTES = 1 << 20  # what a file's check reads: a record line is a few kB, a data file many MB
DATA_DIR_HINT = "give the DATA_DIR a crawl wrote (e.g. data/)"


T = TypeVar("T")


class Refused(argparse.ArgumentTypeError):
    """An argument refused: argparse prints it as `argument NAME: <message>`."""


def looks_refused(check: Callable[[str], T]) -> Callable[[str], T]:
    """A path check whose look fails (a folder on the way that cannot be entered) refuses the
    argument with the system's reason: argparse would let the OSError through as a traceback."""

    @functools.wraps(check)
    def checked(text: str) -> T:
        try:
            return check(text)
        except OSError as exc:
            raise Refused(f"{exc.filename or text} cannot be reached ({exc.strerror}): check the path and its permissions") from None

    return checked


def shown(text: str) -> str:
    """An argument as the user typed it, short enough for one line."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def whole_number(low: int, high: int) -> Callable[[str], int]:
    def check(text: str) -> int:
        try:
            value = int(text)
        except ValueError:  # also a number of more than 4,300 digits
            value = low - 1
        if not low <= value <= high:
            raise Refused(f"{shown(text)}: give a whole number from {low:,} to {high:,}")
        return value

    return check


def number(low: float, high: float) -> Callable[[str], float]:
    def check(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:  # nan and inf fail too
            raise Refused(f"{shown(text)}: give a number from {low:g} to {high:g}")
        return value

    return check


def words(text: str) -> str:
    """Search words: some, and valid UTF-8 (a terminal in another encoding passes undecodable bytes)."""
    if not text.split():
        raise Refused("give some words to search for")
    return utf8(text, "the text")


def utf8(text: str, what: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(f"{what} {text!a} has bytes that are not UTF-8: set your terminal to UTF-8, or rename the file") from None
    return text


def path(text: str) -> Path:
    if not text:
        raise Refused("an empty path: give a file or folder")
    return Path(utf8(text, "the path"))


def cannot_read(folder: Path) -> str | None:
    """Other errors of the look (a folder on the way that cannot be entered) are `looks_refused`'s."""
    try:
        mode = folder.stat().st_mode
    except FileNotFoundError:
        return f"{folder}: no such folder"
    if not stat.S_ISDIR(mode):
        return f"{folder} is a file, not a folder"
    if not os.access(folder, os.R_OK | os.X_OK, effective_ids=True):
        return f"{folder} cannot be read (permission denied)"
    return None


def cannot_write(folder: Path) -> str | None:
    """Tried for real: a read-only file system, or /sys, lets os.access say yes where a write fails."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return f"cannot write into {folder} ({exc.strerror})"
    return None


def sniff(file: Path) -> tuple[str | None, dict[str, Any] | None]:
    """Why `file` is not jsonlines, judged on its first megabyte (binary, not UTF-8, a first line
    that is not a JSON object), else None; and its first record. Later bad lines are the readers'
    to skip and report."""
    try:
        with file.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as exc:
        return f"{file} cannot be read ({exc.strerror})", None
    if b"\0" in head:
        return f"{file} is a binary file, not jsonlines", None
    lines = head.split(b"\n")
    if len(head) == HEAD_BYTES:
        lines.pop()  # may be cut by the read
    try:
        text = b"\n".join(lines).decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"{file} is not UTF-8 text (byte {exc.start}), so not jsonlines", None
    first = next((line for line in text.split("\n") if line.strip()), None)
    if first is None:
        return None, None  # empty: nothing stored yet
    try:
        record = json.loads(first)
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        record = None
    if not isinstance(record, dict):
        return f"{file} is not jsonlines (its first line is not a JSON object)", None
    return None, record


def not_of_kind(record: dict[str, Any], kind: str) -> str | None:
    """Why a record is not one of `kind` (videos, users, ...): it lacks the kind's key, or another
    kind's fields cover more of it (a comments.jsonl given as videos)."""
    keys = set(record)

    def share(name: str) -> float:
        return len(keys & {f.name for f in attrs.fields(ITEM_TYPES[name])}) / max(len(keys), 1)

    required = [f.name for f in attrs.fields(ITEM_TYPES[kind]) if f.default is attrs.NOTHING]
    if not set(required) <= keys:
        return f"its first record has no {' or '.join(required)}, so it holds no {kind}"
    best = max(ITEM_TYPES, key=share)
    return f"it holds {best}, not {kind}" if share(best) > share(kind) else None


def records_file(kind: str) -> Callable[[str], Path]:
    """A jsonlines file of `kind` records, such as a crawl writes (DATA_DIR/<kind>.jsonl)."""
    hint = f"give a {kind}.jsonl a crawl wrote, e.g. data/{kind}.jsonl"

    @looks_refused
    def check(text: str) -> Path:
        file = path(text)
        if not file.is_file():
            raise Refused(f"{file} is not a file: {hint}")
        problem, record = sniff(file)
        if record is not None and (wrong := not_of_kind(record, kind)):
            problem = f"{file}: {wrong}"
        if problem:
            raise Refused(f"{problem}: {hint}")
        return file

    return check


@looks_refused
def data_dir(text: str) -> Path:
    """A folder a crawl wrote, readable, whose jsonlines files are jsonlines."""
    folder = path(text)
    if problem := cannot_read(folder):
        raise Refused(f"{problem}: {DATA_DIR_HINT}")
    for file in sorted(folder.glob("*.jsonl")):
        if problem := sniff(file)[0]:
            raise Refused(f"{problem}: move it out of {folder}, or {DATA_DIR_HINT}")
    return folder


@looks_refused
def writable_data_dir(text: str) -> Path:
    """A data directory the command adds a file to (ocr.jsonl, tiktok.db)."""
    folder = data_dir(text)
    if problem := cannot_write(folder):
        raise Refused(f"{problem}: check its permissions, or copy the data somewhere writable")
    return folder


@looks_refused
def out_dir(text: str) -> Path:
    """A folder to write into: it is made when missing, but its parent must exist (a typo in the
    path should not silently make a tree of folders)."""
    folder = path(text)
    if folder.exists() and not folder.is_dir():
        raise Refused(f"{folder} is a file, not a folder: give a folder to write into (made if missing)")
    parent = folder if folder.is_dir() else folder.parent
    if problem := cannot_read(parent) or cannot_write(parent):
        raise Refused(f"{problem}: give a folder to write into, whose parent exists")
    return folder


@looks_refused
def png_file(text: str) -> Path:
    """A chart to draw: a .png in a folder that exists (it is not made)."""
    file = path(text)
    if file.suffix.lower() != ".png":
        raise Refused(f"{file}: give a file name ending in .png")
    if file.is_dir():
        raise Refused(f"{file} is a folder: give a file name ending in .png")
    if problem := cannot_read(file.parent) or cannot_write(file.parent):
        raise Refused(f"{problem}: make the folder first, or draw the chart elsewhere")
    return file


def same_path(output: Path, source: Path) -> bool:
    """Whether an output would be written over an input (a data directory, or a file): the other
    way round, a folder inside DATA_DIR is fine, since the readers take only its top-level files."""
    return output.resolve() == source.resolve()


def notes(problems: list[str]) -> None:
    """What a command skipped or could not read (a line cut by a crash): on stderr, after the result."""
    for problem in problems:
        print(f"  note: {problem}", file=sys.stderr)


def host(text: str) -> str:
    """An address to listen on: localhost or an IP address (a name would need a DNS look-up)."""
    if text == "localhost":
        return text
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise Refused(
            f"{shown(text)}: give an IP address to listen on, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every network)"
        ) from None


def day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Refused(f"{shown(text)}: give a day as YYYY-MM-DD, e.g. 2026-06-01") from None


def item_types(text: str) -> list[str]:
    """A comma list of the kinds a crawl writes (videos, users, ...), each once."""
    names = [name.strip() for name in text.split(",")]
    for name in names:
        if name not in ITEM_TYPES:
            raise Refused(f"{shown(name)} is not a kind of data: give one or more of {', '.join(ITEM_TYPES)}, separated by commas")
    return list(dict.fromkeys(names))
