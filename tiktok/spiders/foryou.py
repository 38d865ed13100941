"""`scrapy crawl foryou -a count=100`: the For-You feed as an anonymous visitor sees it.

Scrolls /foryou in a browser until `count` unique videos came, reading the page's own
/api/recommend/item_list/ answers; each video keeps its `feed_position` (the order it appeared in,
repeats included) and its creator's figures. When an item lacks those figures, the creator's
profile page fills them in. If one page stops giving new videos, a new visit (a fresh browser
context) continues, up to `sessions` visits.

With `-a persona=NAME` (issue 17) the feed is watched instead: in the persona's own persistent
browser profile (DATA_DIR/personas/NAME/profile, with its locale, time zone, proxy and imported
cookies), each video in turn is brought to the screen for the persona's dwell and liked or
followed by its rules through the page's own buttons; the page itself reports the play to the
site, as it does for a person. Each video is recorded with `persona`, `phase`, `feed_position`,
`dwell_ms` and `actions`. A captcha or login wall stops the run at once with the verdict
`blocked`: a fresh profile would be another persona. With `-a personas=A,B` each persona's visit is
a request of its own, its videos with the source `foryou:<persona>` (a video two personas were
shown is an observation of each): one after another on one machine; through Redis (`python -m
tiktok enqueue foryou -a personas=A,B`), handed out on the shared queue, each worker watching one
persona at a time in its own browser. TIKTOK_DWELL_SCALE (default 1) shortens every dwell, for
tests only. Stats: `persona/watched`, `persona/like`, `persona/follow`,
`persona/card_without_answer`.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from pydantic import Field
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from tiktok.parsing import Context, parse_any
from tiktok.personas import Persona, interest_weight, load_cookies, watch
from tiktok.run.context import run_context
from tiktok.scale import config
from tiktok.scale.frontier import EXCLUSIVE
from tiktok.scale.worker import REQUEST_TAKEN
from tiktok.schema.items import User, Video
from tiktok.spiders.base import is_captcha
from tiktok.spiders.feed import ScrollingFeedSpider
from tiktok.spiders.params import Args, PersonaParam, VideosParam

CARD = '[data-e2e="recommend-list-item-container"]'
BUTTONS = {"like": '[data-e2e="like-icon"]', "follow": '[data-e2e="feed-follow"]'}
LOGIN_WALL = ('id="login-modal"', 'data-e2e="login-modal"')


async def add_persona_cookies(page: Any, request: scrapy.Request) -> None:
    """scrapy-playwright's page init callback: the persona's imported cookies, added before the
    first page loads. Only the file's path travels in the request; the values are never logged."""
    path = request.meta.get("tiktok_persona_cookies")
    if path:
        await page.context.add_cookies(load_cookies(Path(path)))


class FeedParams(VideosParam):
    count: int = Field(100, ge=1, le=100_000, description="unique videos to collect")
    sessions: int = Field(5, ge=1, le=100, description="visits (fresh browser contexts) at most, when a page stops giving new videos")


class ForYouParams(PersonaParam, FeedParams):
    """The feed's arguments, then the persona's (listed in that order by `-a help=1`)."""


