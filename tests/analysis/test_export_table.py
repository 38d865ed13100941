"""`export table`: every format read back with pandas and pyarrow equals the jsonl data under the
codebook names; pseudonyms are keyed, consistent across files and never name a video; the media
archive is yt-dlp's; bad input is one line and exit 2."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from tests.helpers.crawl import crawl
from tiktok.analysis.export_table import KEY_ENV, PERSON_FIELDS, Window, columns, export_tables, pseudonym_key
from tiktok.schema.fields import HANDLE
from tiktok.schema.items import ITEM_TYPES

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("TIKTOK_REAL_FIXTURES", ROOT.parent / "shared" / "fixtures" / "real"))

VIDEOS = [
    {
        "id": "7645535523435446302",
        "url": "https://www.tiktok.com/@lena.cooks6/video/7645535523435446302",
        "username": "lena.cooks6",
        "author_id": "6800000000006000018",
        "author_nickname": "Lena Cooks 🎬",
        "create_time": 1780114957,
        "video_description": 'line one\nline "two", =1+1 #london',
        "like_count": 335,
        "counts_exact": True,
        "hashtag_names": ["london", "café"],
        "mentions": ["ann"],
        "caption_urls": [{"language": "eng-US", "url": "http://x/c.vtt"}],
        "video_path": "media/video/7645535523435446302.mp4",
        "scraped_at": "2026-06-01T00:00:00Z",
    },
    {
        "id": "7645535523435446302",
        "username": "lena.cooks6",
        "like_count": 400,
        "counts_exact": False,
        "scraped_at": "2026-06-01T01:00:00Z",
    },
    {"id": "99999999999999999999", "username": "ann", "create_time": 1700000000, "hashtag_names": [], "video_path": "media/video/gone.mp4"},
]
RECORDS: dict[str, list[dict[str, Any]]] = {
    "videos": VIDEOS,
    "users": [{"username": "lena.cooks6", "user_id": "6800000000006000018", "display_name": "Lena", "follower_count": 7201}],
    "comments": [
        {"id": "7000000000031457296", "video_id": "7645535523435446302", "text": "", "username": "ann", "create_time": 1780115000}
    ],
    "follows": [{"follower": "ann", "followee": "lena.cooks6", "observed_at": "2026-06-02T10:00:00Z"}],
    "hashtags": [{"id": "1600000000000003", "name": "london", "video_count": 50}],
    "sounds": [{"id": "7368000000000007919", "title": "Eyes Motion", "original": False}],
    "playlists": [{"id": "7455000000000000057", "name": "Best of", "username": "lena.cooks6", "video_count": 4}],
    "totals": [{"id": "1600000000000003", "kind": "hashtag", "name": "london", "video_count": 50, "observed_at": "2026-06-01T00:00:10Z"}],
    "user_statuses": [{"username": "zed", "status": "refused", "reason": "private"}],
}


def write_data(data: Path) -> None:
    data.mkdir(exist_ok=True)
    for kind, records in RECORDS.items():
        (data / f"{kind}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    (data / "media" / "video").mkdir(parents=True)
    (data / "media" / "video" / "7645535523435446302.mp4").write_bytes(b"\0")


def expected(kind: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows an export must hold: every codebook column; objects as JSON text."""

    def value(record: dict[str, Any], spec: Any) -> Any:
        found = record.get(spec.name)
        return json.dumps(found, ensure_ascii=False) if spec.kind.arrow is None and found is not None else found

    return [{spec.name: value(r, spec) for spec in columns(kind)} for r in records]


def read_text_table(frame: pd.DataFrame, kind: str) -> list[dict[str, Any]]:
    """A CSV or xlsx read back with pandas as plain values: lists from their JSON text."""
    rows = []
    for record in frame.to_dict("records"):
        row = {}
        for s in columns(kind):
            value = record[s.name]
            value = None if value is pd.NA or (isinstance(value, float) and value != value) else value
            if s.kind.arrow == "list<string>" and value is not None:
                value = json.loads(value)
            row[s.name] = int(value) if s.kind.python is int and value is not None else value
        rows.append(row)
    return rows


def pandas_dtypes(kind: str) -> dict[str, str]:
    return {s.name: {int: "Int64", bool: "boolean"}.get(s.kind.python, "string") for s in columns(kind)}


