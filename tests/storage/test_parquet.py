"""The Parquet copy (tiktok/storage/parquet.py): what the loaders and `db build` read from it plus the
jsonl past it equals what they read from the jsonl alone; compaction is incremental, partitions by
day with the field table's types, and a crash between any two of its steps loses or doubles no row.

The records are what the parsers make of the real TikTok samples, as hourly snapshots over days."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import tiktok.analysis as ta
from tiktok.analysis.load import load, load_file
from tiktok.parsing.detect import parse_any
from tiktok.schema.fields import arrow_type, table
from tiktok.schema.items import ITEM_TYPES
from tiktok.storage import db, parquet
from tiktok.storage.store import as_record

KIND_OF = {cls: name for name, cls in ITEM_TYPES.items()}
HOURS = ["2026-06-01T22:00:00Z", "2026-06-01T23:00:00Z", "2026-06-02T00:00:00Z", "2026-06-03T05:00:00Z"]


@pytest.fixture(scope="module")
def samples(real_fixtures: Path) -> dict[str, list[dict[str, Any]]]:
    """The real samples' items as jsonl records, by kind."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(real_fixtures.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".html"):
            for item in parse_any(path.read_bytes()).items:
                found.setdefault(KIND_OF[type(item)], []).append(as_record(item))
    assert {"videos", "users", "hashtags"} <= found.keys() and any(r.get("caption_urls") for r in found["videos"])
    return found


def snapshots(records: list[dict[str, Any]], hour: str) -> list[dict[str, Any]]:
    """Records as one crawl at `hour` stored them (one without a time, as an import may)."""
    field = "scraped_at" if "scraped_at" in records[0] else "observed_at"
    out = [{**r, field: hour} for r in records]
    out[0][field] = None
    return out


