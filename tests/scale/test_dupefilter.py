"""The shared request dupefilter answers a retried call as it answered the first (a real
redis-server): a request whose answer was lost while Redis restarted is not dropped as a
duplicate of itself, and a second request with the same fingerprint is."""

from __future__ import annotations

import shutil

import pytest
import redis
from scrapy.http import Request

from tests.helpers.redis_process import running_redis
from tiktok.scale.dupefilter import RetrySafeDupeFilter


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed: run make setup")
def test_a_retried_claim_is_not_a_duplicate_and_a_second_request_is() -> None:
    with running_redis() as server:
        dupefilter = RetrySafeDupeFilter(redis.Redis.from_url(server.url), key="tiktok:test:dupefilter")
        request = Request("https://www.tiktok.com/api/user/detail/?uniqueId=hana.fixes43")
        fingerprint = dupefilter.request_fingerprint(request)
        keys, args = ["tiktok:test:dupefilter"], [fingerprint, "token-of-the-first-call"]
        assert dupefilter._claim(keys=keys, args=args) == 1
        assert dupefilter._claim(keys=keys, args=args) == 1  # the same call sent again: still this call's
        assert dupefilter.request_seen(request)  # another request with that fingerprint: a duplicate
        assert not dupefilter.request_seen(Request("https://www.tiktok.com/api/user/detail/?uniqueId=zoe"))
