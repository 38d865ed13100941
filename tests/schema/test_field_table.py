"""A field is described once: a field added to the table (here in-process, by a subclass of Video
put in the schema's place) reaches the parsers, the validator, `db build`, the Arrow schema of the
analysis loader, the Research API field lists and the data dictionary, with no other change."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import attrs
import pyarrow as pa
import pytest

from tiktok.analysis.load import load, schema_of
from tiktok.parsing import Context, parse_any, research, web
from tiktok.pipelines.validate import type_errors
from tiktok.schema import items
from tiktok.schema.dictionary import data_dictionary
from tiktok.schema.fields import COUNT, ID, research_names, table
from tiktok.storage import db


@attrs.define(kw_only=True)
class Video(items.Video):
    sticker_count: int | None = items.field(
        "stickers on the video", COUNT, unit="count", web=("statsV2.stickerCount", "stats.stickerCount"), research="sticker_count"
    )


@pytest.fixture
def added(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(items.ITEM_TYPES, "videos", Video)
    for module in (items, web, research):
        monkeypatch.setattr(module, "Video", Video)


def web_video(**stats: str) -> Video:
    body = {"itemList": [{"id": "7400000000000000001", "createTime": 1780000000, "statsV2": stats}], "hasMore": False}
    (video,) = [i for i in parse_any(json.dumps(body), Context(source="test")).items if isinstance(i, Video)]
    return video


def test_the_parsers_read_it(added: None) -> None:
    assert web_video(stickerCount="7").sticker_count == 7
    body = {"data": {"videos": [{"id": 7400000000000000001, "sticker_count": 3}], "has_more": False}, "error": {"code": "ok"}}
    (video,) = parse_any(json.dumps(body), Context(source="research:test")).items
    assert isinstance(video, Video) and video.sticker_count == 3
    assert "sticker_count" in research_names(Video)  # so research_videos asks for it


def test_the_validator_checks_it(added: None) -> None:
    assert type_errors(web_video(stickerCount="7")) == []
    assert type_errors(Video(id="1", sticker_count=-1)) == ["sticker_count is negative (-1)"]
    assert type_errors(Video(id="1", sticker_count="many")) == ["sticker_count has str 'many', expected int | None"]  # type: ignore[arg-type]


def test_db_build_and_the_arrow_schema_type_it(added: None, tmp_path: Path) -> None:
    (tmp_path / "videos.jsonl").write_text(json.dumps({"id": "1", "sticker_count": 5}) + "\n", encoding="utf-8")
    db.build(tmp_path)
    con = sqlite3.connect(tmp_path / "tiktok.db")
    try:
        assert ("sticker_count", "INTEGER") in [(r[1], r[2]) for r in con.execute("PRAGMA table_info(videos)")]
        assert con.execute("SELECT sticker_count FROM videos").fetchall() == [(5,)]
    finally:
        con.close()
    schema, _ = schema_of("videos")
    assert schema.field("sticker_count").type == pa.int64()
    frame = load(tmp_path, "videos")
    assert str(frame["sticker_count"].dtype) == "Int64" and frame["sticker_count"].tolist() == [5]


def test_the_data_dictionary_describes_it(added: None) -> None:
    row = "| `sticker_count` | count | int | count | stickers on the video | statsV2.stickerCount or stats.stickerCount | sticker_count |"
    assert row in data_dictionary().splitlines()


def test_an_annotation_that_is_not_its_kinds_type_is_refused() -> None:
    @attrs.define(kw_only=True)
    class Wrong:
        id: str = items.field("id", ID, required=True)
        views: str | None = items.field("plays", COUNT)

    with pytest.raises(TypeError, match=r"Wrong.views is annotated str \| None, but its kind count makes it int \| None"):
        table(Wrong)
