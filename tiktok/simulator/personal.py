"""A personal For-You feed: each visitor (its `ttwid` cookie, which TikTok sets on a first visit)
gets a feed that drifts towards what it watched long, liked or followed (issue 17).

The model, seeded from the world like the rest of the feed, with known effects an audit must find:
- cold start: a visitor that reported nothing yet gets the popularity feed (webapp.foryou_rows);
- the page reports each video's play time when the reader moves on (as TikTok's page reports play
  events); the signal is the play time relative to this visitor's own running mean,
  log(play / mean) clipped to +-2, plus FINISH when played to the end; likes add LIKE to the
  video's features, follows add FOLLOW to its creator. A visitor that watches everything equally
  (the control persona) teaches nothing;
- each signal adds LEARN x signal to the affinity of the video's hashtags, sound and creator, and
  every affinity decays by DECAY per report;
- of each answer, an EXPLORE share is drawn by popularity; the rest is drawn, without repeats, with
  weight sqrt(popularity) x exp(affinity sum, capped at CAP) x REGION_BOOST for videos from the
  visitor's region (the region of its browser language, else of its time zone).
Truth: /__sim__/truth/persona/<ttwid> (what it learned, what it served and each play report;
?features=1 adds each served video's creator, hashtags and sound), /__sim__/truth/personas.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from aiohttp import web

from tiktok.simulator import vocabulary as vocab
from tiktok.simulator.state import state_of
from tiktok.simulator.world import World

EXPLORE = 0.2
LEARN = 1.0
DECAY = 0.998
FINISH = 0.5
LIKE = 1.0
FOLLOW = 2.0
CAP = 8.0
REGION_BOOST = 3.0
SIGNAL_CLIP = 2.0
MEAN_WEIGHT = 0.1  # how fast the visitor's running mean play time follows new reports
FORGET = 0.01  # affinities smaller than this are dropped
MODEL = {"explore": EXPLORE, "learn": LEARN, "decay": DECAY, "finish": FINISH, "like": LIKE, "follow": FOLLOW,
         "cap": CAP, "region_boost": REGION_BOOST}  # fmt: skip

# Time zones of the simulated regions, for a visitor whose language names no region.
ZONE_REGIONS = {
    "America/New_York": "US", "America/Chicago": "US", "America/Los_Angeles": "US", "Europe/London": "GB",
    "Europe/Paris": "FR", "Europe/Berlin": "DE", "Asia/Ho_Chi_Minh": "VN", "Asia/Jakarta": "ID",
    "America/Sao_Paulo": "BR", "America/Mexico_City": "MX", "Asia/Tokyo": "JP", "Europe/Istanbul": "TR",
    "Africa/Cairo": "EG", "Asia/Kolkata": "IN", "America/Toronto": "CA", "Europe/Madrid": "ES",
}  # fmt: skip

Feature = tuple[str, int]  # ("hashtag" | "sound" | "creator", row)


def region_of(language: str, zone: str) -> str | None:
    """The region of `en-GB` (GB), else of the time zone; None when neither names a simulated one."""
    tag = language.replace("_", "-").split("-")
    if len(tag) > 1 and tag[1].upper() in vocab.REGIONS:
        return tag[1].upper()
    return ZONE_REGIONS.get(zone)


@dataclass
class Visitor:
    key: str
    region: str | None = None
    affinity: dict[Feature, float] = field(default_factory=dict)
    mean_play: float | None = None
    served: list[int] = field(default_factory=list)
    plays: list[tuple[int, float, bool]] = field(default_factory=list)  # each play report: video, play_ms, finished
    events: dict[str, int] = field(default_factory=lambda: {"watches": 0, "finishes": 0, "likes": 0, "follows": 0})

    def learned(self) -> bool:
        return any(self.events.values())

    def features(self, world: World, v: int) -> list[Feature]:
        return [("hashtag", h) for h in world.hashtags_of(v)] + [("sound", int(world.v_sound[v])), ("creator", int(world.v_author[v]))]

    def learn(self, features: list[Feature], signal: float) -> None:
        for f in list(self.affinity):
            self.affinity[f] *= DECAY
            if abs(self.affinity[f]) < FORGET:
                del self.affinity[f]
        for f in features:
            self.affinity[f] = self.affinity.get(f, 0.0) + LEARN * signal

    def watched(self, world: World, v: int, play_ms: float, finished: bool) -> None:
        play = max(play_ms, 1.0)
        mean = self.mean_play or play
        signal = max(-SIGNAL_CLIP, min(SIGNAL_CLIP, math.log(play / mean))) + (FINISH if finished else 0.0)
        self.mean_play = mean + MEAN_WEIGHT * (play - mean) if self.mean_play else play
        self.events["watches"] += 1
        self.plays.append((v, play_ms, finished))
        self.events["finishes"] += finished
        self.learn(self.features(world, v), signal)

    def affinity_sum(self, world: World, rows: np.ndarray) -> np.ndarray:
        """Each row's summed affinity of its hashtags, sound and creator."""
        dense = {kind: np.zeros(n + 1) for kind, n in (("hashtag", world.size.hashtags), ("sound", world.size.sounds),
                                                        ("creator", world.size.users))}  # fmt: skip
        for (kind, key), a in self.affinity.items():
            dense[kind][key] = a
        tags = world.v_tags[rows]
        total = dense["hashtag"][np.where(tags >= 0, tags, -1)].sum(axis=1)  # -1: the extra zero slot
        return total + dense["sound"][world.v_sound[rows]] + dense["creator"][world.v_author[rows]]  # type: ignore[no-any-return]

    def picks(self, world: World, rows: np.ndarray, cum: np.ndarray, count: int, rng: np.random.Generator) -> list[int]:
        """`count` videos not served to this visitor before: EXPLORE of them by popularity, the
        rest by sqrt(popularity) x exp(affinity) x the region boost."""
        fresh = ~np.isin(rows, np.asarray(self.served, dtype=np.int64))
        if not fresh.any():
            return []
        popularity = np.diff(cum, prepend=0.0)
        weight = np.sqrt(popularity) * np.exp(np.clip(self.affinity_sum(world, rows), -CAP, CAP))
        if self.region is not None:
            weight *= np.where(np.asarray(vocab.REGIONS)[world.v_region[rows]] == self.region, REGION_BOOST, 1.0)
        out: list[int] = []
        for explore in rng.random(count) < EXPLORE:
            p = (popularity if explore else weight) * fresh
            if p.sum() <= 0:
                break
            i = int(rng.choice(len(rows), p=p / p.sum()))
            fresh[i] = False
            out.append(int(rows[i]))
        return out

    def describe(self, world: World, top: int = 20) -> dict[str, Any]:
        names = {"hashtag": lambda k: world.hashtag_names[k], "sound": lambda k: str(world.music_id(k)),
                 "creator": world.username}  # fmt: skip
        learned: dict[str, dict[str, float]] = {}
        for kind in ("hashtag", "sound", "creator"):
            mine = sorted(((a, k) for (c, k), a in self.affinity.items() if c == kind), reverse=True)[:top]
            learned[kind + "s"] = {names[kind](k): round(a, 4) for a, k in mine}
        return {"session": self.key, "region": self.region, "events": self.events, "affinity": learned,
                "served": [str(world.video_id(v)) for v in self.served], "model": MODEL,
                "plays": [{"id": str(world.video_id(v)), "play_ms": ms, "finished": done} for v, ms, done in self.plays]}  # fmt: skip

    def served_features(self, world: World) -> list[dict[str, Any]]:
        """What each served video carries, in the order served: its creator, hashtags and sound, so
        an audit's diversity measures can be checked against the world itself."""
        return [{"id": str(world.video_id(v)), "creator": world.username(int(world.v_author[v])),
                 "hashtags": [world.hashtag_names[h] for h in world.hashtags_of(v)],
                 "sound": str(world.music_id(int(world.v_sound[v])))} for v in self.served]  # fmt: skip


