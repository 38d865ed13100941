"""Truth and control under /__sim__/: what a correct collector must find, and the knobs tests turn.

Truth answers from the world directly (never through the web or API shapes), so a test can compare
what a crawl collected with what exists: a hashtag's public videos, a research query's result set,
a user's followers and following, a video's comments and replies, each cover's text, each
caption's words, which videos, sounds and creators are viral.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from aiohttp import web

from tiktok.simulator.research import body_of, handles_bad_requests
from tiktok.simulator.research_query import check_query, parse_date, run_query
from tiktok.simulator.state import state_of
from tiktok.simulator.webapp import HASHTAG_CAP, SEARCH_CAP
from tiktok.simulator.world import World

routes = web.RouteTableDef()


async def json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        raise web.HTTPBadRequest(text="body must be JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    return body


@routes.get("/__sim__/")
async def index(request: web.Request) -> web.Response:
    st = state_of(request)
    w = st.world
    return web.json_response(
        {
            "seed": w.seed,
            "world": w.size_name,
            "now": st.clock.now(),
            "users": w.size.users,
            "videos": w.size.videos,
            "hashtags": w.size.hashtags,
            "sounds": w.size.sounds,
            "follow_edges": len(w.e_src),
            "endpoints": sorted({r.resource.canonical for r in request.app.router.routes() if r.resource}),
        }
    )


# --------------------------------------------------------------------- control
@routes.get("/__sim__/clock")
async def clock(request: web.Request) -> web.Response:
    st = state_of(request)
    return web.json_response({"now": st.clock.now(), "speed": st.clock.speed})


@routes.post("/__sim__/clock")
async def set_clock(request: web.Request) -> web.Response:
    """{"advance": seconds} | {"set": unix time} | {"speed": factor}."""
    st = state_of(request)
    body = await json_body(request)
    try:
        if "advance" in body:
            st.clock.advance(float(body["advance"]))
        if "set" in body:
            st.clock.set(float(body["set"]))
        if "speed" in body:
            st.clock.set_speed(float(body["speed"]))
    except (TypeError, ValueError):
        raise web.HTTPBadRequest(text="advance, set and speed take numbers") from None
    return web.json_response({"now": st.clock.now(), "speed": st.clock.speed})


@routes.get("/__sim__/quota")
async def quota(request: web.Request) -> web.Response:
    st = state_of(request)
    return web.json_response(st.quota.describe(st.clock.now()))


@routes.post("/__sim__/quota")
async def set_quota(request: web.Request) -> web.Response:
    """Set limits, e.g. {"research_requests": 50}; {"reset": true} clears today's usage."""
    st = state_of(request)
    body = await json_body(request)
    if body.pop("reset", False):
        st.quota.reset()
    for key, value in body.items():
        if not hasattr(st.quota.limits, key):
            raise web.HTTPBadRequest(text=f"unknown quota limit {key}")
        setattr(st.quota.limits, key, int(value))
    return web.json_response(st.quota.describe(st.clock.now()))


@routes.get("/__sim__/faults")
async def faults(request: web.Request) -> web.Response:
    return web.json_response(state_of(request).faults.describe())


@routes.post("/__sim__/faults")
async def set_faults(request: web.Request) -> web.Response:
    """{"preset": "flaky"} and/or {kind: rate}; see GET for the kinds."""
    st = state_of(request)
    try:
        st.faults.update(await json_body(request))
    except (TypeError, ValueError) as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    return web.json_response(st.faults.describe())


@routes.get("/__sim__/counters")
async def counters(request: web.Request) -> web.Response:
    return web.json_response(dict(state_of(request).served))


@routes.post("/__sim__/counters/reset")
async def reset_counters(request: web.Request) -> web.Response:
    state_of(request).served.clear()
    return web.json_response({})


# --------------------------------------------------------------------- truth
def ids(w: World, rows: np.ndarray | list[int]) -> list[str]:
    return [str(w.video_id(int(v))) for v in rows]


