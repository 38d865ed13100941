"""`python -m tiktok export table DATA_DIR OUT --format csv|parquet|xlsx`: each kind of data as one
file OUT/<kind>.<format> whose columns are the schema's codebook names, so R, SPSS, Excel and
pandas users open it directly; and OUT/media_archive.txt, the videos already downloaded in
yt-dlp's `--download-archive` format (`tiktok <id>` per line), so other tools skip them.

Values are written as the jsonl holds them: ids and ISO 8601 times as text, create_time as Unix
seconds, counts as integers; lists as list columns in Parquet and as JSON text in CSV and xlsx.
CSV and xlsx cannot tell an empty text from a missing one; Parquet can.

With a key, the usernames, ids, names and links of people (not of videos) become keyed hashes
(HMAC-SHA256), as 4CAT's pseudonymised exports do: the same person gets the same pseudonym in
every file, and without the key nobody can tell who it is by hashing a guessed name."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tiktok.schema.fields import Field, Kind, arrow_type, table
from tiktok.schema.items import ITEM_TYPES
from tiktok.storage.jsonl import read_jsonl

FORMATS = ("csv", "parquet", "xlsx")
KEY_ENV = "TIKTOK_PSEUDONYM_KEY"
KEY_FILE = "pseudonym.key"
MIN_KEY_CHARS = 16
ARCHIVE = "media_archive.txt"
TIME_FIELDS = ("create_time", "scraped_at", "observed_at")  # what --since/--until read: posted, else observed
XLSX_ROWS = 1_048_576  # Excel's limit, the header row included
XLSX_CELL_CHARS = 32_767

# The fields that name a person. Free text (descriptions, bios, comments) and sound titles and
# authors are left as written: they may name people too, which the README says.
PERSON_FIELDS = {
    "videos": ("username", "author_id", "author_nickname", "mentions"),
    "users": ("username", "user_id", "sec_uid", "display_name", "avatar_url", "bio_url"),
    "comments": ("username",),
    "follows": ("follower", "followee"),
    "playlists": ("username",),
    "user_statuses": ("username",),
}
VIDEO_URL = re.compile(r"^(https://www\.tiktok\.com/@)([^/?#]+)(.*)$")


class TooManyRows(ValueError):
    """More rows than an xlsx sheet holds: the export stops rather than cut the data."""


@attrs.frozen
class Window:
    """--since/--until: whole days in UTC, both included."""

    since: dt.date | None = None
    until: dt.date | None = None

    def bounds(self) -> tuple[float, float]:
        start = dt.datetime.combine(self.since, dt.time(), dt.UTC).timestamp() if self.since else float("-inf")
        end = dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp() if self.until else float("inf")
        return start, end


def columns(kind: str) -> list[Field]:
    """The codebook columns of `kind`, each with its kind of value (tiktok/schema/fields.py)."""
    return list(table(ITEM_TYPES[kind]))


def pseudonym_key(key_file: Path) -> bytes:
    """The key from the environment, else from `key_file`, made once (owner-only) when missing."""
    if value := os.environ.get(KEY_ENV):
        return value.encode()
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    return key_file.read_bytes().strip()


class Pseudonyms:
    def __init__(self, key: bytes) -> None:
        self.key = key

    def of(self, value: str) -> str:
        return hmac.new(self.key, value.encode(), hashlib.sha256).hexdigest()[:32]

    def record(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        out = dict(record)
        for name in PERSON_FIELDS.get(kind, ()):
            value = out.get(name)
            if isinstance(value, str):
                out[name] = self.of(value)
            elif isinstance(value, list):
                out[name] = [self.of(v) if isinstance(v, str) else v for v in value]
        url = out.get("url")
        if kind == "videos" and isinstance(url, str) and (m := VIDEO_URL.match(url)):
            out["url"] = m[1] + self.of(m[2]) + m[3]  # the page URL names its creator
        return out


def posted_or_observed(record: dict[str, Any], field: str) -> float | None:
    value = record.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).timestamp()
    return None


def selected(kind: str, data_dir: Path, window: Window, problems: list[str]) -> Iterator[dict[str, Any]]:
    """The records of DATA_DIR/<kind>.jsonl inside the window."""
    records = read_jsonl(data_dir / f"{kind}.jsonl", problems)
    if window == Window():
        yield from records
        return
    names = {spec.name for spec in columns(kind)}
    field = next(f for f in TIME_FIELDS if f in names)
    start, end = window.bounds()
    undated = 0
    for record in records:
        when = posted_or_observed(record, field)
        if when is None:
            undated += 1
        elif start <= when < end:
            yield record
    if undated:
        problems.append(f"{kind}: {undated} records without a valid {field} left out by --since/--until")


def conform(value: Any, kind: Kind) -> tuple[Any, bool]:
    """`value` as its column holds it (JSON text where Arrow has no type for the kind), and
    whether it had the kind's type (else None)."""
    if value is None:
        return None, True
    if kind.python is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
    elif kind.python in (str, bool):
        fits = isinstance(value, kind.python)
    elif kind.python == list[str]:
        fits = isinstance(value, list) and all(isinstance(v, str) for v in value)
    else:
        fits = isinstance(value, list | dict)
    if not fits:
        return None, False
    return (value if kind.arrow else json.dumps(value, ensure_ascii=False)), True


