"""What a Research API run would cost, printed before it is spent (`-a plan=1`, issue 16): the
requests (a range where the API's counts cannot pin them down), the records, and the days at
today's quota, in one format for research_comments, research_users and research_network.

Also the cheapest way to learn what a comments plan needs: each video's comment_count, from video
queries by id. A TikTok video id holds its creation time (its top 32 bits, Unix seconds), so the
ids can be grouped into the API's 30-day windows and asked 100 at a time, without knowing dates."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs

from tiktok.research.query import WINDOW_DAYS
from tiktok.research.state import DAILY

PAGE = 100  # items per page of every list endpoint (max_count)
IDS_PER_QUERY = 100  # one query page holds up to 100 videos


@attrs.frozen
class Plan:
    """A run's cost: requests from `low` to `high` (None: no bound the API's counts give), and the
    `estimate` a model gives where there is no bound."""

    spider: str
    subject: str
    family: str  # the quota family (state.DAILY): research, or follow for follower lists
    low: int
    high: int | None
    why: str  # how the requests follow from what is known
    records: int | None = None
    estimate: int | None = None
    unknown: tuple[str, ...] = ()
    sent: int = 0
    sent_for: str = ""

    def text(self, used: dict[str, int]) -> str:
        """The plan as printed: the same lines for every spider."""
        daily_requests, daily_records = DAILY[self.family]
        worst = self.high if self.high is not None else self.estimate
        if self.high == self.low:
            requests = f"{self.low:,}"
        elif self.high is not None:
            requests = f"from {self.low:,} to {self.high:,}"
        else:
            requests = f"at least {self.low:,}" + (f", about {self.estimate:,}" if self.estimate is not None else "")
        left = max(0, daily_requests - used["requests"])
        fewest = days_needed(self.low, left, daily_requests)
        most = fewest if worst is None else days_needed(worst, left, daily_requests)
        days = f"{fewest:,}" if most == fewest else f"{fewest:,} to {most:,}"
        lines = [
            f"Plan for {self.spider}: {self.subject}.",
            f"  Requests: {requests} ({self.why}).",
        ]
        if self.records is not None:
            lines.append(f"  Records: {self.records:,} (the daily quota holds {daily_records:,}).")
        quota = f"{used['requests']:,} of {daily_requests:,} requests used, {left:,} left"
        lines.append(f"  Quota today ({self.family}): {quota}: {days} day(s) at this quota.")
        lines += [f"  Not known: {note}" for note in self.unknown]
        lines.append(f"Sent for this plan: {self.sent} request(s) ({self.sent_for})." if self.sent else "Sent for this plan: nothing.")
        return "\n".join(lines)


def days_needed(requests: int, left_today: int, daily: int) -> int:
    """Days the requests take: what is left today, then a full quota each day after (resets 00:00 UTC)."""
    if requests <= left_today:
        return 1
    return 1 + math.ceil((requests - left_today) / daily)


def comment_requests(comment_count: int, cap: int) -> tuple[int, int]:
    """The fewest and most requests a video's comments and replies take, from its comment_count
    (comments and replies together): at least one page per 100 of them (one for none); at most that,
    plus one request per reply thread (at most one thread per two comments: a comment and its reply)
    and one per 100 replies. Top-level pages stop at the API's cap."""
    low = max(1, math.ceil(min(comment_count, cap) / PAGE))
    return low, low + comment_count // 2 + math.ceil(comment_count / PAGE)


def created_day(video_id: str) -> date:
    """The day a video was posted, from its id (the top 32 bits are Unix seconds)."""
    return datetime.fromtimestamp(int(video_id) >> 32, UTC).date()


def count_queries(video_ids: Iterable[str]) -> list[tuple[tuple[date, date], list[str]]]:
    """The fewest video queries that cover the ids: windows of at most 30 days from their posting
    days, each asked for up to 100 ids at once."""
    by_day = sorted((created_day(v), v) for v in dict.fromkeys(video_ids))
    windows: list[tuple[date, list[str]]] = []
    for day, vid in by_day:
        if not windows or day > windows[-1][0] + timedelta(days=WINDOW_DAYS - 1):
            windows.append((day, []))
        windows[-1][1].append(vid)
    out = []
    for _, ids in windows:
        for i in range(0, len(ids), IDS_PER_QUERY):
            chunk = ids[i : i + IDS_PER_QUERY]
            out.append(((created_day(chunk[0]), created_day(chunk[-1])), chunk))  # sorted by day
    return out


def count_query_body(window: tuple[date, date], ids: list[str], cursor: int = 0, search_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "query": {"and": [{"field_name": "video_id", "operation": "IN", "field_values": ids}]},
        "start_date": window[0].strftime("%Y%m%d"),
        "end_date": window[1].strftime("%Y%m%d"),
        "max_count": IDS_PER_QUERY,
    }
    if cursor:
        body["cursor"] = cursor
    if search_id:
        body["search_id"] = search_id
    return body