def no_empty_text(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CSV and xlsx cannot tell an empty text from a missing one (the module says so)."""
    return [{k: None if v == "" else v for k, v in row.items()} for row in rows]


def test_parquet_reads_back_exactly_in_pyarrow_and_pandas(tmp_path: Path) -> None:
    write_data(tmp_path / "data")
    written = export_tables(tmp_path / "data", tmp_path / "out", list(ITEM_TYPES), "parquet", Window(), None, [])
    assert written == {**{k: len(v) for k, v in RECORDS.items()}, "media_archive.txt": 1}
    for kind, records in RECORDS.items():
        table = pq.read_table(tmp_path / "out" / f"{kind}.parquet")
        assert table.column_names == [s.name for s in columns(kind)]
        assert table.to_pylist() == expected(kind, records)
        frame = pd.read_parquet(tmp_path / "out" / f"{kind}.parquet")
        assert list(frame.columns) == table.column_names and len(frame) == len(records)
    frame = pd.read_parquet(tmp_path / "out" / "videos.parquet")
    assert frame["id"].tolist()[-1] == "99999999999999999999"  # 20 digits: every one kept
    assert list(frame["hashtag_names"][0]) == ["london", "café"]


def test_csv_reads_back_in_pandas_and_pyarrow(tmp_path: Path) -> None:
    write_data(tmp_path / "data")
    export_tables(tmp_path / "data", tmp_path / "out", list(ITEM_TYPES), "csv", Window(), None, [])
    for kind, records in RECORDS.items():
        path = tmp_path / "out" / f"{kind}.csv"
        frame = pd.read_csv(path, dtype=pandas_dtypes(kind), keep_default_na=False, na_values=[""])
        assert list(frame.columns) == [s.name for s in columns(kind)]
        assert read_text_table(frame, kind) == no_empty_text(expected(kind, records))
        arrow = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(column_types={"id": "string"} if "id" in frame else {}))
        assert arrow.column_names == list(frame.columns) and arrow.num_rows == len(records)
    text = (tmp_path / "out" / "videos.csv").read_text(encoding="utf-8")
    assert '"line one\nline ""two"", =1+1 #london"' in text  # a newline and quotes survive CSV quoting


def test_xlsx_reads_back_in_pandas_and_keeps_formulas_as_text(tmp_path: Path) -> None:
    write_data(tmp_path / "data")
    export_tables(tmp_path / "data", tmp_path / "out", list(ITEM_TYPES), "xlsx", Window(), None, [])
    for kind, records in RECORDS.items():
        frame = pd.read_excel(tmp_path / "out" / f"{kind}.xlsx", sheet_name=kind, dtype=pandas_dtypes(kind))
        assert list(frame.columns) == [s.name for s in columns(kind)]
        assert read_text_table(frame, kind) == no_empty_text(expected(kind, records))
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "out" / "videos.xlsx")["videos"]
    assert sheet.cell(2, 7).value == 'line one\nline "two", =1+1 #london' and sheet.cell(2, 7).data_type == "s"


def test_xlsx_cannot_hold_control_characters_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "comments.jsonl").write_text(json.dumps({"id": "1", "text": "bell\x07"}) + "\n", encoding="utf-8")
    problems: list[str] = []
    export_tables(tmp_path / "data", tmp_path / "out", ["comments"], "xlsx", Window(), None, problems)
    assert pd.read_excel(tmp_path / "out" / "comments.xlsx")["text"].tolist() == ["bell\ufffd"]
    assert problems == [
        "comments: 1 texts held control characters or more than 32,767 characters, which xlsx cannot: replaced by U+FFFD or cut"
        " (csv and parquet keep them)"
    ]


def test_since_until_take_posting_time_else_observation_time(tmp_path: Path) -> None:
    write_data(tmp_path / "data")
    problems: list[str] = []
    window = Window(dt.date(2026, 5, 30), dt.date(2026, 6, 2))  # 1780114957 is 2026-05-30T04:22:37Z
    export_tables(tmp_path / "data", tmp_path / "out", ["videos", "follows", "users"], "parquet", window, None, problems)
    assert pq.read_table(tmp_path / "out" / "videos.parquet").column("like_count").to_pylist() == [335]
    assert pq.read_table(tmp_path / "out" / "follows.parquet").num_rows == 1  # observed 2026-06-02: the last day is in
    assert pq.read_table(tmp_path / "out" / "users.parquet").num_rows == 0
    assert problems == [
        "videos: 1 records without a valid create_time left out by --since/--until",
        "users: 1 records without a valid scraped_at left out by --since/--until",
    ]


def test_media_archive_is_yt_dlp_download_archive_of_stored_videos(tmp_path: Path) -> None:
    write_data(tmp_path / "data")
    export_tables(tmp_path / "data", tmp_path / "out", ["videos"], "csv", Window(), None, [])
    # the second video's file is not there: it is not in the archive; the first is listed once
    assert (tmp_path / "out" / "media_archive.txt").read_text() == "tiktok 7645535523435446302\n"


def test_pseudonyms_are_keyed_consistent_and_leave_videos_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    write_data(tmp_path / "data")
    key_file = tmp_path / "data" / "pseudonym.key"
    key = pseudonym_key(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and pseudonym_key(key_file) == key  # made once
    export_tables(tmp_path / "data", tmp_path / "out", list(ITEM_TYPES), "parquet", Window(), key, [])
    videos = pq.read_table(tmp_path / "out" / "videos.parquet").to_pylist()
    users = pq.read_table(tmp_path / "out" / "users.parquet").to_pylist()
    follows = pq.read_table(tmp_path / "out" / "follows.parquet").to_pylist()
    comments = pq.read_table(tmp_path / "out" / "comments.parquet").to_pylist()
    lena, ann = videos[0]["username"], videos[2]["username"]
    assert re.fullmatch("[0-9a-f]{32}", lena) and lena != ann
    assert (
        users[0]["username"] == lena and follows[0] == {**follows[0], "follower": ann, "followee": lena} and comments[0]["username"] == ann
    )
    assert videos[0]["author_id"] == users[0]["user_id"] != "6800000000006000018"
    assert videos[0]["mentions"] == [ann] and videos[0]["author_nickname"] != "Lena Cooks 🎬"
    assert videos[0]["url"] == f"https://www.tiktok.com/@{lena}/video/7645535523435446302"
    assert [v["id"] for v in videos] == [v["id"] for v in VIDEOS] and comments[0]["video_id"] == "7645535523435446302"
    everything = b"".join(p.read_bytes() for p in (tmp_path / "out").iterdir())
    assert b"lena.cooks6" not in everything and key not in everything
    monkeypatch.setenv(KEY_ENV, "another key of enough length")
    other = pseudonym_key(key_file)
    export_tables(tmp_path / "data", tmp_path / "out2", ["videos"], "parquet", Window(), other, [])
    assert pq.read_table(tmp_path / "out2" / "videos.parquet").column("username")[0].as_py() != lena


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tiktok", "export", "table", *args], cwd=ROOT, capture_output=True, text=True, env=env or dict(os.environ)
    )


def test_every_handle_of_every_type_is_pseudonymised() -> None:
    """A new item type, or a new field naming a person, cannot slip out under its real name."""
    handles = {(kind, f.name) for kind in ITEM_TYPES for f in columns(kind) if f.kind is HANDLE}
    assert handles <= {(kind, name) for kind, names in PERSON_FIELDS.items() for name in names}


def test_command_writes_pseudonymised_files_and_never_prints_the_key(tmp_path: Path) -> None:
    write_data(tmp_path / "data")
    env = {k: v for k, v in os.environ.items() if k != KEY_ENV}
    done = run(str(tmp_path / "data"), str(tmp_path / "out"), "--format", "xlsx", "--type", "videos,users", "--pseudonymise", env=env)
    assert done.returncode == 0, done.stderr
    key = (tmp_path / "data" / "pseudonym.key").read_text().strip()
    assert key not in done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        f"3 videos, 1 users written to {tmp_path / 'out'}/ as xlsx",
        "media_archive.txt: 1 downloaded videos (yt-dlp --download-archive)",
        f"people pseudonymised with the key in {tmp_path / 'data' / 'pseudonym.key'}: keep it apart from the export",
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["media_archive.txt", "users.xlsx", "videos.xlsx"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json"], "argument --format: invalid choice: 'json'"),
        (["--format", "csv", "--type", "videos,clips"], "'clips' is not a kind of data"),
        (["--format", "csv", "--since", "2026-06-31"], "'2026-06-31': give a day as YYYY-MM-DD"),
        (["--format", "csv", "--since", "2026-06-02", "--until", "2026-06-01"], "--until 2026-06-01 is before --since 2026-06-02"),
        (["--format", "csv", "--pseudonymise", "--key-file", "OUT/k"], "is inside the export: keep the key apart"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    write_data(tmp_path / "data")
    (tmp_path / "data" / "follows.jsonl").unlink()
    args = [a.replace("OUT", str(tmp_path / "out")) for a in args]
    done = run(str(tmp_path / "data"), str(tmp_path / "out"), *args)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1 and message in done.stderr, done.stderr
    missing = run(str(tmp_path / "data"), str(tmp_path / "out"), "--format", "csv", "--type", "follows")
    assert missing.returncode == 2 and "has no follows.jsonl" in missing.stderr
    same = run(str(tmp_path / "data"), str(tmp_path / "data"), "--format", "csv")
    assert same.returncode == 2 and "is the data directory" in same.stderr


@pytest.mark.crawl
@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"no real samples in {FIXTURES}")
def test_real_samples_export_exactly(tmp_path: Path) -> None:
    """Real TikTok answers, imported, export in every format with every value as the jsonl has it."""
    done = crawl("import", "http://127.0.0.1:9", tmp_path / "data", "-a", f"path={FIXTURES}", "-s", "TIKTOK_MEDIA_ENABLED=False")
    assert done.returncode in (0, 3), done.stderr[-2000:]
    kinds = [k for k in ITEM_TYPES if (tmp_path / "data" / f"{k}.jsonl").is_file()]
    assert {"videos", "users", "comments"} <= set(kinds)
    for fmt in ("parquet", "csv", "xlsx"):
        export_tables(tmp_path / "data", tmp_path / fmt, kinds, fmt, Window(), None, [])
    for kind in kinds:
        records = [json.loads(line) for line in (tmp_path / "data" / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()]
        rows = expected(kind, records)
        assert pq.read_table(tmp_path / "parquet" / f"{kind}.parquet").to_pylist() == rows
        csv_frame = pd.read_csv(tmp_path / "csv" / f"{kind}.csv", dtype=pandas_dtypes(kind), keep_default_na=False, na_values=[""])
        xlsx_frame = pd.read_excel(tmp_path / "xlsx" / f"{kind}.xlsx", dtype=pandas_dtypes(kind))
        assert read_text_table(csv_frame, kind) == no_empty_text(rows) == read_text_table(xlsx_frame, kind)
