"""DATA_DIR/tiktok.db: built incrementally, safe to interrupt, and searchable by what is only on a
cover or only in a comment."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tiktok.storage import db

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)


def video(vid: str, desc: str, **extra: Any) -> dict[str, Any]:
    return {"id": vid, "url": f"https://www.tiktok.com/@ann/video/{vid}", "username": "ann", "video_description": desc, **extra}


def count(data: Path, table: str) -> int:
    con = sqlite3.connect(data / "tiktok.db")
    try:
        return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


def test_incremental_build_and_latest_observation(tmp_path: Path) -> None:
    write(tmp_path / "videos.jsonl", [video("1", "morning coffee", scraped_at="2026-06-01T00:00:00Z", like_count=5)])
    assert db.build(tmp_path)["videos"] == 1
    write(tmp_path / "videos.jsonl", [video("1", "morning coffee", scraped_at="2026-06-01T01:00:00Z", like_count=9)])
    with (tmp_path / "videos.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"id": "2", "video_descr')  # a line still being written waits for the next build
    assert db.build(tmp_path)["videos"] == 1
    assert count(tmp_path, "videos") == 2
    con = sqlite3.connect(tmp_path / "tiktok.db")
    assert con.execute("SELECT like_count FROM latest_videos WHERE id = '1'").fetchall() == [(9,)]
    con.close()
    assert [h["id"] for h in db.search(tmp_path, "coffee")] == ["1"]  # one document per video


def test_an_interrupted_build_leaves_the_database_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "videos.jsonl", [video("1", "first")])
    db.build(tmp_path)
    write(tmp_path / "videos.jsonl", [video("2", "second")])
    write(tmp_path / "comments.jsonl", [{"id": "9", "video_id": "2", "text": "lovely sunset", "username": "bo"}])

    def cut(*args: Any) -> Any:
        raise KeyboardInterrupt  # Ctrl-C in the middle of loading videos

    monkeypatch.setattr(db, "video_document", cut)
    with pytest.raises(KeyboardInterrupt):
        db.build(tmp_path)
    assert count(tmp_path, "videos") == 1  # the half-loaded file was rolled back
    monkeypatch.undo()
    added = db.build(tmp_path)
    assert added["videos"] == 1 and added["comments"] == 1 and count(tmp_path, "videos") == 2
    hits = db.search(tmp_path, "sunset")
    assert [(h["kind"], h["id"], h["video_id"], h["author"]) for h in hits] == [("comment", "9", "2", "bo")]


def test_search_finds_words_only_on_a_cover(tmp_path: Path) -> None:
    write(tmp_path / "videos.jsonl", [video("1", "a day out"), video("2", "a night in", ocr_text="SECRET PASTA RECIPE")])
    write(tmp_path / "ocr.jsonl", [{"id": "1", "ocr_text": "HONEST CITY GUIDE", "ocr_error": None}])
    db.build(tmp_path)
    assert [h["id"] for h in db.search(tmp_path, "city guide")] == ["1"]  # from the batch OCR file
    assert [h["id"] for h in db.search(tmp_path, "pasta")] == ["2"]  # from the crawl's OCR
    assert db.search(tmp_path, 'AND OR "') == []  # operators are words, not syntax
    result = subprocess.run(
        [sys.executable, "-m", "tiktok", "db", "search", "pasta", "--data", str(tmp_path)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0 and "video   2  https://www.tiktok.com/@ann/video/2  @ann" in result.stdout
    assert "[PASTA]" in result.stdout


def test_build_notes_an_unfinished_last_line(tmp_path: Path) -> None:
    write(tmp_path / "videos.jsonl", [video("1", "whole")])
    with (tmp_path / "videos.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"id": "2"')
    notes: list[str] = []
    db.build(tmp_path, notes)
    assert notes == ["videos.jsonl: an unfinished last line (10 bytes) was left for the next build"]
