"""jsonlines files survive partial writes, and the store's seen-keys survive restarts and crashes."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

from tiktok.schema.items import Comment, Follow, User, Video
from tiktok.storage.jsonl import AppendOnlyFile, read_from, read_jsonl, repair
from tiktok.storage.store import DataStore, SeenKeys, as_record, key_hash


@pytest.mark.parametrize(
    ("tail", "note", "kept"),
    [
        (b'{"id": "3", "us', "cut a truncated last line of 15 bytes", b'{"id": "3", "us'),  # cut, and kept aside
        (b'{"id": "3"}', "the last record lacked its newline; completed it", None),  # a whole record stays
    ],
)
def test_repair_cuts_a_partial_last_line_or_completes_a_whole_one(tmp_path: Path, tail: bytes, note: str, kept: bytes | None) -> None:
    path = tmp_path / "videos.jsonl"
    path.write_bytes(b'{"id": "1"}\n{"id": "2"}\n' + tail)
    said = repair(path, tmp_path / "state")
    assert said is not None and note in said
    assert path.read_bytes() == b'{"id": "1"}\n{"id": "2"}\n' + (b"" if kept else tail + b"\n")
    aside = [p.read_bytes() for p in (tmp_path / "state").glob("videos.jsonl.truncated-*")]
    assert aside == ([kept] if kept else [])
    assert repair(path, tmp_path / "state") is None  # a whole file is left alone


def test_readers_skip_and_report_a_cut_line(tmp_path: Path) -> None:
    path = tmp_path / "users.jsonl"
    path.write_bytes(b'{"username": "a"}\n{"username": "b"}\n{"username": ')
    problems: list[str] = []
    assert [r["username"] for r in read_jsonl(path, problems)] == ["a", "b"]
    assert problems == ["users.jsonl: the last line (cut by a crash?) is not a JSON object; skipped"]


def test_the_one_reader_starts_at_an_offset_and_says_where_the_next_read_starts(tmp_path: Path) -> None:
    path = tmp_path / "videos.jsonl"
    path.write_bytes(b'{"id": "1"}\n[2]\n{"id": "3"}\n{"id": "4", "us')
    notes: list[str] = []
    first = read_from(path, 0, notes)
    assert [r["id"] for r in first.records] == ["1", "3"] and first.unfinished == 15
    assert notes == ["videos.jsonl: line 2 is not a JSON object; skipped"]  # the unfinished line is the caller's to describe
    with path.open("ab") as f:
        f.write(b'er": "ann"}\n')
    again = read_from(path, first.end, notes)
    assert [r["id"] for r in again.records] == ["4"] and again.end == path.stat().st_size and again.unfinished == 0
    path.write_bytes(path.read_bytes() + b'{"id": "5"}')  # a whole record that lacks only its newline is read
    assert [r["id"] for r in read_from(path, again.end).records] == ["5"]


def test_append_only_file_writes_whole_lines(tmp_path: Path) -> None:
    f = AppendOnlyFile(tmp_path / "x" / "comments.jsonl")
    f.append({"id": "1", "text": "héllo ✨"})
    f.append({"id": "2", "text": ""})
    f.close()
    assert [json.loads(line) for line in (tmp_path / "x" / "comments.jsonl").read_text(encoding="utf-8").splitlines()] == [
        {"id": "1", "text": "héllo ✨"},
        {"id": "2", "text": ""},
    ]


def test_seen_keys_merge_and_lookup() -> None:
    seen = SeenKeys()
    for h in range(0, 500_000, 3):
        seen.add(h)
    assert 3 in seen and 299_997 in seen and 4 not in seen and len(seen) == 166_667


def test_store_keeps_catalogue_once_and_videos_once_per_run(tmp_path: Path) -> None:
    store = DataStore(tmp_path)
    store.open()
    first = [User(username="a"), Comment(id="5"), Video(id="9", run_id="r1"), Video(id="9", run_id="r2")]
    for item in first:
        assert store.reserve(item)
        store.write(item)
    assert not store.reserve(User(username="a")) and not store.reserve(Video(id="9", run_id="r1"))
    assert store.reserve(Video(id="9", run_id="r3"))  # a new run observes it again
    store.release(Video(id="9", run_id="r3"))
    assert store.reserve(Video(id="9", run_id="r1", source="hashtag:paris"))  # the same run, another list
    store.release(Video(id="9", run_id="r1", source="hashtag:paris"))
    store.close()
    again = DataStore(tmp_path)
    again.open()  # from the snapshot
    assert not again.reserve(Comment(id="5")) and again.reserve(Comment(id="6"))


def test_store_rebuilds_from_files_after_a_crash(tmp_path: Path) -> None:
    store = DataStore(tmp_path)
    store.open()
    store.close()  # a snapshot covering nothing
    crashed = DataStore(tmp_path)
    crashed.open()
    for i in range(3):
        crashed.reserve(Comment(id=str(i)))
        crashed.write(Comment(id=str(i)))
    # kill -9 here: no snapshot; the next start reads what the files hold beyond the old one
    with (tmp_path / "comments.jsonl").open("ab") as f:
        f.write(b'{"id": "3", "te')  # and a line cut in the middle
    restarted = DataStore(tmp_path)
    restarted.open()
    assert [r["id"] for r in read_jsonl(tmp_path / "comments.jsonl")] == ["0", "1", "2"]
    assert not restarted.reserve(Comment(id="2")) and restarted.reserve(Comment(id="3"))
    assert restarted.repairs and "comments.jsonl" in restarted.repairs[0]


def test_key_hashes_are_the_ones_saved_snapshots_hold() -> None:
    # seen.npy files on disk were made with these: a changed formula would store everything twice
    assert key_hash(Comment, Comment(id="5")) == key_hash(Comment, {"id": "5"}) == 36052220825364646
    assert key_hash(Video, Video(id="9", run_id="r1", source="foryou")) == 1806893564444568559
    assert key_hash(Follow, {"follower": "a", "followee": "b"}) == 15479394659167986352


def test_a_line_is_the_item_as_attrs_sees_it() -> None:
    items: list[Video | User | Comment] = [Video(id="9", hashtag_names=["a"], like_count=3), User(username="a"), Comment(id="5", text="é")]
    for item in items:
        assert as_record(item) == attrs.asdict(item, recurse=False)
