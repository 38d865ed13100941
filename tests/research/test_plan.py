"""The plan's arithmetic, its one printed format (tiktok/research/plan.py), and which plan sends nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tiktok.research.plan import Plan, comment_requests, count_queries, created_day, days_needed
from tiktok.spiders.params import ArgumentError, parse_arguments
from tiktok.spiders.research_comments import ResearchCommentsSpider
from tiktok.spiders.research_users import ResearchUsersSpider


def video_id(day: date, n: int) -> str:
    """An id as TikTok makes them: the posting time in the top 32 bits."""
    return str((int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp()) << 32) | n)


def test_days_count_what_is_left_today_then_a_full_quota_a_day() -> None:
    assert days_needed(0, 0, 1000) == 1 and days_needed(400, 400, 1000) == 1
    assert days_needed(401, 400, 1000) == 2 and days_needed(2400, 400, 1000) == 3 and days_needed(2401, 400, 1000) == 4


def test_comment_requests_bound_pages_and_reply_threads() -> None:
    assert comment_requests(0, 1000) == (1, 1)  # one request to learn there are none
    assert comment_requests(36, 1000) == (1, 1 + 18 + 1)  # at most 18 threads (a comment and its reply each)
    assert comment_requests(250, 1000) == (3, 3 + 125 + 3)
    assert comment_requests(5000, 1000)[0] == 10  # top-level pages stop at the API's cap


def test_count_queries_cover_the_ids_with_the_fewest_30_day_windows_of_100() -> None:
    ids = [video_id(date(2026, 1, 1), n) for n in range(150)] + [video_id(date(2026, 1, 30), 1), video_id(date(2026, 3, 1), 2)]
    assert created_day(ids[0]) == date(2026, 1, 1)
    queries = count_queries([*ids, ids[0]])  # a repeated id is asked once
    assert [(w, len(chunk)) for w, chunk in queries] == [
        ((date(2026, 1, 1), date(2026, 1, 1)), 100),
        ((date(2026, 1, 1), date(2026, 1, 30)), 51),  # 1 to 30 January: 30 days, one window
        ((date(2026, 3, 1), date(2026, 3, 1)), 1),
    ]
    assert sorted(v for _, chunk in queries for v in chunk) == sorted(ids)


def test_every_plan_prints_the_same_lines() -> None:
    plan = Plan(spider="research_comments", subject="2 video(s)", family="research", low=3, high=1500, why="pages", records=70,
                unknown=("1 video without a count",), sent=1, sent_for="video queries for the comment counts")  # fmt: skip
    assert plan.text({"requests": 200, "records": 0}).splitlines() == [
        "Plan for research_comments: 2 video(s).",
        "  Requests: from 3 to 1,500 (pages).",
        "  Records: 70 (the daily quota holds 100,000).",
        "  Quota today (research): 200 of 1,000 requests used, 800 left: 1 to 2 day(s) at this quota.",
        "  Not known: 1 video without a count",
        "Sent for this plan: 1 request(s) (video queries for the comment counts).",
    ]
    users = Plan(spider="research_users", subject="3 user(s) to ask", family="research", low=3, high=3, why="one each").text(
        {"requests": 0, "records": 0}
    )
    assert "  Requests: 3 (one each)." in users and users.endswith("Sent for this plan: nothing.")
    network = Plan(spider="research_network", subject="s", family="follow", low=1, high=None, estimate=50_000, why="w")
    assert "Requests: at least 1, about 50,000 (w)." in network.text({"requests": 0, "records": 0})
    assert "20,000 left: 1 to 3 day(s)" in network.text({"requests": 0, "records": 0})


def test_only_the_users_plan_needs_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    from tiktok.research import credentials

    monkeypatch.delenv(credentials.KEY, raising=False)
    monkeypatch.setattr(credentials, "dotenv", dict)  # no .env either
    assert parse_arguments(ResearchUsersSpider, {"usernames": "a", "plan": "1"}).plan  # type: ignore[attr-defined]
    with pytest.raises(ArgumentError, match="set TIKTOK_CLIENT_KEY"):
        parse_arguments(ResearchCommentsSpider, {"video_ids": "7644841821792632983", "plan": "1"})  # its plan asks the counts