def rows(kind: str, records: Iterator[dict[str, Any]], problems: list[str]) -> list[list[Any]]:
    cols = columns(kind)
    out, wrong = [], 0
    for record in records:
        row = []
        for spec in cols:
            value, fits = conform(record.get(spec.name), spec.kind)
            wrong += not fits
            row.append(value)
        out.append(row)
    if wrong:
        problems.append(f"{kind}: {wrong} values not of their column's type left empty")
    return out


def write_csv(path: Path, kind: str, table: list[list[Any]], problems: list[str]) -> None:
    def text(value: Any) -> Any:
        if isinstance(value, bool):
            return "true" if value else "false"
        return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value

    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([spec.name for spec in columns(kind)])
        writer.writerows([text(v) for v in row] for row in table)


def write_parquet(path: Path, kind: str, table: list[list[Any]], problems: list[str]) -> None:
    schema = pa.schema([(spec.name, arrow_type(spec.kind) or pa.string()) for spec in columns(kind)])
    pq.write_table(pa.Table.from_pylist([dict(zip(schema.names, row, strict=True)) for row in table], schema=schema), path)


def write_xlsx(path: Path, kind: str, table: list[list[Any]], problems: list[str]) -> None:
    if len(table) >= XLSX_ROWS:
        raise TooManyRows(f"{kind}: {len(table):,} rows are more than an xlsx sheet holds ({XLSX_ROWS - 1:,}): export csv or parquet")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind)
    sheet.append([spec.name for spec in columns(kind)])
    changed = 0
    for row in table:
        cells = []
        for value in row:
            if isinstance(value, list):
                value = json.dumps(value, ensure_ascii=False)
            if isinstance(value, str):
                cleaned = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:XLSX_CELL_CHARS]
                changed += cleaned != value
                cell = WriteOnlyCell(sheet, value=cleaned)
                cell.data_type = "s"  # text that starts with "=" stays text, not a formula Excel would run
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    book.save(path)
    if changed:
        problems.append(
            f"{kind}: {changed} texts held control characters or more than {XLSX_CELL_CHARS:,} characters, which xlsx"
            " cannot: replaced by U+FFFD or cut (csv and parquet keep them)"
        )


WRITERS = {"csv": write_csv, "parquet": write_parquet, "xlsx": write_xlsx}


def media_archive(data_dir: Path, out: Path) -> int:
    """OUT/media_archive.txt: each video whose file is stored under DATA_DIR, once. (Lines it
    cannot read were noted when the videos were exported.)"""
    ids = {
        r["id"]: None
        for r in read_jsonl(data_dir / "videos.jsonl")
        if isinstance(r.get("id"), str) and isinstance(r.get("video_path"), str) and (data_dir / r["video_path"]).is_file()
    }
    part = out / f".{ARCHIVE}.part"
    part.write_text("".join(f"tiktok {vid}\n" for vid in ids), encoding="utf-8")
    os.replace(part, out / ARCHIVE)
    return len(ids)


def export_tables(
    data_dir: Path, out: Path, kinds: list[str], fmt: str, window: Window, key: bytes | None, problems: list[str]
) -> dict[str, int]:
    """Writes OUT/<kind>.<fmt> for each kind (and the media archive with videos); rows per file.
    Each file is written beside and renamed, so a failed export leaves no half file."""
    out.mkdir(exist_ok=True)
    pseudonyms = Pseudonyms(key) if key else None
    written = {}
    for kind in kinds:
        records = selected(kind, data_dir, window, problems)
        if pseudonyms:
            records = (pseudonyms.record(kind, r) for r in records)
        table = rows(kind, records, problems)
        part = out / f".{kind}.{fmt}.part"
        WRITERS[fmt](part, kind, table, problems)
        os.replace(part, out / f"{kind}.{fmt}")
        written[kind] = len(table)
    if "videos" in kinds:
        written[ARCHIVE] = media_archive(data_dir, out)
    return written
