"""`-a since` / `-a until` (issue 16): a user's posts, walked newest first, give exactly the truth's
videos of those days and the walk stops once past them (fewer list pages than the whole profile
needs); the dates are declared once and refused in one line when wrong."""

from __future__ import annotations

import json
import math
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers.crawl import FAST, crawl, lines
from tests.helpers.sim_process import running_simulator, truth
from tiktok.spiders.hashtag import HashtagSpider
from tiktok.spiders.params import ArgumentError, argument_table, parse_arguments
from tiktok.spiders.playlist import PlaylistSpider
from tiktok.spiders.search import SearchSpider
from tiktok.spiders.sound import SoundSpider
from tiktok.spiders.user import UserSpider

PAGE = 35  # the profile page asks for 35 videos an answer


def day(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).date().isoformat()


@pytest.mark.crawl
@pytest.mark.browser
def test_user_posts_in_the_dates_and_the_walk_stops(tmp_path: Path) -> None:
    with running_simulator("--clock-speed", "0.000001") as base:
        users = [u for u in truth(base, "users") if not u["private"]]
        name, ids = max(((u["username"], truth(base, f"user/{u['username']}")["video_ids"]) for u in users), key=lambda p: len(p[1]))
        created = {v: truth(base, f"video/{v}")["create_time"] for v in ids}
        newest = sorted(created.values(), reverse=True)
        since, until = day(newest[PAGE + 10]), day(newest[10])  # inside the second page, so at least two pages are read
        urllib.request.urlopen(urllib.request.Request(base + "/__sim__/counters/reset", method="POST")).close()
        result = crawl(
            "user", base, tmp_path, "-a", f"usernames={name}", "-a", "posts=1", "-a", f"since={since}", "-a", f"until={until}", *FAST
        )
        with urllib.request.urlopen(base + "/__sim__/counters") as resp:
            pages = json.load(resp)["/api/post/item_list/ 200"]
    assert result.returncode == 0, result.stderr[-3000:]
    expected = sorted(v for v, t in created.items() if since <= day(t) <= until)
    got = sorted(v["id"] for v in lines(tmp_path / "videos.jsonl"))
    assert got == expected and len(expected) > 10
    whole = math.ceil(len(ids) / PAGE)
    assert 2 <= pages < whole, f"{pages} list pages read; the whole profile takes {whole}"
    assert f"@{name}: {len(expected)} videos in the dates asked" in result.stderr
    assert "stopped: past the dates asked (the list is newest first)" in result.stderr


@pytest.mark.parametrize("spider", [HashtagSpider, UserSpider, SoundSpider, SearchSpider, PlaylistSpider])
def test_every_list_walker_takes_the_dates(spider: type) -> None:
    assert "since" in argument_table(spider) and "until" in argument_table(spider)
    assert "only filtered" in argument_table(spider)  # where the walk can stop, and where it only filters


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"since": "2026-13-01"}, "-a since=2026-13-01: not a date; give YYYY-MM-DD (2026-05-01)"),
        ({"until": "1 May"}, "-a until=1 May: not a date; give YYYY-MM-DD (2026-05-01)"),
        (
            {"since": "2026-05-02", "until": "2026-05-01"},
            "-a since=2026-05-02 is after -a until=2026-05-01; give a since on or before the until",
        ),
    ],
)
def test_bad_dates_are_one_line(dates: dict[str, str], message: str) -> None:
    with pytest.raises(ArgumentError) as error:
        parse_arguments(HashtagSpider, {"hashtags": "london", **dates})
    assert str(error.value) == message


def test_the_window_holds_both_days_whole() -> None:
    window = parse_arguments(HashtagSpider, {"hashtags": "london", "since": "2026-05-01", "until": "2026-05-02"}).window  # type: ignore[attr-defined]
    first, after = int(datetime(2026, 5, 1, tzinfo=UTC).timestamp()), int(datetime(2026, 5, 3, tzinfo=UTC).timestamp())
    assert window.holds(first) and window.holds(after - 1) and not window.holds(first - 1) and not window.holds(after)
    assert window.passed(first - 1) and not window.passed(first) and not window.holds(None)
