"""A playlist's details (`mixInfo` of /api/mix/detail/) give a Playlist record and its creator, in
both spellings TikTok-Api reads (id/name and mixId/mixName; the maker as `creator`, or `author`);
without an id, a problem, not a row."""

from __future__ import annotations

import json
from collections.abc import Mapping

from tiktok.parsing import Context, parse_any
from tiktok.parsing.web import playlist_page_path
from tiktok.schema.items import Playlist, User

AUTHOR = {"id": "6800000000000000001", "uniqueId": "cook.anna", "nickname": "Anna"}


def parsed(info: Mapping[str, object]) -> list[object]:
    result = parse_any(json.dumps({"mixInfo": info, "statusCode": 0}), Context(source="playlist:x", scraped_at="2026-04-02T10:00:00Z"))
    assert result.format == "web-mix-detail"
    return list(result.items)


def test_both_spellings_give_the_same_playlist() -> None:
    new = {"id": "7455000000000000057", "name": "Best of", "videoCount": 12, "creator": AUTHOR, "cover": "https://c/x.jpeg"}
    old = {"mixId": "7455000000000000057", "mixName": "Best of", "videoCount": "12", "author": AUTHOR}
    for info, cover in ((new, "https://c/x.jpeg"), (old, None)):
        playlists = [i for i in parsed(info) if isinstance(i, Playlist)]
        assert playlists == [
            Playlist(
                id="7455000000000000057",
                name="Best of",
                username="cook.anna",
                video_count=12,
                cover_url=cover,
                source="playlist:x",
                scraped_at="2026-04-02T10:00:00Z",
            )
        ]
        assert [i.username for i in parsed(info) if isinstance(i, User)] == ["cook.anna"]
        assert playlist_page_path(playlists[0]) == "/@cook.anna/playlist/Best-of-7455000000000000057"


def test_details_without_an_id_are_a_problem_not_a_row() -> None:
    result = parse_any(json.dumps({"mixInfo": {"name": "x", "author": AUTHOR}}), Context(source="playlist:x"))
    assert not [i for i in result.items if isinstance(i, Playlist)]
    assert "mixInfo has no id or mixId" in result.problems