class ForYouSpider(Args[ForYouParams], ScrollingFeedSpider):
    name = "foryou"
    api_path = "/api/recommend/item_list/"
    answer_poll_s = 0.01  # short: the card on screen keeps playing (and is reported so) while the spider waits
    on_screen: tuple[Any, int, float] | None = None  # the card watch_one moved on to: its page, position, since when

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, ForYouSpider)
        crawler.signals.connect(spider.on_taken, signal=REQUEST_TAKEN)  # through Redis: a visit taken here
        return spider

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visits = 0
        self.waiting: dict[str, list[Video]] = {}  # videos whose creator's figures come from the profile
        self.handout: list[Persona] = []  # -a personas on one machine: those still to watch, in turn

    @property
    def persona(self) -> Persona | None:
        return self.args.persona_model

    @property
    def context_name(self) -> str:
        """A persona always browses in its own profile; an anonymous visit in a fresh context."""
        return f"persona-{self.persona.name}" if self.persona else super().context_name

    def visit(self, persona: Persona | None = None) -> scrapy.Request:
        self.visits += 1
        persona = persona or self.persona
        if persona is None:
            return self.page_request(self.web + "/foryou", "read_feed", "the For-You feed")
        label = f"the For-You feed of persona {persona.name}"
        request = self.page_request(self.web + "/foryou", "watch_feed", label, persona_name=persona.name)
        request.meta["playwright_context"] = f"persona-{persona.name}"
        request.meta["playwright_page_init_callback"] = "tiktok.spiders.foryou.add_persona_cookies"
        request.meta[EXCLUSIVE] = True  # a worker sharing the crawl watches one persona at a time
        if not self.shared:  # through Redis, the worker that takes the visit off the queue does it
            self.on_taken(request)
        return request

    @property
    def shared(self) -> bool:
        """Whether the crawl runs through Redis (TIKTOK_REDIS_URL), its visits made by other workers."""
        return config.redis_url(self.settings) is not None

    def persona_named(self, name: str) -> Persona | None:
        return next((p for p in [*self.args.persona_models, self.persona] if p is not None and p.name == name), self.persona)

    def on_taken(self, request: scrapy.Request) -> None:
        """What a persona's visit needs from the machine that makes it: the profile folder and the
        cookies file. Through Redis the worker that takes the visit calls it (the REQUEST_TAKEN
        signal of tiktok/scale/worker.py), and the profile is DATA_DIR/personas/NAME/profile there,
        not in its shard: a worker's id changes with its pid, the persona's profile must not."""
        persona = self.persona_named(request.cb_kwargs.get("persona_name", ""))
        if persona is None:
            return
        data_dir = Path(self.settings.get("DATA_DIR", "data")) if self.shared else run_context(self.crawler).data_dir
        request.meta["playwright_context_kwargs"] = self.profile(persona, data_dir)
        if persona.cookies:
            request.meta["tiktok_persona_cookies"] = str(persona.cookies_path)

    def profile(self, persona: Persona, data_dir: Path) -> dict[str, Any]:
        """The persistent context's options: the launch options (a persistent context is its own
        browser), the profile folder, and the persona's locale, time zone and proxy."""
        folder = data_dir / "personas" / persona.name / "profile"
        folder.mkdir(parents=True, exist_ok=True)
        options = {**self.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"), "user_data_dir": str(folder)}
        options |= {"locale": persona.locale, "timezone_id": persona.timezone}
        proxy = persona.playwright_proxy()
        return options | ({"proxy": proxy} if proxy else {})

    def next_visit(self) -> scrapy.Request | None:
        """Another visit while `sessions` allows: one page that stops giving new videos is not the
        end of the feed."""
        return self.visit() if self.visits < self.args.sessions else None

    async def start(self) -> AsyncIterator[Any]:
        for request in self.resume_unfinished():
            yield request
        personas = self.args.persona_models
        if not personas:
            yield self.visit()
            return
        # Through Redis every persona's visit goes on the shared queue at once, for the workers to
        # take; on one machine one at a time (a browser each), the next when a visit ends.
        self.handout = [] if self.shared else personas[1:]
        for persona in personas if self.shared else personas[:1]:
            yield self.visit(persona)

    async def read_feed(self, response: Response) -> AsyncIterator[Any]:
        async for out in self.scroll(response, "foryou", limit=self.args.count, keep=self.keep, next_visit=self.next_visit):
            yield out

    async def page_failed(self, failure: Failure) -> None:
        await super().page_failed(failure)
        if self.handout:  # a persona's visit failed (its gap recorded): the next one's turn comes all the same
            self.crawler.engine.crawl(self.visit(self.handout.pop(0)))

    async def watch_feed(self, response: Response, persona_name: str = "") -> AsyncIterator[Any]:
        """The persona's visit: card after card, each on screen for the persona's dwell, with its
        likes and follows, until `count` unique videos were watched or no more come."""
        persona = self.persona_named(persona_name)
        assert persona is not None
        # Several personas in one run: each one's videos are observations of their own (a video is
        # stored once per run and source), so a video two personas were shown is kept for both.
        source = f"foryou:{persona.name}" if self.args.persona_models else "foryou"
        label = response.meta["tiktok_page"]["label"]
        record = self.listing(label)
        page = response.meta["playwright_page"]
        blocked = "a captcha" if is_captcha(response.text) else "a login wall" if any(m in response.text for m in LOGIN_WALL) else ""
        if blocked:
            await self.leave(response)
            raise CloseSpider(f"blocked: TikTok showed {blocked} to persona {persona.name}; its profile is kept, try again later")
        rng = random.Random(f"{persona.name}:{self.args.phase}:{time.time_ns()}")
        scale = self.settings.getfloat("TIKTOK_DWELL_SCALE", 1.0)
        videos: dict[str, Video] = {}
        position = 0
        try:
            while len(record["ids"]) < self.args.count and not self.stopping():
                # The next card must be there too: the page reports a play when the next one takes its place.
                if not await self.cards_beyond(page, position + 1):
                    break
                card = page.locator(CARD).nth(position)
                position += 1
                card_id = await card.get_attribute("data-id") or ""
                # The page draws a card as soon as its script has the answer; the response handler
                # stores that answer a moment later (on a busy machine, after this loop got here).
                # Waiting for it, rather than passing the card by, keeps every card shown watched
                # and recorded at its position (skipping one made the first card go unwatched).
                for _ in range(int(self.scroll_timeout_ms / 1000 / self.answer_poll_s)):
                    for item in self.new_items(page, record, source):
                        if isinstance(item, Video):
                            videos.setdefault(item.id, item)
                        else:
                            yield item
                    if card_id in videos:
                        break
                    await asyncio.sleep(self.answer_poll_s)
                video = videos.get(card_id)
                if video is None:  # its answer never reached the handler: counted, not recorded
                    self.crawler.stats.inc_value("persona/card_without_answer")
                    self.logger.warning("persona %s: card %d (video %s) came without a captured answer", persona.name, position, card_id)
                    # shown to the persona but not recorded: the run is not complete
                    run_context(self.crawler).gap(f"persona {persona.name}: card {position} (video {card_id}) shown but not recorded")
                    continue
                video.feed_position = position
                video = await self.watch_one(page, card, video, persona, rng, scale)
                record["ids"].add(video.id)
                for out in self.keep(video):
                    yield out
            await page.evaluate("window.scrollBy(0, window.innerHeight)")  # moves on: the last play is reported
            await asyncio.sleep(self.settle_s)
        finally:
            await self.leave(response)
        record["seen"] = position
        record["stopped"] = self.why_stopped(record, self.args.count, None)
        if record["stopped"] != "limit":
            self.gap(label, record, self.args.count)
        if self.handout:
            yield self.visit(self.handout.pop(0))

    async def watch_one(self, page: Any, card: Any, video: Video, persona: Persona, rng: random.Random, scale: float) -> Video:
        """One video on screen: scrolled to the top (the page starts its play), the actions the
        persona's rules call for clicked, held there for the rest of the dwell, and the next card
        scrolled in at once (the page ends this play there, as a person's swipe does). The spider's
        work between two cards (finding the next card's answer, more cards loading) so runs while
        that next card is on screen, inside its dwell: the play the page reports and `dwell_ms`
        are the time on screen, the dwell rather than the dwell plus the spider's overhead."""
        plan = watch(persona, interest_weight(persona, video), video.video_duration, rng)
        shown = self.on_screen
        if shown is not None and shown[0] is page and shown[1] == video.feed_position:
            started = shown[2]  # on screen since the previous card's dwell ended
        else:
            started = time.monotonic()
            await card.evaluate("el => el.scrollIntoView({block: 'start'})")
        for action in plan.actions:
            await card.locator(BUTTONS[action]).click()
            self.crawler.stats.inc_value(f"persona/{action}")
        if self.args.screenshots:
            context = run_context(self.crawler)
            folder = context.data_dir / "personas" / persona.name / "screenshots" / str(context.run_id)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{video.feed_position or 0:05d}-{video.id}.png"
            await page.screenshot(path=str(path))
            video.screenshot_path = str(path.relative_to(context.data_dir))
        await asyncio.sleep(max(0.0, plan.seconds * scale - (time.monotonic() - started)))
        moved = await card.evaluate("el => { const next = el.nextElementSibling; next?.scrollIntoView({block: 'start'}); return !!next; }")
        ended = time.monotonic()
        self.on_screen = (page, (video.feed_position or 0) + 1, ended) if moved else None
        self.crawler.stats.inc_value("persona/watched")
        video.persona, video.phase, video.actions = persona.name, self.args.phase, list(plan.actions)
        video.dwell_ms = round((ended - started) * 1000)
        return video

    def new_items(self, page: Any, record: dict[str, Any], source: str = "foryou") -> list[Any]:
        """Items of the answers captured since the last call (the record counts the answers)."""
        captured = self.captures.get(page, [])
        out: list[Any] = []
        for body in captured[record.setdefault("answers", 0) :]:
            record["answers"] += 1
            if body.strip():
                out.extend(self.items_from(parse_any(body, Context(source=source)), page.url))
            else:
                self.crawler.stats.inc_value("feed/empty_body")
        return out

    async def cards_beyond(self, page: Any, n: int) -> bool:
        """Whether more than `n` cards are (or come) on the page; a scroll event makes its script
        ask again after an answer that failed, without moving the card on screen."""
        for _ in range(int(self.scroll_timeout_ms / 1000 / self.poll_s)):
            if await page.locator(CARD).count() > n:
                return True
            await page.evaluate("window.dispatchEvent(new Event('scroll'))")
            await asyncio.sleep(self.poll_s)
        return False

    async def leave(self, response: Response) -> None:
        """Closes the page and the persona's context, which writes its profile to disk."""
        context = response.meta["playwright_page"].context
        await self.done_with(response)
        await context.close()

    def keep(self, item: Any) -> list[Any]:
        """The items to pass on (a repeat too: the dedupe pipeline keeps the first), and a profile
        request for creators without figures."""
        if isinstance(item, Video) and item.author_follower_count is None and item.username:
            first = item.username not in self.waiting
            self.waiting.setdefault(item.username, []).append(item)
            if first:
                url = f"{self.web}/@{item.username}"
                return [scrapy.Request(url, callback=self.creator, cb_kwargs={"username": item.username})]
            return []
        return [item]

    def creator(self, response: Response, username: str) -> Any:
        users = [u for u in self.items_from(parse_any(response.text, Context(source="foryou")), response.url)]
        profile = next((u for u in users if isinstance(u, User) and u.username == username), None)
        for video in self.waiting.pop(username, []):
            if profile is not None:
                video.author_follower_count = profile.follower_count
                video.author_following_count = profile.following_count
                video.author_likes_count = profile.likes_count
                video.author_video_count = profile.video_count
            yield video
        yield from users