class Visitors:
    """Visitors by their ttwid cookie; the oldest are forgotten past `limit`."""

    def __init__(self, limit: int = 1000) -> None:
        self.limit = limit
        self.by_key: dict[str, Visitor] = {}

    def get(self, key: str | None) -> Visitor | None:
        if not key:
            return None
        if key not in self.by_key:
            self.by_key[key] = Visitor(key)
            while len(self.by_key) > self.limit:
                del self.by_key[next(iter(self.by_key))]
        return self.by_key[key]


VISITORS_KEY = web.AppKey("visitors", Visitors)
routes = web.RouteTableDef()


def visitor_of(request: web.Request) -> Visitor | None:
    return request.app[VISITORS_KEY].get(request.cookies.get("ttwid"))


def world_of(request: web.Request) -> World:
    return state_of(request).world


def status(**data: Any) -> web.Response:
    return web.json_response({"status_code": 0, "status_msg": "", **data})


@routes.post("/api/report/watch/")
async def report_watch(request: web.Request) -> web.Response:
    """The page's play report: {"item_id", "play_ms", "finished"} when the reader moves on."""
    visitor, world = visitor_of(request), world_of(request)
    try:
        report = json.loads(await request.text())
        v = world.video_by_id(str(report["item_id"]))
        play_ms, finished = float(report["play_ms"]), bool(report.get("finished"))
    except (ValueError, KeyError, TypeError):
        return web.json_response({"status_code": 10201, "status_msg": "bad report"}, status=400)
    if visitor is not None and v is not None:
        visitor.watched(world, v, play_ms, finished)
    return status()


