"""TikTok-Api (davidteather, PyPI TikTokApi 7.3.3) in Debian's chromium against the simulator.

The browser context comes from the client's public `browser_context_factory` hook, with a
Playwright route that sends https://www.tiktok.com to the simulator, request and cookies as the
page made them; `video.info()` uses `requests` directly and is rewritten in its transport. The
client signs each call with the page's `window.byted_acrawler.frontierSign(url)` over the query
exactly as it sends it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from playwright.async_api import BrowserContext, Playwright, Route
from TikTokApi import TikTokApi  # type: ignore[import-untyped]

from tests.clients.conftest import rewrite, truth

# Unfinished (issue 12): under pytest-asyncio the route handler is entered but never completes and
# the first navigation fails with ERR_NAME_NOT_RESOLVED; the same factory and route work from a plain
# asyncio.run() script. Not a simulator fault; to be finished before this test counts.
pytestmark = [pytest.mark.browser, pytest.mark.skip(reason="unfinished: Playwright route handler stalls under pytest-asyncio")]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


@pytest.fixture
async def api(requests_to_simulator: str) -> AsyncIterator[Any]:
    base = requests_to_simulator
    http = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())  # the browser keeps the cookies
    browsers = []

    async def forward(route: Route) -> None:
        request = route.request
        headers = {k: v for k, v in (await request.all_headers()).items() if not k.startswith(":") and k != "host"}
        async with http.request(request.method, rewrite(request.url, base), headers=headers, data=request.post_data_buffer,
                                allow_redirects=False) as resp:  # fmt: skip
            body = await resp.read()
            out = {k: v for k, v in resp.headers.items() if k.lower() not in ("set-cookie", "content-length", "content-encoding")}
            cookies = resp.headers.getall("Set-Cookie", [])
            if cookies:
                out["set-cookie"] = "\n".join(cookies)
            await route.fulfill(status=resp.status, headers=out, body=body)

    async def context_factory(playwright: Playwright) -> BrowserContext:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        browsers.append(browser)
        context = await browser.new_context()
        await context.route(re.compile(r"^https://www\.tiktok\.com(?:[/?]|$)"), forward)
        return context

    async with TikTokApi() as client:
        await client.create_sessions(num_sessions=1, sleep_after=0, browser_context_factory=context_factory, timeout=30000)
        yield client
    for browser in browsers:
        await browser.close()
    await http.close()


async def test_users_videos_comments_hashtags_and_trending(api: Any, requests_to_simulator: str) -> None:
    base = requests_to_simulator
    users = [u for u in truth(base, "users") if not (u["private"] or u["refused"])]
    name = next(u["username"] for u in users if 3 <= len(truth(base, f"user/{u['username']}")["video_ids"]) <= 60)
    t = truth(base, f"user/{name}")
    user = api.user(username=name)
    info = await user.info()
    assert info["userInfo"]["user"]["uniqueId"] == name and info["userInfo"]["user"]["secUid"] == t["sec_uid"]
    assert int(info["userInfo"]["statsV2"]["followerCount"]) == t["stats"]["followers"]
    videos = [v async for v in user.videos(count=1000)]
    assert [v.id for v in videos] == t["video_ids"]
    assert all(v.author.username == name for v in videos)

    top = next(vid for vid in truth(base, "hashtag/london")["video_ids"] if 3 <= len(truth(base, f"video/{vid}/comments")) <= 150)
    comments = [c async for c in api.video(id=top).comments(count=1000)]
    expected = [c for c in truth(base, f"video/{top}/comments") if c["parent_comment_id"] == top]
    assert [(c.id, c.text) for c in comments] == [(c["id"], c["text"]) for c in expected]

    london = truth(base, "hashtag/london")
    tagged = [v async for v in api.hashtag(name="london").videos(count=len(london["reachable"]) + 30)]
    assert [v.id for v in tagged] == london["reachable"]

    trending = [v async for v in api.trending.videos(count=16)]
    assert len(trending) >= 16
    for v in trending[:4]:
        tv = truth(base, f"video/{v.id}")
        assert tv["public"] and v.author.username == tv["author"] and int(v.stats["playCount"]) == tv["counts"]["views"]

    tv = truth(base, f"video/{top}")
    detail = await api.video(url=f"https://www.tiktok.com/@{tv['author']}/video/{top}").info()
    assert (detail["id"], detail["desc"], int(detail["createTime"])) == (top, tv["description"], tv["create_time"])
    assert int(detail["statsV2"]["diggCount"]) == tv["counts"]["likes"]
