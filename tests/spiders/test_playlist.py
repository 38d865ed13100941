"""`scrapy crawl playlist` against the simulator (issue 16): a playlist's videos equal the simulator's
truth, exactly, with source `playlist:<id>`, counted against the total its details report; an
unknown playlist is a coverage line, not a failure; a URL gives its id."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.crawl import FAST, crawl, lines
from tests.helpers.sim_process import running_simulator, truth
from tiktok.spiders.params import ArgumentError, parse_arguments
from tiktok.spiders.playlist import PlaylistSpider

UNKNOWN = "7455000000000009999"


@pytest.mark.crawl
@pytest.mark.browser
def test_playlist_videos_equal_the_truth(tmp_path: Path) -> None:
    with running_simulator("--clock-speed", "0.000001") as base:
        playlists = sorted(truth(base, "playlists"), key=lambda p: -p["public_videos"])[:2]
        result = crawl("playlist", base, tmp_path, "-a", "ids=" + ",".join([p["id"] for p in playlists] + [UNKNOWN]), *FAST)
        expected = {p["id"]: truth(base, f"playlist/{p['id']}")["video_ids"] for p in playlists}
    stored = {p["id"]: (p["username"], p["video_count"]) for p in lines(tmp_path / "playlists.jsonl")}
    assert stored == {p["id"]: (p["author"], len(expected[p["id"]])) for p in playlists}  # the unknown one is not a row
    readings = {r["id"]: r["video_count"] for r in lines(tmp_path / "totals.jsonl") if r["kind"] == "playlist"}
    assert readings == {pid: count for pid, (_, count) in stored.items()}
    assert result.returncode == 0, result.stderr[-3000:]
    videos = lines(tmp_path / "videos.jsonl")
    for pid, ids in expected.items():
        got = [v["id"] for v in videos if v["source"] == f"playlist:{pid}"]
        assert sorted(got) == sorted(ids) and ids
        assert all(v["playlist_id"] == pid for v in videos if v["source"] == f"playlist:{pid}")
        assert f"playlist {pid}: {len(ids)} of {len(ids)} videos TikTok reports (100%), stopped: end of list" in result.stderr
    assert f"playlist {UNKNOWN}: 0 videos, stopped: not found" in result.stderr


def test_ids_and_urls() -> None:
    url = f"https://www.tiktok.com/@someone/playlist/Best%20of-{UNKNOWN}?lang=en"
    assert parse_arguments(PlaylistSpider, {"ids": f"{url},7455000000000000057"}).ids == [UNKNOWN, "7455000000000000057"]  # type: ignore[attr-defined]
    with pytest.raises(ArgumentError, match=r"^-a ids=12: '12' is not a valid playlist id or playlist URL$"):
        parse_arguments(PlaylistSpider, {"ids": "12"})
