"""jsonlines output into pandas, for the analysis and the notebooks (never imports Scrapy).

pyarrow parses the files (eight times as fast as a json.loads loop, bench/analysis.py); a line it cannot take
(a last line cut by a crash, a garbled one) sends the file through the tolerant line reader
instead, which skips that line and says so. Ids stay strings, counts are nullable integers and
times are UTC timestamps, whatever the file's first rows happened to hold.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.json as pa_json

from tiktok.schema.fields import ISO_TIME, UNIX_TIME, arrow_type, table
from tiktok.schema.items import ITEM_TYPES
from tiktok.storage.jsonl import cut_note, read_jsonl, whole_end
from tiktok.storage.shards import data_files


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
    """One jsonlines file of records of kind `name` (see `load`)."""
    path = Path(path)
    if name not in ITEM_TYPES:
        raise ValueError(f"unknown kind {name!r}: give one of {', '.join(ITEM_TYPES)}")
    schema, complete = schema_of(name, columns)
    notes: list[str] = []
    parsed = arrow_table(path, schema, complete, notes) if path.exists() else None
    if parsed is None:
        frame = pd.DataFrame.from_records(list(read_jsonl(path, notes)))
    else:
        frame = parsed.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get)
    if problems is not None:
        problems += notes
    return typed(frame, name, columns)


def arrow_table(path: Path, schema: pa.Schema, only_schema: bool, notes: list[str]) -> pa.Table | None:
    """The file parsed by pyarrow, or None when a line needs the tolerant reader."""
    data = path.read_bytes()
    end = whole_end(data)
    cut = cut_note(path) if end < len(data) else None
    data = data[:end] if data.endswith(b"\n") or end < len(data) else data + b"\n"  # pyarrow wants the last newline
    if not data.strip():
        notes += [cut] if cut else []
        return pa.table({f.name: pa.array([], f.type) for f in schema})
    others = "ignore" if only_schema else "infer"
    options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior=others, newlines_in_values=False)
    try:
        table = pa_json.read_json(io.BytesIO(data), parse_options=options, read_options=pa_json.ReadOptions(block_size=1 << 20))
    except pa.ArrowInvalid:
        return None
    notes += [cut] if cut else []
    return table


def typed(frame: pd.DataFrame, name: str, columns: list[str] | None) -> pd.DataFrame:
    """Every schema column present, in schema order, with the dtypes of their kinds."""
    out: dict[str, Any] = {}
    for r in table(ITEM_TYPES[name]):
        if columns and r.name not in columns:
            continue
        values = frame[r.name] if r.name in frame else pd.Series([None] * len(frame), index=frame.index, dtype=object)
        if r.kind is ISO_TIME:
            values = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
        elif r.kind is UNIX_TIME:
            values = pd.to_datetime(pd.to_numeric(values, errors="coerce").astype("Int64"), unit="s", utc=True)
        elif r.kind.arrow == "string":
            values = values.astype("string")
        elif r.kind.arrow == "int64":
            values = pd.to_numeric(values, errors="coerce").astype("Int64")
        elif r.kind.arrow == "bool":
            values = values.astype("boolean")
        out[r.name] = values
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
