"""What a Research API answer is, from its HTTP status and body alone (TIKTOK-FORMATS.md §2, §5).

`classify` is pure, so the table of kinds is tested without a crawl; the downloader middleware
(tiktok/middlewares/research.py) acts on the kind, and spiders' errbacks receive `ResearchGaveUp`
when it gave up on a request.

Kinds: `ok`; `transient` (5xx, a 504 HTML page, a body that is not JSON or is cut short);
`invalid_cursor` ("Invalid count or cursor") and `search_id` ("Search Id … is invalid or
expired"), which clients retry after a wait (§4); `rate_limit` (429 rate_limit_exceeded);
`daily_quota` (429 daily_quota_limit_exceeded); `refused` (a user the API will not or cannot
give: a per-user status, not an error); `fatal` (anything else: retrying will not help).
"""

from __future__ import annotations

import json
from typing import Any

import attrs
from scrapy.exceptions import IgnoreRequest

REFUSED = ("API cannot return this user's information", "information cannot be returned")
NOT_FOUND = ("cannot find the user",)
RETRIED = ("transient", "invalid_cursor", "search_id", "rate_limit")
FOLLOW_ENDPOINTS = ("/user/followers/", "/user/following/")  # their own quota family (§6)


@attrs.frozen
class Answer:
    kind: str
    code: str = ""  # the API's error.code, or http_<status> / not_json when it gave none
    message: str = ""
    records: int = 0  # records the answer carries, as the daily quota counts them (§6)
    user_status: str | None = None  # for `refused`: refused or not_found

    def reason(self) -> str:
        """One short phrase for logs, stats and gaps."""
        return f"{self.code}: {self.message[:80]}" if self.message else self.code


def records_in(data: Any) -> int:
    """Records in an answer's `data`: the length of its lists, or 1 for a single object (user info)."""
    if not isinstance(data, dict) or not data:
        return 0
    lists = [v for v in data.values() if isinstance(v, list)]
    return sum(len(v) for v in lists) if lists else 1


def classify(status: int, body: bytes) -> Answer:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        document = None
    if not isinstance(document, dict):  # a 504 HTML page, or JSON cut short (issue #13: retried like a 5xx)
        if status >= 500:
            return Answer("transient", f"http_{status}", "the answer is not JSON")
        return Answer("transient", "not_json", "the answer is not JSON, or is cut short")
    error = document.get("error")
    if not isinstance(error, dict):
        error = {}
    code, message = str(error.get("code") or ""), str(error.get("message") or "")
    if status == 200 and code in ("ok", ""):
        return Answer("ok", "ok", records=records_in(document.get("data")))
    code = code or f"http_{status}"
    if code == "daily_quota_limit_exceeded":
        return Answer("daily_quota", code, message)
    if status == 429 or code == "rate_limit_exceeded":
        return Answer("rate_limit", code, message)
    if status >= 500 or code == "internal_error":
        return Answer("transient", code, message)
    if "Invalid count or cursor" in message:
        return Answer("invalid_cursor", code, message)
    if "Search Id" in message and "is invalid or expired" in message:
        return Answer("search_id", code, message)
    if any(r in message for r in REFUSED):
        return Answer("refused", code, message, user_status="refused")
    if any(n in message for n in NOT_FOUND):
        return Answer("refused", code, message, user_status="not_found")
    return Answer("fatal", code, message)


def quota_family(url: str) -> str:
    """The daily quota a request counts against: followers and following have their own (§6)."""
    path = url.split("?", 1)[0]
    return "follow" if path.endswith(FOLLOW_ENDPOINTS) else "research"


class ResearchGaveUp(IgnoreRequest):
    """A research request the middleware gave up on: its errback gets this. `lost` is True when
    retries ran out (the same command again may get it), False for a final refusal."""

    def __init__(self, answer: Answer, lost: bool) -> None:
        super().__init__(answer.reason())
        self.answer, self.lost = answer, lost


class QuotaReached(IgnoreRequest):
    """The daily quota is spent: the crawl is closing, and the request goes to the next run."""
