"""`python -m tiktok compact DATA_DIR`: what it prints, and its one-line refusals (exit 2)."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest

from tests.cli import run_cli


def video(vid: str, hour: int, **extra: object) -> str:
    return json.dumps({"id": vid, "username": "ann", "like_count": hour, "scraped_at": f"2026-06-01T{hour:02d}:00:00Z", **extra}) + "\n"


def assert_refused(code: int, out: str, err: str, message: str) -> None:
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err, (code, err)
    assert err == f"python -m tiktok compact: error: {message} (see --help)\n"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "videos.jsonl").write_text(video("1", 0) + video("2", 0))
    (folder / "runs.jsonl").write_text('{"run_id": "r1"}\n')
    return folder


def test_compact_prints_what_it_added_and_what_the_copy_holds(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "compact", str(data))
    size = (data / "videos.jsonl").stat().st_size
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"compacted {data}: 2 videos"
    assert lines[1].startswith(f"  {data}/videos.jsonl: 2 rows in 1 parts, ") and lines[1].endswith(
        "; 0 bytes past it, read from the jsonl"
    )
    with (data / "videos.jsonl").open("a") as f:
        f.write(video("1", 1, like_count="many") + video("2", 1))
    code, out, err = run_cli(capsys, "compact", str(data))
    assert code == 0 and out.splitlines()[0] == f"compacted {data}: nothing new"
    assert err == (
        f"  note: {data}/videos.jsonl: the line at byte {size} does not fit the field table: compacted up to it; "
        "the rest is read from the jsonl (fix or remove that line)\n"
    )


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing", "argument data_dir: {tmp}/missing: no such folder: give the DATA_DIR a crawl wrote (e.g. data/)"),
        ("file.txt", "argument data_dir: {tmp}/file.txt is a file, not a folder: give the DATA_DIR a crawl wrote (e.g. data/)"),
        ("empty", "{tmp}/empty has no videos.jsonl or other file a crawl writes: give the DATA_DIR a crawl wrote (e.g. data/)"),
    ],
)
def test_a_bad_data_dir_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, message: str) -> None:
    (tmp_path / "file.txt").write_text("not a folder\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "runs.jsonl").write_text('{"run_id": "r1"}\n')
    assert_refused(*run_cli(capsys, "compact", str(tmp_path / where)), message.format(tmp=tmp_path))


def test_a_compaction_already_running_is_one_line(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (data / "parquet").mkdir()
    with (data / "parquet" / ".lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert_refused(*run_cli(capsys, "compact", str(data)), f"{data}/parquet is being compacted by another process: wait for it to end")
