"""jsonlines output into pandas, for the analysis and the notebooks (never imports Scrapy).

Where `python -m tiktok compact` made a Parquet copy of a file (tiktok/storage/parquet.py), its rows
are read from it and only the lines past its offset from the jsonl: the same frame as from the
jsonl alone, several times as fast (bench/compaction.py). pyarrow parses the jsonl (eight times as
fast as a json.loads loop, bench/analysis.py) as a stream, so a big file is not held in memory; a
line it cannot take (a last line cut by a crash, a garbled one) sends the file through the tolerant
line reader instead, which skips that line and says so. Ids stay strings, counts are nullable
integers and times are UTC timestamps, whatever the file's first rows happened to hold.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.json as pa_json

from tiktok.schema.fields import ISO_TIME, RECORDS, UNIX_TIME, arrow_type, table
from tiktok.schema.items import ITEM_TYPES
from tiktok.storage.jsonl import ByteRange, cut_note, lines_end, read_from
from tiktok.storage.parquet import OFFSET, read_latest
from tiktok.storage.shards import data_files

# pyarrow's types as the frame holds them: no detour through Python objects on a big file.
PANDAS_TYPES = {
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
    pa.string(): pd.StringDtype("pyarrow"),
    pa.large_string(): pd.StringDtype("pyarrow"),
}


def schema_of(name: str, columns: list[str] | None = None) -> tuple[pa.Schema, bool]:
    """The Arrow schema of a kind's fields (or of `columns`), and whether it types every one of
    them, so that pyarrow may skip the rest of each line (a third of the time on a big file)."""
    rows = [r for r in table(ITEM_TYPES[name]) if columns is None or r.name in columns]
    known = [(r.name, arrow_type(r.kind)) for r in rows if r.kind.arrow is not None]
    return pa.schema(known), columns is not None and len(known) == len(rows)


def load(data_dir: Path | str, name: str, problems: list[str] | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """DATA_DIR/<name>.jsonl (name: videos, users, comments, follows, hashtags, sounds,
    user_statuses) as a DataFrame with every schema column (or `columns`: for a big file, e.g.
    OBSERVATION_COLUMNS for the virality measures), empty when the file is absent. A data directory
    of many workers is one dataset: its shards' files (DATA_DIR/<worker id>/) are read too."""
    files = data_files(Path(data_dir), name)
    if len(files) <= 1:
        return load_file(files[0] if files else Path(data_dir) / f"{name}.jsonl", name, problems, columns)
    return pd.concat([load_file(f, name, problems, columns) for f in files], ignore_index=True)


def load_file(path: Path | str, name: str = "videos", problems: list[str] | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """One jsonlines file of records of kind `name` (see `load`): from its Parquet copy where it has
    one, and from the jsonl past it."""
    path = Path(path)
    if name not in ITEM_TYPES:
        raise ValueError(f"unknown kind {name!r}: give one of {', '.join(ITEM_TYPES)}")
    notes: list[str] = []
    copy, start = read_latest(path, name, columns, types=compacted_types(name)) if path.is_file() else (None, 0)
    tail = jsonl_frame(path, name, start, columns, notes)
    if problems is not None:
        problems += notes
    if copy is None:
        return tail
    copy = copy.drop_columns([OFFSET])  # the only reference left to the table decoded() takes apart
    compacted = typed(decoded(copy, name), name, columns)
    return pd.concat([compacted, tail], ignore_index=True) if len(tail) else compacted


def compacted_types(name: str) -> dict[str, pa.DataType]:
    """How the loader reads a Parquet copy's text columns: ISO times as dictionaries (parsed once
    per distinct value, `parsed_times`), other strings as large_string, the layout pandas keeps
    its strings in (a string column would be copied whole into it)."""
    rows = [r for r in table(ITEM_TYPES[name]) if r.kind.arrow == "string"]
    return {r.name: pa.dictionary(pa.int32(), pa.string()) if r.kind is ISO_TIME else pa.large_string() for r in rows}


def jsonl_frame(path: Path, name: str, start: int, columns: list[str] | None, notes: list[str]) -> pd.DataFrame:
    """The records of a jsonl file from byte `start` on."""
    schema, complete = schema_of(name, columns)
    parsed = arrow_table(path, start, schema, complete, notes) if path.exists() else None
    if parsed is not None:
        return typed(as_frame(parsed), name, columns)
    lines = read_from(path, start, notes)
    if lines.unfinished:
        notes.append(cut_note(path))
    return typed(as_arrays(pd.DataFrame.from_records(lines.records), name), name, columns)


def arrow_table(path: Path, start: int, schema: pa.Schema, only_schema: bool, notes: list[str]) -> pa.Table | None:
    """The file from byte `start` parsed by pyarrow, or None when a line needs the tolerant reader."""
    end = lines_end(path, start)
    cut = cut_note(path) if end < path.stat().st_size else None
    others = "ignore" if only_schema else "infer"
    options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior=others, newlines_in_values=False)
    try:
        with pa.PythonFile(io.BufferedReader(ByteRange(path, start, end), 1 << 20), mode="r") as stream:
            table = pa_json.read_json(stream, parse_options=options, read_options=pa_json.ReadOptions(block_size=1 << 20))
    except pa.ArrowInvalid:
        if end > start:
            return None
        table = pa.table({f.name: pa.array([], f.type) for f in schema})  # pyarrow refuses an empty file
    notes += [cut] if cut else []
    return table


