"""jsonlines output into pandas, for the analysis and the notebooks (never imports Scrapy).

pyarrow parses the files (eight times as fast as a json.loads loop, bench/analysis.py); a line it cannot take
(a last line cut by a crash, a garbled one) sends the file through the tolerant line reader
instead, which skips that line and says so. Ids stay strings, counts are nullable integers and
times are UTC timestamps, whatever the file's first rows happened to hold.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import pyarrow as pa
import pyarrow.json as pa_json

from tiktok.schema.items import ITEM_TYPES
from tiktok.storage.jsonl import read_jsonl

TIME_COLUMNS = ("scraped_at", "observed_at", "download_timestamp")
UNIX_COLUMNS = ("create_time",)


def arrow_type(annotation: str) -> pa.DataType | None:
    """The Arrow type of a schema field, from its annotation (lists are left to inference)."""
    base = annotation.replace(" | None", "")
    return {"str": pa.string(), "int": pa.int64(), "bool": pa.bool_(), "list[str]": pa.list_(pa.string())}.get(base)


def schema_of(name: str, columns: list[str] | None = None) -> tuple[pa.Schema, bool]:
    """The Arrow schema of a kind's fields (or of `columns`), and whether it types every one of
    them, so that pyarrow may skip the rest of each line (a third of the time on a big file)."""
    fields = [f for f in attrs.fields(ITEM_TYPES[name]) if columns is None or f.name in columns]
    typed = [(f.name, arrow_type(str(f.type))) for f in fields]
    known = [(n, t) for n, t in typed if t is not None]
    return pa.schema(known), columns is not None and len(known) == len(fields)


def load(data_dir: Path | str, name: str, problems: list[str] | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """DATA_DIR/<name>.jsonl (name: videos, users, comments, follows, hashtags, sounds,
    user_statuses) as a DataFrame with every schema column (or `columns`: for a big file, e.g.
    OBSERVATION_COLUMNS for the virality measures), empty when the file is absent."""
    return load_file(Path(data_dir) / f"{name}.jsonl", name, problems, columns)


def load_file(path: Path | str, name: str = "videos", problems: list[str] | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """One jsonlines file of records of kind `name` (see `load`)."""
    path = Path(path)
    if name not in ITEM_TYPES:
        raise ValueError(f"unknown kind {name!r}: give one of {', '.join(ITEM_TYPES)}")
    schema, complete = schema_of(name, columns)
    notes: list[str] = []
    table = arrow_table(path, schema, complete, notes) if path.exists() else None
    if table is None:
        frame = pd.DataFrame.from_records(list(read_jsonl(path, notes)))
    else:
        frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get)
    if problems is not None:
        problems += notes
    return typed(frame, name, columns)


def arrow_table(path: Path, schema: pa.Schema, only_schema: bool, notes: list[str]) -> pa.Table | None:
    """The file parsed by pyarrow, or None when a line needs the tolerant reader."""
    data, cut_note = path.read_bytes(), None
    if not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        try:
            json.loads(data[cut:])
            data += b"\n"  # a whole last line without its newline
        except ValueError:
            cut_note = f"{path.name}: the last line (cut by a crash?) is not a JSON object; skipped"
            data = data[:cut]
    if not data.strip():
        notes += [cut_note] if cut_note else []
        return pa.table({f.name: pa.array([], f.type) for f in schema})
    others = "ignore" if only_schema else "infer"
    options = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior=others, newlines_in_values=False)
    try:
        table = pa_json.read_json(io.BytesIO(data), parse_options=options, read_options=pa_json.ReadOptions(block_size=1 << 20))
    except pa.ArrowInvalid:
        return None
    notes += [cut_note] if cut_note else []
    return table


def typed(frame: pd.DataFrame, name: str, columns: list[str] | None) -> pd.DataFrame:
    """Every schema column present, in schema order, with the schema's dtypes."""
    fields = attrs.fields(ITEM_TYPES[name])
    wanted = columns or [f.name for f in fields]
    out: dict[str, Any] = {}
    for f in fields:
        if f.name not in wanted:
            continue
        values = frame[f.name] if f.name in frame else pd.Series([None] * len(frame), index=frame.index, dtype=object)
        kind = arrow_type(str(f.type))
        if f.name in TIME_COLUMNS:
            values = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
        elif f.name in UNIX_COLUMNS:
            values = pd.to_datetime(pd.to_numeric(values, errors="coerce").astype("Int64"), unit="s", utc=True)
        elif kind == pa.string():
            values = values.astype("string")
        elif kind == pa.int64():
            values = pd.to_numeric(values, errors="coerce").astype("Int64")
        elif kind == pa.bool_():
            values = values.astype("boolean")
        out[f.name] = values
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
