"""The token middleware against the simulator's OAuth endpoint: one token for many requests, and
one renewal when it expires under many requests in flight (issue #13 saw 16)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from tests.helpers.crawler import crawler_with_run
from tiktok.middlewares.research_token import ResearchTokenMiddleware
from tiktok.run.context import run_context
from tiktok.run.verdict import exit_code, verdict_of
from tiktok.simulator.app import make_app
from tiktok.simulator.state import DEMO_CLIENT_KEY, DEMO_CLIENT_SECRET, STATE_KEY
from tiktok.simulator.world import World


@pytest.fixture
async def token_mw(aiohttp_server: Any, small_world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[ResearchTokenMiddleware, Any]:
    monkeypatch.setenv("TIKTOK_CLIENT_KEY", DEMO_CLIENT_KEY)
    monkeypatch.setenv("TIKTOK_CLIENT_SECRET", DEMO_CLIENT_SECRET)
    app = make_app(world=small_world, clock_speed=0.0)
    server = await aiohttp_server(app)
    crawler = get_crawler(settings_dict={"TIKTOK_API_URL": str(server.make_url(""))})
    return ResearchTokenMiddleware.from_crawler(crawler), app


async def test_one_expiry_under_16_requests_in_flight_is_one_renewal(token_mw: tuple[ResearchTokenMiddleware, Any]) -> None:
    mw, app = token_mw
    requests = [Request(f"http://127.0.0.1/v2/research/video/query/?n={n}", meta={"research": True}) for n in range(16)]
    await asyncio.gather(*(mw.process_request(r) for r in requests))
    first = {r.headers["Authorization"] for r in requests}
    assert len(first) == 1 and mw.crawler.stats.get_value("research/tokens") == 1
    replays = [await mw.process_response(r, Response(r.url, status=401)) for r in requests]  # the token expired under all 16
    assert all(isinstance(r, Request) for r in replays)
    await asyncio.gather(*(mw.process_request(r) for r in replays))  # type: ignore[arg-type]
    second = {r.headers["Authorization"] for r in replays}
    assert len(second) == 1 and second != first
    assert mw.crawler.stats.get_value("research/tokens") == 2  # one renewal
    assert app[STATE_KEY].served["/v2/oauth/token/"] == 2  # as the simulator counted them
    assert mw.crawler.stats.get_value("research/token_renewed_after_401") == 1


async def test_a_second_401_after_the_renewal_reaches_the_other_middlewares(token_mw: tuple[ResearchTokenMiddleware, Any]) -> None:
    mw, _ = token_mw
    request = Request("http://127.0.0.1/v2/research/user/info/", meta={"research": True})
    await mw.process_request(request)
    replay = await mw.process_response(request, Response(request.url, status=401))
    assert isinstance(replay, Request)
    refused = Response(request.url, status=401)
    assert await mw.process_response(replay, refused) is refused  # the Research API middleware calls it final


class ClosingEngine:
    """Where the middleware closes the spider: the reasons it gave."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    async def close_spider_async(self, reason: str) -> None:
        self.reasons.append(reason)


async def no_wait(seconds: float) -> None:
    return None


yield_to_loop = asyncio.sleep  # kept before a test replaces asyncio.sleep with no_wait


async def test_an_unanswering_token_endpoint_is_an_outage_to_fill_later_not_refused_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unused_tcp_port: int
) -> None:
    monkeypatch.setenv("TIKTOK_CLIENT_KEY", DEMO_CLIENT_KEY)
    monkeypatch.setenv("TIKTOK_CLIENT_SECRET", DEMO_CLIENT_SECRET)
    monkeypatch.setattr("tiktok.middlewares.research_token.asyncio.sleep", no_wait)
    crawler = crawler_with_run(tmp_path, TIKTOK_API_URL=f"http://127.0.0.1:{unused_tcp_port}")  # nothing listens there
    crawler.engine = engine = ClosingEngine()
    mw = ResearchTokenMiddleware.from_crawler(crawler)
    with pytest.raises(IgnoreRequest):
        await mw.process_request(Request("http://127.0.0.1/v2/research/user/info/", meta={"research": True}))
    await yield_to_loop(0)  # let the scheduled close run
    assert engine.reasons == ["token_unavailable"]
    assert verdict_of("token_unavailable", run_context(crawler).gaps) == "partial"  # exit 3: the same command later fills it
    assert run_context(crawler).gaps == ["everything not asked yet: the token endpoint did not answer after 5 tries"]


async def test_refused_credentials_stop_the_crawl_as_refused(token_mw: tuple[ResearchTokenMiddleware, Any], monkeypatch) -> None:
    mw, _ = token_mw
    monkeypatch.setenv("TIKTOK_CLIENT_SECRET", "not-the-secret")
    mw.crawler.engine = engine = ClosingEngine()
    with pytest.raises(IgnoreRequest):
        await mw.process_request(Request("http://127.0.0.1/v2/research/user/info/", meta={"research": True}))
    await asyncio.sleep(0)
    assert engine.reasons == ["credentials_rejected"] and exit_code(verdict_of("credentials_rejected", []), "credentials_rejected") == 2
