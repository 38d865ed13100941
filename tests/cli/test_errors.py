"""Bad input to `python -m tiktok`: each is one line on stderr and exit 2, never a traceback and
never accepted (issue #13). The README gives the number of cases here (`pytest --collect-only`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
import pytest

from tests.cli import run_cli
from tests.helpers.sim_process import ROOT
from tiktok.schema.items import Comment, Follow, Video

NOBODY = 65534
NO_TESSERACT = shutil.which("tesseract") is None


def jsonl(*items: object) -> str:
    return "".join(json.dumps(attrs.asdict(item)) + "\n" for item in items)  # type: ignore[arg-type]


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    """A data directory, and bad paths of every kind beside it."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "videos.jsonl").write_text(jsonl(Video(id="1", hashtag_names=["cats"], source="foryou", run_id="r1")))
    (data / "follows.jsonl").write_text(jsonl(Follow(follower="ann", followee="bob")))
    (data / "comments.jsonl").write_text(jsonl(Comment(id="9", video_id="1", text="hi")))
    (data / "runs.jsonl").write_text(json.dumps({"run_id": "r1", "spider": "foryou", "items": {"videos": 1}}) + "\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("not a folder\n")
    (tmp_path / "binary.jsonl").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin1.jsonl").write_bytes('{"id": "1", "video_description": "café"}\n'.encode("latin-1"))
    (tmp_path / "nested.jsonl").write_text("[" * 100_000 + "\n")
    for name in ("binary", "latin1", "nested"):
        (tmp_path / f"{name}_dir").mkdir()
        shutil.copy(tmp_path / f"{name}.jsonl", tmp_path / f"{name}_dir" / "videos.jsonl")
    shutil.copytree(data, tmp_path / "badfrontier")
    (tmp_path / "badfrontier" / "state").mkdir()
    (tmp_path / "badfrontier" / "state" / "research-network-x.json").write_text('{"queue": "garbage"')
    shutil.copytree(data, tmp_path / "baddb")
    (tmp_path / "baddb" / "tiktok.db").write_text("this is no database\n" * 100)
    (tmp_path / "videos.png").write_text(jsonl(Video(id="1")))
    (tmp_path / "d.png").mkdir()
    return tmp_path


def argv(template: list[str], tmp: Path) -> list[str]:
    return [a.format(tmp=tmp, data=tmp / "data") for a in template]


def assert_refused(code: int, out: str, err: str, message: str) -> None:
    assert code == 2, (code, err)
    assert out == "" and "Traceback" not in err and err.count("\n") == 1, err
    assert message in err, err


DATA_DIR_COMMANDS = {
    "ocr": ["ocr", "{d}"],
    "db build": ["db", "build", "{d}"],
    "db search": ["db", "search", "word", "--data", "{d}"],
    "export": ["export", "network-csv", "{d}", "{tmp}/out"],
    "report": ["report", "{d}", "{tmp}/out"],
    "runs": ["runs", "{d}"],
}
BAD_DATA_DIRS = {
    "missing": "no such folder",
    "file.txt": "is a file, not a folder",
    "binary_dir": "videos.jsonl is a binary file, not jsonlines",
    "latin1_dir": "videos.jsonl is not UTF-8 text",
    "nested_dir": "videos.jsonl is not jsonlines (its first line is not a JSON object)",
    "caf\udce9": "has bytes that are not UTF-8",
}


@pytest.mark.parametrize("command", DATA_DIR_COMMANDS)
@pytest.mark.parametrize("bad", BAD_DATA_DIRS)
def test_a_bad_data_dir_is_refused(tmp: Path, capsys: pytest.CaptureFixture[str], command: str, bad: str) -> None:
    template = [a.replace("{d}", "{tmp}/" + bad) for a in DATA_DIR_COMMANDS[command]]
    assert_refused(*run_cli(capsys, *argv(template, tmp)), BAD_DATA_DIRS[bad])


CASES = [
    ([], "the following arguments are required: COMMAND"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["schema", "x"], "unrecognized arguments: x"),
    (["ocr", "{data}", "--workers", "0"], "argument --workers: '0': give a whole number from 1 to 64"),
    (["ocr", "{data}", "--workers", "-3"], "argument --workers: '-3': give a whole number from 1 to 64"),
    (["ocr", "{data}", "--workers", "two"], "argument --workers: 'two': give a whole number from 1 to 64"),
    (["ocr", "{data}", "--workers", "9" * 5000], "give a whole number from 1 to 64"),
    pytest.param(
        ["ocr", "{data}", "--lang", "xxx"], "tesseract has no language 'xxx'", marks=pytest.mark.skipif(NO_TESSERACT, reason="no tesseract")
    ),
    pytest.param(
        ["ocr", "{data}", "--lang", "eng+x"], "tesseract has no language 'x'", marks=pytest.mark.skipif(NO_TESSERACT, reason="no tesseract")
    ),
    pytest.param(
        ["ocr", "{data}", "--lang", ""], "tesseract has no language ''", marks=pytest.mark.skipif(NO_TESSERACT, reason="no tesseract")
    ),
    (["ocr", "{tmp}/empty"], "has no videos.jsonl: give the DATA_DIR a crawl wrote"),
    (
        ["db", "search", "w", "--data", "{data}", "--limit", "99999999999999999999"],
        "'99999999999999999999': give a whole number from 1 to 10,000",
    ),
    (["db", "search", "w", "--data", "{data}", "--limit", "-1"], "argument --limit: '-1': give a whole number"),
    (["db", "search", "w", "--data", "{data}", "--limit", "0"], "argument --limit: '0': give a whole number"),
    (["db", "search", "w", "--data", "{data}", "--limit", "1.5"], "argument --limit: '1.5': give a whole number"),
    (["db", "search", "  ", "--data", "{data}"], "give some words to search for"),
    (["db", "search", "caf\udce9", "--data", "{data}"], "has bytes that are not UTF-8"),
    (["db", "search", "w", "--data", "{data}"], "db build {tmp}/data` first"),
    (["db", "search", "w", "--data", "{tmp}/baddb"], "baddb/tiktok.db is not a database db build made"),
    (["db", "build", "{tmp}/baddb"], "baddb/tiktok.db is not a database db build made"),
    (["db", "build", "{tmp}/empty"], "has no videos.jsonl or other file a crawl writes"),
    (["export", "network-csv", "{data}", "/etc/passwd"], "/etc/passwd is a file, not a folder"),
    (["export", "network-csv", "{data}", "{data}"], "is the data directory"),
    (["export", "network-csv", "{data}", "{tmp}/no/such/out"], "no/such: no such folder"),
    (["export", "network-csv", "{tmp}/empty", "{tmp}/out"], "has no follows.jsonl: run scrapy crawl research_network first"),
    (
        ["export", "network-csv", "{tmp}/badfrontier", "{tmp}/out"],
        "research-network-x.json is not a network frontier research_network saved",
    ),
    (["hashtags", "/etc/passwd"], "/etc/passwd is not jsonlines (its first line is not a JSON object)"),
    (["hashtags", "{tmp}/binary.jsonl"], "binary.jsonl is a binary file, not jsonlines"),
    (["hashtags", "{tmp}/latin1.jsonl"], "latin1.jsonl is not UTF-8 text"),
    (["hashtags", "{tmp}/nested.jsonl"], "nested.jsonl is not jsonlines"),
    (["hashtags", "{data}/comments.jsonl"], "comments.jsonl: it holds comments, not videos"),
    (["hashtags", "{data}/runs.jsonl"], "runs.jsonl: its first record has no id, so it holds no videos"),
    (["hashtags", "{data}"], "data is not a file: give a videos.jsonl a crawl wrote"),
    (["hashtags", "{tmp}/missing.jsonl"], "missing.jsonl is not a file"),
    (["hashtags", ""], "an empty path"),
    (["hashtags", "{data}/videos.jsonl", "--plot", "{tmp}/x.txt"], "x.txt: give a file name ending in .png"),
    (["hashtags", "{data}/videos.jsonl", "--plot", "{tmp}/d.png"], "d.png is a folder"),
    (["hashtags", "{tmp}/videos.png", "--plot", "{tmp}/videos.png"], "is the videos file itself"),
    (["hashtags", "{data}/videos.jsonl", "--top", "0"], "argument --top: '0': give a whole number from 1 to 10,000"),
    (["hashtags", "{data}/videos.jsonl", "--top", "-5"], "argument --top: '-5'"),
    (["hashtags", "{data}/videos.jsonl", "--source", "hashtag:nope"], "no videos from source 'hashtag:nope'"),
    (["report", "{data}", "/etc/passwd"], "/etc/passwd is a file, not a folder"),
    (["report", "{data}", "{data}"], "is the data directory"),
    (["report", "{data}", "{tmp}/out", "--top", "0"], "argument --top: '0'"),
    (["report", "{tmp}/empty", "{tmp}/out"], "has no videos.jsonl, follows.jsonl or totals.jsonl"),
    (["runs", "{tmp}/empty"], "has no runs.jsonl"),
]


@pytest.mark.parametrize(("template", "message"), CASES)
def test_bad_input_is_one_line_and_exit_2(tmp: Path, capsys: pytest.CaptureFixture[str], template: list[str], message: str) -> None:
    assert_refused(*run_cli(capsys, *argv(template, tmp)), message.format(tmp=tmp))


def test_a_plot_folder_that_does_not_exist_is_refused_not_made(tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp / "nowhere" / "dir" / "x.png"
    result = run_cli(capsys, "hashtags", str(tmp / "data" / "videos.jsonl"), "--plot", str(plot))
    assert_refused(*result, f"{plot.parent}: no such folder: make the folder first")
    assert not (tmp / "nowhere").exists()


@contextmanager
def as_nobody() -> Iterator[None]:
    """Permissions bind root only through another user: as root, act as nobody for a moment."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.fixture
def locked() -> Iterator[Path]:
    """In an open folder nobody can reach (not under pytest's own, which only root may enter): a
    data folder nobody may not read, one nobody may read but not write, and a data folder inside a
    folder nobody may not enter."""
    base = Path(tempfile.mkdtemp(prefix="tiktok-cli-"))
    base.chmod(0o755)
    for name, mode in (("unreadable", 0o000), ("readonly", 0o555), ("closed", 0o700)):
        (base / name).mkdir()
        (base / name / "videos.jsonl").write_text(jsonl(Video(id="1")))
        (base / name / "follows.jsonl").write_text(jsonl(Follow(follower="ann", followee="bob")))
        (base / name / "runs.jsonl").write_text("")
        if name == "closed":
            shutil.copytree(base / "readonly", base / name / "data")
        (base / name).chmod(mode)
    yield base
    for folder in base.iterdir():
        folder.chmod(0o755)
    shutil.rmtree(base)


@pytest.mark.parametrize("command", DATA_DIR_COMMANDS)
def test_an_unreadable_data_dir_is_refused(locked: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    template = [a.replace("{d}", "{tmp}/unreadable") for a in DATA_DIR_COMMANDS[command]]
    with as_nobody():
        result = run_cli(capsys, *[a.format(tmp=locked) for a in template])
    assert_refused(*result, "unreadable cannot be read (permission denied)")


WRITES = {
    "ocr": (["ocr", "{tmp}/readonly"], "cannot write into {tmp}/readonly (Permission denied)"),
    "db build": (["db", "build", "{tmp}/readonly"], "cannot write into {tmp}/readonly"),
    "export": (["export", "network-csv", "{tmp}/readonly", "{tmp}/readonly/out"], "cannot write into {tmp}/readonly"),
    "report": (["report", "{tmp}/readonly", "{tmp}/readonly/report"], "cannot write into {tmp}/readonly"),
    "plot": (["hashtags", "{tmp}/readonly/videos.jsonl", "--plot", "{tmp}/readonly/h.png"], "cannot write into {tmp}/readonly"),
    "behind a closed folder": (["runs", "{tmp}/closed/data"], "closed/data cannot be reached (Permission denied)"),
}


@pytest.mark.parametrize("case", WRITES)
def test_a_folder_that_cannot_be_written_or_reached_is_refused(locked: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    template, message = WRITES[case]
    with as_nobody():
        result = run_cli(capsys, *[a.format(tmp=locked) for a in template])
    assert_refused(*result, message.format(tmp=locked))


def test_a_failure_while_writing_is_one_line_and_exit_1(tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp / "out" / "network.csv").mkdir(parents=True)  # where the export writes a file
    code, out, err = run_cli(capsys, "export", "network-csv", str(tmp / "data"), str(tmp / "out"))
    assert code == 1 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("python -m tiktok export network-csv: failed: Is a directory") and "network.csv" in err, err


def test_as_a_process_the_error_is_the_only_line(tmp: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tiktok", "hashtags", "/etc/passwd"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "python -m tiktok hashtags: error: argument videos: /etc/passwd is not jsonlines (its first line is not a JSON object):"
        " give a videos.jsonl a crawl wrote, e.g. data/videos.jsonl (see --help)"
    ]


def test_a_closed_pipe_stops_quietly() -> None:
    """`python -m tiktok schema | head -1`: the reader leaves early; no traceback, no message."""
    proc = subprocess.Popen([sys.executable, "-m", "tiktok", "schema"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 1 and err == b""
