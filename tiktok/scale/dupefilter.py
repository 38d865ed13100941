"""scrapy-redis's request dupefilter, made safe to retry (issue 14).

Its `request_seen` is one SADD, whose answer says whether the fingerprint was new. The workers'
Redis client retries a command whose answer was lost (Redis restarting, tiktok/scale/config.py),
and a retried SADD answers 0: the request is dropped as a duplicate of itself. A user's list was
lost that way in tests/scale/test_network.py's Redis restart, and the crawl still ended complete.
Here a fingerprint is claimed with a token made once per request (HSETNX, then whether the stored
token is this one), which gives the same answer however often the call is sent.
"""

from __future__ import annotations

import uuid
from typing import Any

from scrapy.http import Request
from scrapy_redis.dupefilter import RFPDupeFilter  # type: ignore[import-untyped]

CLAIM = """
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return 1 end
return 0
"""


class RetrySafeDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    def __init__(self, server: Any, key: str, debug: bool = False) -> None:
        super().__init__(server, key=key, debug=debug)
        self._claim = server.register_script(CLAIM)

    def request_seen(self, request: Request) -> bool:
        fingerprint = self.request_fingerprint(request)
        return not self._claim(keys=[self.key], args=[fingerprint, uuid.uuid4().hex])
