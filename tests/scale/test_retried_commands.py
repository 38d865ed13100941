"""The shared steps a worker's Redis client may send twice (its answer lost while Redis restarted)
answer the second call as the first (a real redis-server): the dupefilter does not drop a request
as a duplicate of itself, and a pop does not file a second request that no one would take."""

from __future__ import annotations

import shutil

import pytest
import redis
from scrapy.http import Request

from tests.helpers.redis_process import running_redis
from tiktok.scale.dupefilter import RetrySafeDupeFilter
from tiktok.scale.frontier import Frontier

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed: run make setup")


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


def test_a_retried_pop_returns_the_request_the_first_filed() -> None:
    with running_redis() as server:
        frontier = Frontier(redis.Redis.from_url(server.url), "test", "w1")
        frontier.server.zadd(frontier.queue_key, {b"first": 1, b"second": 2})
        keys = [frontier.queue_key, frontier.inflight_key, frontier.inflight_key + ":n", frontier.inflight_key + ":last"]
        once = frontier._pop(keys=keys, args=["token-of-one-pop"])
        again = frontier._pop(keys=keys, args=["token-of-one-pop"])  # the same call sent again
        assert [int(once[0]), bytes(once[1])] == [int(again[0]), bytes(again[1])] == [1, b"first"]
        assert frontier.server.hlen(frontier.inflight_key) == 1 and frontier.queued() == 1  # "second" still waits
        assert frontier.pop() == (2, b"second") and frontier.pop() is None