def append(path: Path, records: list[dict[str, Any]], tail: str = "") -> None:
    with path.open("a", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        f.write(tail)


def jsonl_alone(data: Path, tmp: Path) -> Path:
    """A copy of the data directory without its Parquet copy: what a reader gets from the jsonl."""
    plain = tmp / "plain"
    shutil.rmtree(plain, ignore_errors=True)
    shutil.copytree(data, plain, ignore=shutil.ignore_patterns(parquet.FOLDER))
    return plain


def same_frames(data: Path, plain: Path, kinds: list[str]) -> None:
    for kind in kinds:
        for columns in [None, *([ta.OBSERVATION_COLUMNS] if kind == "videos" else [])]:
            got_notes: list[str] = []
            want_notes: list[str] = []
            got = load(data, kind, got_notes, columns)
            want = load(plain, kind, want_notes, columns)
            pd.testing.assert_frame_equal(got, want)
            assert got_notes == want_notes


def stored_rows(data: Path, kind: str) -> int:
    """Rows in every part file a glob finds: a crash's leftovers would count twice."""
    return sum(ds.dataset(str(p)).count_rows() for p in (data / parquet.FOLDER / kind).rglob("*.parquet"))


def test_reading_the_copy_plus_the_tail_equals_the_jsonl(samples: dict[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    kinds = ["users", "videos"]  # every kind is read the same way; `db build` below covers them all
    for kind in kinds:
        for hour in HOURS[:3]:
            append(data / f"{kind}.jsonl", snapshots(samples[kind], hour))
    cut = '{"id": "7", "scraped_at": "2026-06-03T0'  # a crawl mid-write: left for the next compaction
    append(data / "videos.jsonl", [], cut)
    notes: list[str] = []
    added = parquet.compact(data, notes)
    assert added == {kind: 3 * len(samples[kind]) for kind in kinds} and notes == []
    state = parquet.read_state(data)
    assert state["videos.jsonl"]["offset"] == (data / "videos.jsonl").stat().st_size - len(cut)
    same_frames(data, jsonl_alone(data, tmp_path), kinds)

    # The crawl finishes its line and the next hour comes in: read from the copy and the tail.
    append(data / "videos.jsonl", [], '1:00:00Z"}\n')
    for kind in kinds:
        append(data / f"{kind}.jsonl", snapshots(samples[kind], HOURS[3]))
    copy, start = parquet.read_latest(data / "videos.jsonl", "videos")
    assert copy is not None and copy.num_rows == 3 * len(samples["videos"]) and start == state["videos.jsonl"]["offset"]
    same_frames(data, jsonl_alone(data, tmp_path), kinds)
    assert parquet.compact(data, notes) == {kind: len(samples[kind]) + (kind == "videos") for kind in kinds}
    assert parquet.compact(data, notes) == dict.fromkeys(kinds, 0) and notes == []
    pd.testing.assert_frame_equal(load(data, "videos"), load(jsonl_alone(data, tmp_path), "videos"))


def test_partitioned_by_day_with_the_field_tables_types(samples: dict[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    for hour in HOURS:
        append(tmp_path / "videos.jsonl", snapshots(samples["videos"], hour))
        parquet.compact(tmp_path, [])  # hourly, as cron runs it
    dataset = ds.dataset(tmp_path / "parquet" / "videos", format="parquet", partitioning="hive")
    for r in table(ITEM_TYPES["videos"]):
        assert dataset.schema.field(r.name).type == (arrow_type(r.kind) or "string"), r.name
    days = Counter(dataset.to_table(columns=["day"])["day"].to_pylist())
    per_hour = len(samples["videos"]) - 1
    assert days == {"2026-06-01": 2 * per_hour, "2026-06-02": per_hour, "2026-06-03": per_hour, "unknown": 4}
    # The small parts of a day were merged into one as its hours came in, and the replaced files deleted.
    files = sorted(p.parent.name for p in (tmp_path / "parquet" / "videos").rglob("*.parquet"))
    assert files == ["day=2026-06-01", "day=2026-06-02", "day=2026-06-03", "day=unknown"]
    rows = dataset.to_table(columns=["id", "caption_urls", parquet.OFFSET]).sort_by(parquet.OFFSET).to_pylist()
    lines = (tmp_path / "videos.jsonl").read_bytes().splitlines(keepends=True)
    starts = [sum(map(len, lines[:i])) for i in range(len(lines))]
    assert [r[parquet.OFFSET] for r in rows] == starts
    first = json.loads(lines[0])
    with_captions = next(r for r in rows if r["caption_urls"])
    assert all(set(c) <= {"language", "url"} for c in json.loads(with_captions["caption_urls"]))
    assert rows[0]["id"] == first["id"]


def test_columns_read_as_a_dictionary_or_large_strings_hold_the_same_values(
    samples: dict[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    for hour in HOURS:
        append(tmp_path / "videos.jsonl", snapshots(samples["videos"], hour))
    parquet.compact(tmp_path, [])
    types = {"scraped_at": pa.dictionary(pa.int32(), pa.string()), "id": pa.large_string()}
    plain, _ = parquet.read_latest(tmp_path / "videos.jsonl", "videos", ["id", "scraped_at", "like_count"])
    read, _ = parquet.read_latest(tmp_path / "videos.jsonl", "videos", ["id", "scraped_at", "like_count"], types=types)
    assert plain is not None and read is not None
    assert read.schema.field("scraped_at").type == types["scraped_at"] and read.schema.field("id").type == pa.large_string()
    assert read["scraped_at"].to_pylist() == plain["scraped_at"].to_pylist() and read["id"].to_pylist() == plain["id"].to_pylist()
    assert len(set(plain["scraped_at"].to_pylist())) == len(HOURS) + 1 and read["like_count"].equals(plain["like_count"])


def test_a_crash_between_any_two_steps_loses_or_doubles_nothing(
    samples: dict[str, list[dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file operation of a compaction fails in turn (a kill there: nothing is tidied up); the
    readers still equal the jsonl, and the next compaction ends with every row once."""
    videos = samples["videos"][:40]
    columns = ["id", "like_count", "caption_urls", "scraped_at"]
    base = tmp_path / "base"
    base.mkdir()
    append(base / "videos.jsonl", snapshots(videos, HOURS[0]))
    parquet.compact(base, [])
    append(base / "videos.jsonl", snapshots(videos, HOURS[1]) + snapshots(videos, HOURS[2]))  # old part merged: a replace
    steps = [(Path, "rename"), (Path, "replace"), (Path, "unlink"), (os, "fsync")]

    def fail_at(k: int) -> list[int]:
        calls = [0]
        for owner, name in steps:
            real = getattr(owner, name)

            def failing(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
                calls[0] += 1
                if calls[0] == k:
                    raise KeyboardInterrupt("killed here")
                return _real(*args, **kwargs)

            monkeypatch.setattr(owner, name, failing)
        return calls

    monkeypatch.setattr(parquet.Parts, "abandon", lambda self: None)  # a kill cleans nothing up
    counted = tmp_path / "counted"
    shutil.copytree(base, counted)
    calls = fail_at(0)
    parquet.compact(counted, [])
    monkeypatch.undo()
    assert calls[0] >= 8  # fsyncs, renames, the state's replace, the merged part's unlink
    monkeypatch.setattr(parquet.Parts, "abandon", lambda self: None)
    want = load(jsonl_alone(base, tmp_path), "videos", columns=columns)
    for k in range(1, calls[0] + 1):
        data = tmp_path / f"crash{k}"
        shutil.copytree(base, data)
        fail_at(k)
        with pytest.raises(KeyboardInterrupt):
            parquet.compact(data, [])
        monkeypatch.undo()
        monkeypatch.setattr(parquet.Parts, "abandon", lambda self: None)
        pd.testing.assert_frame_equal(load(data, "videos", columns=columns), want)
        parquet.compact(data, [])
        pd.testing.assert_frame_equal(load(data, "videos", columns=columns), want)
        assert stored_rows(data, "videos") == len(want) == 3 * len(videos), k
        assert not list(data.rglob("*.tmp")), k


def test_a_line_that_does_not_fit_stops_the_compaction_there(samples: dict[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    videos = snapshots(samples["videos"], HOURS[0])
    append(tmp_path / "videos.jsonl", videos[:5])
    bad_at = (tmp_path / "videos.jsonl").stat().st_size
    append(tmp_path / "videos.jsonl", [{**videos[5], "like_count": "12K"}, *videos[6:]])
    notes: list[str] = []
    assert parquet.compact(tmp_path, notes) == {"videos": 5}
    assert notes == [
        f"{tmp_path / 'videos.jsonl'}: the line at byte {bad_at} does not fit the field table: compacted up to it; "
        "the rest is read from the jsonl (fix or remove that line)"
    ]
    same_frames(tmp_path, jsonl_alone(tmp_path, tmp_path / "x"), ["videos"])


def test_a_rewritten_jsonl_is_read_alone_and_compacted_again(samples: dict[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    append(tmp_path / "users.jsonl", snapshots(samples["users"], HOURS[0]))
    parquet.compact(tmp_path, [])
    (tmp_path / "users.jsonl").write_text(json.dumps({"username": "someone_else"}) + "\n" * 300)  # same size or not: other bytes
    assert parquet.compacted(tmp_path / "users.jsonl", "users") is None
    assert load(tmp_path, "users")["username"].tolist() == ["someone_else"]
    notes: list[str] = []
    assert parquet.compact(tmp_path, notes) == {"users": 1}
    assert "changed before byte" in notes[0]
    assert load(tmp_path, "users")["username"].tolist() == ["someone_else"] and stored_rows(tmp_path, "users") == 1


def test_worker_shards_are_compacted_and_read_as_one_dataset(samples: dict[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    data = tmp_path / "data"
    for i, where in enumerate([data, data / "host-1", data / "host-2"]):
        where.mkdir(parents=True)
        (where / "runs.jsonl").write_text("{}\n")
        append(where / "videos.jsonl", snapshots(samples["videos"], HOURS[i]))
    assert parquet.compact(data, []) == {"videos": 3 * len(samples["videos"])}
    assert all((where / "parquet" / "_compacted.json").is_file() for where in [data, data / "host-1", data / "host-2"])
    same_frames(data, jsonl_alone(data, tmp_path), ["videos"])


def test_db_build_reads_the_copy_and_the_tail_as_the_jsonl(samples: dict[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    kinds = ["comments", "users", "videos"]  # those with search documents or lists of objects
    for kind in kinds:
        append(data / f"{kind}.jsonl", snapshots(samples[kind], HOURS[0]))
    db.build(data)  # a build before the compaction, one between, one after: each resumes at its offset
    for kind in kinds:
        append(data / f"{kind}.jsonl", snapshots(samples[kind], HOURS[1]))
    parquet.compact(data, [])
    db.build(data)
    for kind in kinds:
        append(data / f"{kind}.jsonl", snapshots(samples[kind], HOURS[2]))
    parquet.compact(data, [])
    for kind in kinds:
        append(data / f"{kind}.jsonl", snapshots(samples[kind], HOURS[3]))
    db.build(data)
    plain = jsonl_alone(data, tmp_path)
    (plain / "tiktok.db").unlink()
    for suffix in ("-wal", "-shm"):
        (plain / f"tiktok.db{suffix}").unlink(missing_ok=True)
    db.build(plain)
    for kind in [*kinds, "search"]:
        got, want = (dump(where, kind) for where in (data, plain))
        assert got == want and len(got) == (4 * len(samples[kind]) if kind != "search" else len(got)), kind


def dump(data: Path, name: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(data / "tiktok.db")
    try:
        return sorted(con.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
    finally:
        con.close()


def test_a_second_compaction_at_once_is_refused(samples: dict[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    append(tmp_path / "videos.jsonl", snapshots(samples["videos"], HOURS[0]))
    (tmp_path / "parquet").mkdir()
    with (tmp_path / "parquet" / ".lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(parquet.Busy, match="is being compacted by another process"):
            parquet.compact(tmp_path, [])
    assert parquet.compact(tmp_path, []) == {"videos": len(samples["videos"])}
    assert load_file(tmp_path / "videos.jsonl")["id"].tolist() == [v["id"] for v in samples["videos"]]
