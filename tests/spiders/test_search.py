"""`scrapy crawl search` against the simulator (issue 16): the videos a keyword search lists equal the
simulator's truth, exactly, with source `search:<keyword>` and a coverage line per keyword; the user
search's answers parse into the users the truth names; bad input is one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.crawl import FAST, crawl, lines
from tests.helpers.sim_process import running_simulator, truth
from tests.simclient import Sim
from tiktok.parsing import Context, parse_any
from tiktok.schema.items import User
from tiktok.spiders.params import ArgumentError, parse_arguments
from tiktok.spiders.search import SearchSpider


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.000001") as base:
        yield base


@pytest.mark.crawl
@pytest.mark.browser
def test_search_videos_equal_the_truth(simulator: str, tmp_path: Path) -> None:
    result = crawl("search", simulator, tmp_path, "-a", "keywords=cats,dance", *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    videos = lines(tmp_path / "videos.jsonl")
    for keyword in ("cats", "dance"):  # a video both find is one observation per search (source)
        expected = truth(simulator, f"search/{keyword}")["video_ids"]
        got = [v["id"] for v in videos if v["source"] == f"search:{keyword}"]
        assert sorted(got) == sorted(expected) and len(expected) > 10
        assert f"search {keyword}: {len(expected)} videos, stopped: end of list" in result.stderr


async def test_user_search_answers_are_the_users_found(sim: Sim) -> None:
    answer = await sim.signed_get("/api/search/user/full/", keyword="runs", offset="0", count="30")
    parsed = parse_any(json.dumps(answer), Context(source="search:runs"))
    users = [u for u in parsed.items if isinstance(u, User)]
    assert parsed.format == "web-search-users" and parsed.more is False and not parsed.missing
    assert [u.username for u in users] == (await sim.truth("search/runs"))["usernames"]
    assert all(u.user_id and u.sec_uid and u.follower_count is not None and u.source == "search:runs" for u in users)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "-a keywords=... is required: what to search for, comma-separated (cats,dance)"),
        ({"keywords": "cats,,dance"}, "-a keywords=cats,,dance: an empty item"),
        ({"keywords": "cats", "type": "sounds"}, "-a type=sounds: give 'videos' or 'users'"),
        ({"keywords": "cats", "type": "users", "since": "2026-05-01"}, "-a since, -a until and -a videos pick among videos"),
    ],
)
def test_bad_arguments_are_one_line(raw: dict[str, str], message: str) -> None:
    with pytest.raises(ArgumentError) as error:
        parse_arguments(SearchSpider, raw)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)