@routes.post("/api/commit/item/digg/")
async def like(request: web.Request) -> web.Response:
    """Like (type=1) a video, as the page's heart button does."""
    v = world_of(request).video_by_id(request.query.get("aweme_id", ""))
    if v is None:
        return web.json_response({"status_code": 10204, "status_msg": "video not found"})
    return commit(request, "likes", lambda visitor: visitor.features(world_of(request), v), LIKE, "is_digg")


@routes.post("/api/commit/follow/user/")
async def follow(request: web.Request) -> web.Response:
    """Follow (type=1) a creator, as the page's follow button does."""
    u = world_of(request).user_by_id(request.query.get("user_id", ""))
    if u is None:
        return web.json_response({"status_code": 10221, "status_msg": "user not found"})
    return commit(request, "follows", lambda visitor: [("creator", u)], FOLLOW, "follow_status")


def commit(request: web.Request, event: str, features: Any, weight: float, answer: str) -> web.Response:
    """A like or follow (type=1; type=0 takes it back, which teaches nothing): counted and learned."""
    visitor, done = visitor_of(request), request.query.get("type") == "1"
    if visitor is not None and done:
        visitor.events[event] += 1
        visitor.learn(features(visitor), weight)
    return status(**{answer: int(done)})


@routes.get("/__sim__/truth/personas")
async def all_visitors(request: web.Request) -> web.Response:
    """Every visitor: its session, events and how many videos it was served."""
    return web.json_response(
        [{"session": v.key, "events": v.events, "served": len(v.served)} for v in request.app[VISITORS_KEY].by_key.values()]
    )


@routes.get("/__sim__/truth/persona/{session}")
async def one_visitor(request: web.Request) -> web.Response:
    """What the feed learned of one visitor, what it served and the plays the page reported, in
    order; with ?hashtags=a,b, also whether each served video carries one of them; with
    ?features=1, each served video's creator, hashtags and sound (`served_features`)."""
    visitor = request.app[VISITORS_KEY].by_key.get(request.match_info["session"])
    if visitor is None:
        raise web.HTTPNotFound(text="no such session")
    world = world_of(request)
    out = visitor.describe(world)
    wanted = {world.hashtag_by_name(h) for h in request.query.get("hashtags", "").split(",") if h}
    if wanted:
        out["matching"] = [bool(wanted & set(world.hashtags_of(v))) for v in visitor.served]
    if request.query.get("features") == "1":
        out["served_features"] = visitor.served_features(world)
    return web.json_response(out)
