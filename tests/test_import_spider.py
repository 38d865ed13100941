"""`scrapy crawl import` as a user runs it: every real sample into one jsonlines file per type,
a summary naming what was not imported and why, and bad arguments as one line with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def crawl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", "import", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_imports_every_real_sample(real_fixtures: Path, tmp_path: Path) -> None:
    result = crawl("-a", f"path={real_fixtures}", "-s", f"DATA_DIR={tmp_path}")
    assert result.returncode == 0, result.stderr[-2000:]
    files = {p.name for p in tmp_path.glob("*.jsonl")}
    assert files == {"videos.jsonl", "users.jsonl", "comments.jsonl", "hashtags.jsonl", "sounds.jsonl", "runs.jsonl"}  # no follows
    videos = lines(tmp_path / "videos.jsonl")
    # 12 + 7 + 1 (web lists, detail) + 30 + 1 + 1 (pages) + 1 (Zeeschuimer) + 27 + 27 + 1 + 2 (research),
    # less one: the docs' example answer lists the same video twice.
    assert len(videos) == 109
    assert all(isinstance(v["id"], str) for v in videos) and "73207681965695992750" in {v["id"] for v in videos}
    assert {v["source"] for v in videos} >= {
        "import:item_list_2025-01_sherifcodeur_1.json",
        "import:zeeschuimer-decoder_example-item_tiktok.json",
    }
    # 6 + 1 + 1 + 3 less one: both web comment-list samples hold the same comment.
    assert len(lines(tmp_path / "comments.jsonl")) == 10
    summary = result.stderr[result.stderr.index("Import finished") :]
    assert "23 files read" in summary and "110 videos parsed" in summary and "109 videos" in summary
    assert "PROVENANCE.md: not a data file (.md); skipped" in summary
    assert "invalid_params_invalid_count_or_cursor_2024-10-09.json: Research API error invalid_params: Invalid count or cursor" in summary


def test_unreadable_file_is_logged_and_the_run_goes_on(real_fixtures: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.json").write_bytes((real_fixtures / "web_api_json/item_detail_2022-12_aladynjr_response.json").read_bytes())
    (folder / "garbled.json").write_text('{"itemList": [{"id": "7', encoding="utf-8")
    locked = folder / "locked.json"
    locked.write_text("{}", encoding="utf-8")
    locked.chmod(0)
    result = crawl("-a", f"path={folder}", "-s", f"DATA_DIR={tmp_path / 'out'}")
    assert result.returncode == 0
    assert len(lines(tmp_path / "out" / "videos.jsonl")) == 1
    assert "garbled.json: not JSON or HTML" in result.stderr
    if subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip() != "0":  # root reads anything
        assert "locked.json: unreadable" in result.stderr


def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path) -> None:
    for args, message in (
        ((), "scrapy crawl import: error: -a path=FILE|DIR|GLOB is required: what to import"),
        (("-a", f"path={tmp_path}/nothing*.json"), "no such file or folder, and no file matches it as a pattern"),
    ):
        result = crawl(*args)
        assert result.returncode == 2
        assert message in result.stderr.strip().splitlines()[-1] and "Traceback" not in result.stderr


def test_a_moved_key_is_logged_and_counted(real_fixtures: Path, tmp_path: Path) -> None:
    body = json.loads((real_fixtures / "web_api_json/item_list_2025-01_sherifcodeur_1.json").read_text(encoding="utf-8"))
    for item in body["itemList"]:
        item["statsV3"] = item.pop("statsV2")
        item["counts"] = item.pop("stats")
    (tmp_path / "drifted.json").write_text(json.dumps(body), encoding="utf-8")
    result = crawl("-a", f"path={tmp_path / 'drifted.json'}", "-s", f"DATA_DIR={tmp_path / 'out'}")
    assert result.returncode == 0
    assert "TikTok's data lacks itemList[0].stats (web-item-list): the format may have changed" in result.stderr
    assert "'parse/missing/itemList[0].stats': 1" in result.stderr  # Scrapy's stats dump at the end
    assert all(v["like_count"] is None and v["counts_exact"] is None for v in lines(tmp_path / "out" / "videos.jsonl"))
