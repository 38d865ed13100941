"""The simulator as an aiohttp application: `make_app(...)` for tests, `python -m` for people."""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from pathlib import Path

from aiohttp import web

from tiktok.simulator import control, personal, research, webapp
from tiktok.simulator.faults import Faults
from tiktok.simulator.media import MEDIA_FILES_KEY, MediaFiles
from tiktok.simulator.state import (
    DEMO_CLIENT_KEY,
    DEMO_CLIENT_SECRET,
    STATE_KEY,
    Quota,
    QuotaLimits,
    SimClock,
    SimState,
    state_of,
)
from tiktok.simulator.world import World

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

GATEWAY_TIMEOUT_PAGE = (
    "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center></body></html>"
)


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Requests served per route and per status, for politeness and quota checks in tests."""
    st = state_of(request)
    route = request.match_info.route.resource
    name = route.canonical if route is not None else "unmatched"
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        if not name.startswith("/__sim__"):
            st.served[name] += 1
            st.served[f"{name} {status}"] += 1


@web.middleware
async def inject_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The API-wide faults: hangs, slowness, 5xx, 429 and truncated bodies (faults.KINDS)."""
    if not request.path.startswith(("/api/", "/v2/")):
        return await handler(request)
    st = state_of(request)
    f = st.faults
    if f.roll("hang"):
        await asyncio.sleep(f.hang_seconds)
    if f.roll("slow"):
        await asyncio.sleep(f.slow_seconds)
    research_api = request.path.startswith("/v2/")
    if f.roll("server_error"):
        if f.choice() < 0.5:
            return web.Response(status=504, text=GATEWAY_TIMEOUT_PAGE, content_type="text/html")
        if research_api:  # a 500 whose error has no message, as traktok observed (§2)
            return web.json_response({"error": {"code": "internal_error", "log_id": st.log_id()}}, status=500)
        return web.Response(status=500, text="<html><body>Internal Server Error</body></html>", content_type="text/html")
    if f.roll("rate_limit"):
        headers = {"Retry-After": "2"} if f.choice() < 0.5 else None
        if research_api:
            return research.error(st, 429, "rate_limit_exceeded", "Rate limit exceeded, please retry later", headers)
        return web.Response(status=429, text="Too Many Requests", headers=headers)
    response = await handler(request)
    if isinstance(response, web.Response) and response.body and f.roll("truncated"):
        body = bytes(response.body)  # type: ignore[arg-type]
        response.body = body[: len(body) // 2]
    return response


class Latency:
    """Seconds an answer waits: `ms` milliseconds (0: none), spread uniformly by +-`jitter_ms`
    (seeded, at most `ms`: the mean wait is `ms`)."""

    def __init__(self, ms: float, jitter_ms: float, seed: int) -> None:
        self.ms, self.jitter_ms, self.rng = ms, jitter_ms, random.Random(seed)

    def draw(self) -> float:
        return max(0.0, self.ms + self.rng.uniform(-self.jitter_ms, self.jitter_ms)) / 1000


LATENCY_KEY = web.AppKey("latency", Latency)


@web.middleware
async def delay_answers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every answer but the /__sim__/ control and truth ones waits the app's latency (a remote
    site's round trip) without blocking the others; the tests and benches read /__sim__/ at once."""
    latency = request.app[LATENCY_KEY]
    if latency.ms and not request.path.startswith("/__sim__/"):
        await asyncio.sleep(latency.draw())
    return await handler(request)


def make_app(
    seed: int = 7,
    world: str | World = "small",
    faults: str = "none",
    clock_speed: float = 1.0,
    client_key: str = DEMO_CLIENT_KEY,
    client_secret: str = DEMO_CLIENT_SECRET,
    token_ttl: int = 7200,
    quota: QuotaLimits | None = None,
    cache_dir: Path | None = None,
    personal_feed: bool = True,
    latency_ms: float = 0.0,
    latency_jitter_ms: float = 0.0,
) -> web.Application:
    """A simulator app. Pass a built World to share one between several apps in tests."""
    the_world = world if isinstance(world, World) else World(seed, world)
    state = SimState(
        world=the_world,
        clock=SimClock(speed=clock_speed),
        faults=Faults.preset(the_world.seed, faults),
        quota=Quota(quota or QuotaLimits()),
        client_key=client_key,
        client_secret=client_secret,
        token_ttl=token_ttl,
        cache_dir=cache_dir or Path(tempfile.gettempdir()) / f"tiktok-sim-{the_world.seed}",
        personal_feed=personal_feed,
    )
    app = web.Application(middlewares=[count_requests, delay_answers, research.research_gate, inject_faults])
    app[STATE_KEY] = state
    app[LATENCY_KEY] = Latency(latency_ms, latency_jitter_ms, the_world.seed)
    app[MEDIA_FILES_KEY] = MediaFiles(state.cache_dir)
    app[personal.VISITORS_KEY] = personal.Visitors()
    app.add_routes(webapp.routes)
    app.add_routes(personal.routes)
    app.add_routes(research.routes)
    app.add_routes(control.routes)
    app.on_response_prepare.append(simulated_date)
    return app


async def simulated_date(request: web.Request, response: web.StreamResponse) -> None:
    """The Date header at the simulated clock, as a server's own clock would send it."""
    response.headers["Date"] = formatdate(request.app[STATE_KEY].clock.now(), usegmt=True)
