"""`python -m tiktok runs DATA_DIR` on runs.jsonl files written by hand in the writer's format:
`started` and `ended` lines, older lines without `event`, and runs killed before their end."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest

from tests.cli import run_cli

DEAD_PID = 2**22 + 1  # above Linux's highest pid_max: no process has it

OLD = {"run_id": "import-1", "spider": "import", "started_at": "2026-11-29T09:00:00Z", "finished_at": "2026-11-29T09:01:00Z",
       "items": {"videos": 3, "users": 0}, "finish_reason": "finished"}  # fmt: skip
STARTED = {"event": "started", "run_id": "hashtag-1", "spider": "hashtag", "arguments": {"hashtags": "london"},
           "started_at": "2026-11-30T10:00:00Z", "pid": DEAD_PID, "host": socket.gethostname()}  # fmt: skip
ENDED = {**STARTED, "event": "ended", "finished_at": "2026-11-30T10:02:00Z", "items": {"videos": 80, "hashtags": 1},
         "rejected": {}, "duplicates": {}, "errors": {}, "finish_reason": "finished", "verdict": "partial",
         "missing": ["#london: 80 of 120 videos TikTok reports"], "fill": "scrapy crawl hashtag -a hashtags=london"}  # fmt: skip
KILLED = {**STARTED, "run_id": "foryou-1", "spider": "foryou", "arguments": {}, "started_at": "2026-11-30T11:00:00Z"}


def write(path: Path, *records: dict[str, Any], tail: str = "") -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + tail)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """Three runs: one from before verdicts, a partial one, and one killed after storing 2 videos
    and a profile (the cut last line of runs.jsonl is the kill's)."""
    write(tmp_path / "runs.jsonl", OLD, STARTED, ENDED, KILLED, tail='{"event": "ended", "run_id": "foryou-1", "verd')
    write(
        tmp_path / "videos.jsonl", {"id": "1", "run_id": "foryou-1"}, {"id": "2", "run_id": "foryou-1"}, {"id": "1", "run_id": "hashtag-1"}
    )
    write(tmp_path / "users.jsonl", {"username": "ann", "run_id": "foryou-1"})
    write(tmp_path / "comments.jsonl", {"id": "5", "video_id": "1"})
    return tmp_path


def test_runs_table_names_verdicts_gaps_and_the_killed_run(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "runs", str(data))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["run", "spider", "started", "finished", "verdict", "stored"]
    assert lines[1].split() == ["import-1", "import", "2026-11-29T09:00:00Z", "2026-11-29T09:01:00Z", "-", "3", "videos"]
    assert lines[2].split() == [
        "hashtag-1",
        "hashtag",
        "2026-11-30T10:00:00Z",
        "2026-11-30T10:02:00Z",
        "partial",
        "1",
        "hashtags,",
        "80",
        "videos",
    ]
    assert lines[3:5] == ["    missing: #london: 80 of 120 videos TikTok reports", "    fill: scrapy crawl hashtag -a hashtags=london"]
    assert lines[5].startswith("foryou-1") and "never ended (killed?)" in lines[5]
    assert lines[5].endswith("left 1 users, 2 videos in the files")
    assert lines[6] == "3 runs: 1 without verdict (older), 1 partial, 1 never ended (killed?)"
    assert len(lines) == 7
    assert err == "  note: runs.jsonl: the last line (cut by a crash?) is not a JSON object; skipped\n"


def test_json_lines_say_the_same(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "runs", str(data), "--json")
    runs = {r["run_id"]: r for r in map(json.loads, out.splitlines())}
    assert code == 0 and list(runs) == ["import-1", "hashtag-1", "foryou-1"]
    assert runs["import-1"]["verdict"] is None and runs["import-1"]["items"] == {"videos": 3, "users": 0}
    partial = runs["hashtag-1"]
    assert (partial["state"], partial["verdict"], partial["missing"], partial["fill"]) == (
        "ended",
        "partial",
        ENDED["missing"],
        ENDED["fill"],
    )
    assert partial["left"] == {}  # counted only for runs that did not end
    killed = runs["foryou-1"]
    assert (killed["state"], killed["finished_at"], killed["left"]) == ("never_ended", None, {"videos": 2, "users": 1})


def test_a_run_whose_process_is_alive_is_running_not_killed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "runs.jsonl", {**KILLED, "pid": os.getpid()})
    code, out, _ = run_cli(capsys, "runs", str(tmp_path))
    assert code == 0 and f"running (pid {os.getpid()})" in out.splitlines()[1] and out.splitlines()[1].endswith("left nothing in the files")
    assert out.splitlines()[-1] == f"1 run: 1 running (pid {os.getpid()})"


def test_a_paused_and_resumed_run_is_one_run_with_its_last_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paused = {**ENDED, "verdict": "stopped", "finished_at": "2026-11-30T10:01:00Z"}
    resumed = {**STARTED, "started_at": "2026-11-30T12:00:00Z"}
    done = {
        **ENDED,
        "verdict": "complete",
        "missing": [],
        "fill": None,
        "started_at": "2026-11-30T12:00:00Z",
        "finished_at": "2026-11-30T12:05:00Z",
    }
    write(tmp_path / "runs.jsonl", STARTED, paused, resumed, done)
    code, out, _ = run_cli(capsys, "runs", str(tmp_path), "--json")
    [run] = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert (run["started_at"], run["finished_at"], run["verdict"], run["missing"]) == (
        "2026-11-30T10:00:00Z",
        "2026-11-30T12:05:00Z",
        "complete",
        [],
    )


def test_an_empty_log_and_lines_that_are_not_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "runs.jsonl")
    assert run_cli(capsys, "runs", str(tmp_path)) == (0, "no runs\n", "")
    write(tmp_path / "runs.jsonl", OLD, {"event": "restarted", "run_id": "x"}, {"spider": "foryou"})
    code, out, err = run_cli(capsys, "runs", str(tmp_path))
    assert code == 0 and out.splitlines()[-1] == "1 run: 1 without verdict (older)"
    assert err.splitlines() == [
        "  note: runs.jsonl: record 2 has an unknown event 'restarted'; skipped",
        "  note: runs.jsonl: record 3 has no run_id; skipped",
    ]


def test_a_plan_run_is_shown_as_a_plan_not_a_collection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = {**ENDED, "run_id": "research_videos-1", "spider": "research_videos", "purpose": "plan", "items": {}, "verdict": "complete"}
    plan.update(missing=[], fill=None)
    write(tmp_path / "runs.jsonl", plan)
    code, out, _ = run_cli(capsys, "runs", str(tmp_path))
    assert code == 0 and "complete (plan only)" in out.splitlines()[1]
