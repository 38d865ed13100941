"""The video spider's comment and reply callbacks, in-process on the simulator's own answers: a
page cut short is asked again like a 5xx, and what stays lost after the retries is a gap of the run
naming the video, the comment and the cursor (issue 13: 114 of 116 comments were stored silently)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import TextResponse

from tests.helpers.crawler import crawler_with_run
from tests.simclient import Sim
from tiktok.run.context import run_context
from tiktok.schema.items import Comment
from tiktok.simulator.world import EPOCH, World
from tiktok.spiders.video import VideoSpider


def busy_video(world: World) -> str:
    """A public video with more comments than one page holds."""
    v = next(v for v in range(world.size.videos) if world.public(v, EPOCH) and 150 <= world.video_counts(v, EPOCH)["comments"] <= 400)
    return str(world.video_id(v))


def spider_for(sim: Sim, tmp_path: Path, vid: str) -> VideoSpider:
    crawler = crawler_with_run(tmp_path, VideoSpider, RETRY_TIMES=2, TIKTOK_WEB_URL=str(sim.client.make_url("")).rstrip("/"))
    spider = VideoSpider(ids=vid, comments="all")
    spider._set_crawler(crawler)
    return spider


async def answer(sim: Sim, request: scrapy.Request, cut: bool = False) -> TextResponse:
    url = urlsplit(request.url)
    body = await (await sim.client.get(f"{url.path}?{url.query}")).read()
    return TextResponse(request.url, body=body[: len(body) // 2] if cut else body, request=request)


def run(request: scrapy.Request, response: TextResponse) -> list[Any]:
    assert request.callback is not None
    return list(request.callback(response, **request.cb_kwargs))


async def test_a_cut_comment_page_is_asked_again_then_read_whole(sim: Sim, small_world: World, tmp_path: Path) -> None:
    vid = busy_video(small_world)
    spider = spider_for(sim, tmp_path, vid)
    first = spider.comment_page(vid, 0)
    (retry,) = run(first, await answer(sim, first, cut=True))
    assert retry.url == first.url and retry.meta["retry_times"] == 1
    assert spider.crawler.stats.get_value("retry/reason_count/garbled JSON") == 1
    out = run(retry, await answer(sim, retry))
    truth = await (await sim.client.get(f"/__sim__/truth/video/{vid}/comments")).json()
    top = [c["id"] for c in truth if c["parent_comment_id"] == vid]
    assert [c.id for c in out if isinstance(c, Comment) and c.parent_comment_id == vid] == top[:50]
    assert any(isinstance(r, scrapy.Request) and "/api/comment/list/?" in r.url for r in out)  # the next page
    assert run_context(spider.crawler).gaps == []


async def test_a_reply_page_that_stays_cut_is_a_gap(sim: Sim, small_world: World, tmp_path: Path) -> None:
    vid = busy_video(small_world)
    spider = spider_for(sim, tmp_path, vid)
    first = spider.comment_page(vid, 0)
    replies = next(r for r in run(first, await answer(sim, first)) if isinstance(r, scrapy.Request) and "/reply/" in r.url)
    comment = replies.cb_kwargs["comment"]
    request = replies
    for _ in range(2):  # RETRY_TIMES=2
        (request,) = run(request, await answer(sim, request, cut=True))
    assert run(request, await answer(sim, request, cut=True)) == []
    assert run_context(spider.crawler).gaps == [
        f"video {vid}: replies of comment {comment} after cursor 0: lost, the answer stayed garbled after its retries"
    ]