def as_frame(rows: pa.Table) -> pd.DataFrame:
    """An Arrow table as pandas, taken apart as it goes: each column's Arrow memory is freed once
    it is converted (no other table may share them), so a big table and its frame are never both
    held whole (bench/compaction.py). Integer columns become Int64 from one joined array: pandas'
    own conversion copies them chunk by chunk and then joins the copies, and at 10M rows the freed
    chunks stayed in the process's heap (0.5 GB more resident under the viral ranking)."""
    as_arrow = pd.ArrowDtype(pa.int64())
    frame = rows.to_pandas(types_mapper={**PANDAS_TYPES, pa.int64(): as_arrow}.get, split_blocks=True, self_destruct=True)
    for c in frame.columns[(frame.dtypes == as_arrow).to_numpy()]:
        frame[c] = integer_array(pa.array(frame[c].array))  # its own chunks, no copy
    return frame


def integer_array(column: pa.ChunkedArray) -> pd.arrays.IntegerArray:
    """An int64 column as pandas' Int64 (a value and a missing flag per row), each in one array."""
    missing = column.is_null().to_numpy(zero_copy_only=False) if column.null_count else np.zeros(len(column), dtype=bool)
    values = column.fill_null(0) if column.null_count else column
    return pd.arrays.IntegerArray(values.to_numpy(), missing)


def decoded(copy: pa.Table, name: str) -> pd.DataFrame:
    """A Parquet copy's rows as the jsonl reader gives them: lists of objects back from JSON text.
    `copy` is taken apart (`as_frame`)."""
    frame = as_frame(copy)
    for r in table(ITEM_TYPES[name]):
        if r.kind is RECORDS and r.name in frame:
            frame[r.name] = [None if pd.isna(v) else json.loads(v) for v in frame[r.name]]
    return frame


def as_arrays(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Lists the tolerant reader made, as the arrays pyarrow gives: one value, one form."""
    for r in table(ITEM_TYPES[name]):
        if r.kind.arrow == "list<string>" and r.name in frame:
            frame[r.name] = [as_array(v) if isinstance(v, list) else v for v in frame[r.name]]
    return frame


def as_array(values: list[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def plain_records(value: Any) -> Any:
    """A list of objects without its empty (null) keys: pyarrow fills in every key it saw."""
    if not isinstance(value, list | np.ndarray):
        return None if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else value
    return [{k: v for k, v in d.items() if v is not None} if isinstance(d, dict) else d for d in value]


def parsed_times(values: pd.Series) -> pd.Series:
    """ISO 8601 texts as UTC timestamps (NaT where they are not one), each distinct text parsed
    once: an observation time repeats on every row of its snapshot, and parsing 10M texts one by
    one goes through 10M Python strings (bench/compaction.py). The same values and dtype as
    `pd.to_datetime` on the whole column."""
    codes, distinct = pd.factorize(values)
    parsed = pd.to_datetime(np.asarray(distinct, dtype=object), utc=True, format="ISO8601", errors="coerce")
    return pd.Series(parsed.array.take(codes, allow_fill=True), index=values.index)


def typed(frame: pd.DataFrame, name: str, columns: list[str] | None) -> pd.DataFrame:
    """Every schema column present, in schema order, with the dtypes of their kinds."""
    out: dict[str, Any] = {}
    for r in table(ITEM_TYPES[name]):
        if columns and r.name not in columns:
            continue
        values = frame[r.name] if r.name in frame else pd.Series([None] * len(frame), index=frame.index, dtype=object)
        if r.kind is ISO_TIME:
            values = parsed_times(values)
        elif r.kind is UNIX_TIME:
            seconds = values if values.dtype == "Int64" else pd.to_numeric(values, errors="coerce").astype("Int64")
            values = pd.to_datetime(seconds, unit="s", utc=True)
        elif r.kind is RECORDS:
            values = pd.Series([plain_records(v) for v in values], index=frame.index, dtype=object)
        elif r.kind.arrow == "string":
            values = values.astype("string")
        elif r.kind.arrow == "int64" and values.dtype != "Int64":  # pyarrow's already are: no copy of a big column
            values = pd.to_numeric(values, errors="coerce").astype("Int64")
        elif r.kind.arrow == "bool":
            values = values.astype("boolean")
        out[r.name] = values
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)), copy=False)  # a dict's columns are copied by default