@routes.get("/__sim__/truth/viral")
async def viral(request: web.Request) -> web.Response:
    w = state_of(request).world
    creators = sorted({w.username(int(w.v_author[v])) for v in w.viral_videos})
    return web.json_response(
        {
            "videos": [
                {"id": str(w.video_id(int(v))), "viral_start": int(w.v_viral_start[v]), "author": w.username(int(w.v_author[v]))}
                for v in w.viral_videos
            ],
            "sounds": [{"id": str(w.music_id(int(s))), "viral_start": int(w.s_viral_start[s])} for s in w.viral_sounds],
            "creators": creators,
        }
    )


@routes.get("/__sim__/truth/hashtag/{name}")
async def hashtag(request: web.Request) -> web.Response:
    """A hashtag's public videos now, newest first; `reachable` is what the site lists (its cap)."""
    st = state_of(request)
    w, t = st.world, st.clock.now()
    h = w.hashtag_by_name(request.match_info["name"])
    if h is None:
        raise web.HTTPNotFound(text="no such hashtag")
    rows = w.hashtag_rows(h)
    rows = rows[w.public_mask(rows, t)]
    return web.json_response(
        {"id": w.hashtag_id(h), "name": w.hashtag_names[h], "video_ids": ids(w, rows), "reachable": ids(w, rows[:HASHTAG_CAP])}
    )


@routes.get("/__sim__/truth/sound/{id}")
async def sound(request: web.Request) -> web.Response:
    st = state_of(request)
    w, t = st.world, st.clock.now()
    s = w.sound_by_id(request.match_info["id"])
    if s is None:
        raise web.HTTPNotFound(text="no such sound")
    rows = w.sound_rows(s)
    return web.json_response(
        {
            "id": str(w.music_id(s)),
            "title": w.sound_title(s),
            "viral": s in set(w.viral_sounds.tolist()),
            "video_ids": ids(w, rows[w.public_mask(rows, t)]),
        }
    )


@routes.get("/__sim__/truth/search/{keyword}")
async def search(request: web.Request) -> web.Response:
    """What a keyword search lists now: public videos in its order, and the users it finds."""
    st = state_of(request)
    w, t = st.world, st.clock.now()
    rows = w.search_rows(request.match_info["keyword"])
    rows = rows[w.public_mask(rows, t)][:SEARCH_CAP]
    found = w.search_users(request.match_info["keyword"])[:SEARCH_CAP]
    return web.json_response({"video_ids": ids(w, rows), "usernames": [w.username(u) for u in found]})


@routes.get("/__sim__/truth/playlist/{id}")
async def playlist(request: web.Request) -> web.Response:
    """A playlist's public videos now, in its order."""
    st = state_of(request)
    w, t = st.world, st.clock.now()
    u = w.playlist_owner(request.match_info["id"])
    if u is None:
        raise web.HTTPNotFound(text="no such playlist")
    rows = w.playlist_rows(u)
    return web.json_response(
        {
            "id": str(w.playlist_id_of(u)),
            "name": w.playlist_name(u),
            "author": w.username(u),
            "video_ids": ids(w, rows[w.public_mask(rows, t)]),
        }
    )


@routes.get("/__sim__/truth/playlists")
async def playlists(request: web.Request) -> web.Response:
    """Every playlist id, with its creator and its number of public videos now."""
    st = state_of(request)
    w, t = st.world, st.clock.now()
    owners = [u for u in range(w.size.users) if w.playlist_owner(w.playlist_id_of(u)) is not None]
    return web.json_response(
        [
            {"id": str(w.playlist_id_of(u)), "author": w.username(u), "public_videos": int(w.public_mask(w.playlist_rows(u), t).sum())}
            for u in owners
        ]
    )


@routes.get("/__sim__/truth/users")
async def users(request: web.Request) -> web.Response:
    w = state_of(request).world
    limit = min(w.size.users, 1000)
    return web.json_response(
        [
            {"username": w.username(u), "private": bool(w.u_private[u]), "refused": bool(w.u_refused[u]), "verified": bool(w.u_verified[u])}
            for u in range(limit)
        ]
    )


