"""A crawl killed with -9 at any point and run again ends with every record once and nothing
missing; a full disk stops the crawl with a clear message, exit code 1, and whole files."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.crawl

ROOT = Path(__file__).resolve().parents[1]
FILES, PER_FILE = 60, 50


def make_inputs(folder: Path) -> set[str]:
    """Research API answers with distinct video ids, as a researcher's saved pages would be."""
    folder.mkdir()
    ids = set()
    for f in range(FILES):
        videos = []
        for i in range(PER_FILE):
            vid = 7_300_000_000_000_000_000 + f * 1000 + i
            ids.add(str(vid))
            videos.append({"id": vid, "username": f"user{i % 7}", "like_count": i, "view_count": 10 * i, "hashtag_names": ["a", f"t{f}"]})
        body = {"data": {"videos": videos, "cursor": PER_FILE, "has_more": False}, "error": {"code": "ok", "message": "", "log_id": "x"}}
        (folder / f"page-{f:03d}.json").write_text(json.dumps(body), encoding="utf-8")
    return ids


def crawl(source: Path, data: Path) -> subprocess.Popen[str]:
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "import",
        "-a",
        f"path={source}",
        "-s",
        f"DATA_DIR={data}",
        "-s",
        "CONCURRENT_REQUESTS=2",
    ]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def ids_in(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("kill_after", [0.8, 1.6, 2.4])
def test_kill_9_then_run_again(tmp_path: Path, kill_after: float) -> None:
    ids = make_inputs(tmp_path / "in")
    data = tmp_path / "data"
    proc = crawl(tmp_path / "in", data)
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    videos = data / "videos.jsonl"
    if videos.exists():  # every complete line is valid JSON, whatever the kill cut
        body = videos.read_bytes()
        whole = body[: body.rfind(b"\n") + 1]
        assert all(json.loads(line) for line in whole.splitlines())
    again = crawl(tmp_path / "in", data)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err[-2000:]
    stored = ids_in(videos)
    assert Counter(stored).most_common(1)[0][1] == 1, "a video was stored twice"
    assert set(stored) == ids
    users = (
        [json.loads(line)["username"] for line in (data / "users.jsonl").read_text(encoding="utf-8").splitlines()]
        if (data / "users.jsonl").exists()
        else []
    )
    assert len(users) == len(set(users))


def test_full_disk_stops_with_a_clear_message(tmp_path: Path) -> None:
    disk = tmp_path / "tiny"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root): the full-disk test needs one")
    try:
        make_inputs(tmp_path / "in")
        proc = crawl(tmp_path / "in", disk / "data")
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 1
        assert "the disk is full under" in err and "Free space and run again" in err
        for path in (disk / "data").glob("*.jsonl"):
            body = path.read_bytes()
            assert body == b"" or body.endswith(b"\n"), f"{path.name} ends in a cut line"
            assert all(json.loads(line) for line in body.splitlines())
    finally:
        subprocess.run(["umount", str(disk)], check=False)