@routes.get("/__sim__/truth/user/{name}")
async def user(request: web.Request) -> web.Response:
    st = state_of(request)
    w, t = st.world, st.clock.now()
    u = w.user_by_name(request.match_info["name"])
    if u is None:
        raise web.HTTPNotFound(text="no such user")
    rows = w.user_videos(u)

    def people(direction: str) -> list[str]:
        other = w.e_dst if direction == "following" else w.e_src
        return [w.username(int(o)) for o in other[w.follow_edges(u, direction, t)]]

    stats = w.user_stats(u, t)
    return web.json_response(
        {
            "username": w.username(u),
            "user_id": str(w.user_id(u)),
            "sec_uid": w.sec_uid(u),
            "private": bool(w.u_private[u]),
            "refused": bool(w.u_refused[u]),
            "verified": bool(w.u_verified[u]),
            "stats": stats,
            "likes_wrapped": stats["likes"] >= 2**31,
            "video_ids": ids(w, rows[w.public_mask(rows, t)]),
            "followers": people("followers"),
            "following": people("following"),
            "public_followers": [p for p in people("followers") if not w.u_private[w.user_by_name(p) or 0]],
            "public_following": [p for p in people("following") if not w.u_private[w.user_by_name(p) or 0]],
        }
    )


@routes.get("/__sim__/truth/video/{id}")
async def video(request: web.Request) -> web.Response:
    st = state_of(request)
    w, t = st.world, st.clock.now()
    v = w.video_by_id(request.match_info["id"])
    if v is None:
        raise web.HTTPNotFound(text="no such video")
    return web.json_response(
        {
            "id": str(w.video_id(v)),
            "author": w.username(int(w.v_author[v])),
            "create_time": int(w.v_create[v]),
            "duration": int(w.v_duration[v]),
            "exists": w.exists(v, t),
            "public": w.public(v, t),
            "deleted_at": int(w.v_deleted_at[v]) or None,
            "counts": w.video_counts(v, t),
            "description": w.description(v),
            "hashtags": [w.hashtag_names[h] for h in w.hashtags_of(v)],
            "music_id": str(w.music_id(int(w.v_sound[v]))),
            "cover_text": w.cover_text(v),
            "caption_words": w.caption_text(v).split() if w.v_captions[v] else [],
            "photo_mode": bool(w.v_photo[v]),
            "images": int(w.v_images[v]),
            "is_ad": bool(w.v_ad[v]),
            "viral": bool(w.v_viral_start[v]),
            "viral_start": int(w.v_viral_start[v]) or None,
        }
    )


@routes.get("/__sim__/truth/video/{id}/comments")
async def comments(request: web.Request) -> web.Response:
    """Every visible comment and reply: id, parent (the video id for top-level ones), text."""
    st = state_of(request)
    w, t = st.world, st.clock.now()
    v = w.video_by_id(request.match_info["id"])
    if v is None:
        raise web.HTTPNotFound(text="no such video")
    out = []
    vid = str(w.video_id(v))
    for k in range(w.video_counts(v, t)["top_comments"] if w.public(v, t) else 0):
        cid = str(w.comment_id(v, k))
        out.append({"id": cid, "parent_comment_id": vid, "text": w.comment_text(v, k)})
        for r in range(1, w.replies_of(v, k) + 1):
            out.append({"id": str(w.comment_id(v, k, r)), "parent_comment_id": cid, "text": w.comment_text(v, k, r)})
    return web.json_response(out)


@routes.post("/__sim__/truth/research/video_query")
@handles_bad_requests
async def research_video_query(request: web.Request) -> web.Response:
    """The full result set of a query over any date range (no 30-day rule): ids, newest first."""
    st = state_of(request)
    body = await body_of(request)
    check_query(body.get("query"))
    start, end = parse_date(body.get("start_date"), "start_date"), parse_date(body.get("end_date"), "end_date")
    rows = run_query(st.world, body["query"], start, end, st.clock.now())
    return web.json_response({"video_ids": ids(st.world, rows)})
