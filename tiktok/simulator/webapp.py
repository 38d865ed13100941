"""The web side: pages, the internal JSON API the pages call, and the CDN (TIKTOK-FORMATS.md §8).

Status codes for missing content follow what public parsers check (yt-dlp and others): a video page
answers `statusCode` 10204 for a deleted or unknown video and 10222 for a private creator's video; a
profile answers 10221 for an unknown user. No real sample shows these, so they are the parsers'
consensus, not a capture.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import numpy as np
from aiohttp import web

from tiktok.simulator import pages, personal, signing
from tiktok.simulator import vocabulary as vocab
from tiktok.simulator.media import MEDIA_FILES_KEY, MediaSigner, text_jpeg, webvtt
from tiktok.simulator.state import SimState, state_of
from tiktok.simulator.webshapes import WebShapes
from tiktok.simulator.world import DAY, World

STATIC = Path(__file__).parent / "static"
VIDEO_NOT_FOUND, VIDEO_PRIVATE, USER_NOT_FOUND = 10204, 10222, 10221
HASHTAG_CAP = 4000  # the site stops a hashtag's list here, whatever the total (issue #5's "site's cap")
SEARCH_CAP = 500  # search results end here, however many match: a bound like the hashtag cap (the real one is not documented)

routes = web.RouteTableDef()


def shapes_for(request: web.Request) -> WebShapes:
    st = state_of(request)
    return WebShapes(st.world, MediaSigner(st.media_secret, f"{request.scheme}://{request.host}"))


def envelope(st: SimState, **data: Any) -> dict[str, Any]:
    """The 2025 item-list envelope: both statusCode spellings, extra.now in ms, log_pb."""
    log_id = st.log_id()
    return {
        "extra": {"fatal_item_ids": [], "logid": log_id, "now": int(st.clock.now() * 1000)},
        "log_pb": {"impr_id": log_id},
        "statusCode": 0,
        "status_code": 0,
        "status_msg": "",
        **data,
    }


def int_param(request: web.Request, name: str, default: int, low: int = 0, high: int = 10**15) -> int:
    raw = request.query.get(name, "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = default
    return max(low, min(high, value))


def page_response(request: web.Request, text: str) -> web.Response:
    """An HTML page that sets the cookies the web app's API and CDN calls need."""
    st = state_of(request)
    resp = web.Response(text=text, content_type="text/html")
    token = signing.new_ms_token()
    st.ms_tokens[token] = True
    resp.set_cookie("msToken", token, path="/")
    if "tt_chain_token" not in request.cookies:
        resp.set_cookie("tt_chain_token", signing.new_ms_token()[:24], path="/", httponly=True)
    if "ttwid" not in request.cookies:  # the visitor id a personal feed is kept under (personal.py)
        resp.set_cookie("ttwid", signing.new_ms_token()[:32], path="/", httponly=True, max_age=365 * 86400)
    return resp


def captcha_due(request: web.Request) -> bool:
    """A burst of pages from one client (over `captcha_burst` in 10 s) may meet a captcha."""
    st = state_of(request)
    client = request.remote or "?"
    now = time.monotonic()
    recent = [t for t in st.page_times.get(client, []) if now - t < 10] + [now]
    st.page_times[client] = recent
    return len(recent) > st.faults.captcha_burst and st.faults.roll("captcha")


def signed(request: web.Request) -> bool:
    st = state_of(request)
    raw_query = request.raw_path.partition("?")[2]  # as sent: request.query_string is decoded
    ok = signing.signed_ok(raw_query, request.cookies.get("msToken"), st.ms_tokens)
    return ok and not st.faults.roll("empty_body")


def empty() -> web.Response:
    """What the real item lists answer to an unsigned call: 200 and no body at all."""
    return web.Response(status=200, body=b"", content_type="application/json")


def items(request: web.Request, rows: np.ndarray | list[int], t: float, tracking: str = "") -> list[dict[str, Any]]:
    shapes, st = shapes_for(request), state_of(request)
    out = []
    for v in rows:
        item = shapes.item(int(v), t, blob_video=st.faults.roll("blob_video"))
        item["backendSourceEventTracking"] = tracking
        out.append(item)
    return out


# --------------------------------------------------------------------- pages
@routes.get("/")
async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/foryou")


@routes.get("/foryou")
async def foryou_page(request: web.Request) -> web.Response:
    if captcha_due(request):
        return web.Response(text=pages.CAPTCHA_PAGE, content_type="text/html")
    st = state_of(request)
    state = pages.scope("webapp.foryou", {"statusCode": 0}, "US", st.clock.now(), request.headers.get("User-Agent", ""))
    feed = {"endpoint": "/api/recommend/item_list/", "params": {"aid": "1988"}, "count": 8, "cursor": None}
    return page_response(request, pages.page("TikTok - Make Your Day", state, feed=feed))


@routes.get("/tag/{name}")
async def tag_page(request: web.Request) -> web.Response:
    if captcha_due(request):
        return web.Response(text=pages.CAPTCHA_PAGE, content_type="text/html")
    st, shapes = state_of(request), shapes_for(request)
    t = st.clock.now()
    h = st.world.hashtag_by_name(request.match_info["name"])
    if h is None:
        detail: dict[str, Any] = {"statusCode": 10205, "statusMsg": "challenge not found"}
        feed = None
    else:
        detail = {"challengeInfo": shapes.challenge_info(h, t), "statusCode": 0, "statusMsg": ""}
        params = {"aid": "1988", "challengeID": st.world.hashtag_id(h)}
        feed = {"endpoint": "/api/challenge/item_list/", "params": params, "count": 30, "cursor": 0}
    state = pages.scope("webapp.challenge-detail", detail, "US", t, request.headers.get("User-Agent", ""))
    title = f"#{request.match_info['name']} | TikTok"
    return page_response(request, pages.page(title, state, feed=feed))


@routes.get(r"/@{user}")
async def profile_page(request: web.Request) -> web.Response:
    if captcha_due(request):
        return web.Response(text=pages.CAPTCHA_PAGE, content_type="text/html")
    st, shapes = state_of(request), shapes_for(request)
    t = st.clock.now()
    u = st.world.user_by_name(request.match_info["user"])
    feed = None
    if u is None:
        detail: dict[str, Any] = {"userInfo": {}, "shareMeta": {}, "statusCode": USER_NOT_FOUND, "statusMsg": "", "needFix": False}
        title = "TikTok - Make Your Day"
    else:
        stats, stats_v2 = shapes.user_stats(u, t)
        name, nick = st.world.username(u), st.world.nickname(u)
        desc = f"@{name} {stats['followerCount']} Followers, {stats['followingCount']} Following, {stats['heartCount']} Likes"
        detail = {
            "userInfo": {"user": shapes.profile_user(u, t), "stats": stats, "statsV2": stats_v2, "itemList": []},
            "shareMeta": {"title": f"{nick} on TikTok", "desc": desc},
            "statusCode": 0,
            "statusMsg": "",
            "needFix": True,
        }
        title = f"{nick} (@{name}) | TikTok"
        params = {"aid": "1988", "secUid": st.world.sec_uid(u)}
        feed = {"endpoint": "/api/post/item_list/", "params": params, "count": 35, "cursor": 0}
    region = vocab.REGIONS[st.world.u_region[u]] if u is not None else "US"
    state = pages.scope("webapp.user-detail", detail, region, t, request.headers.get("User-Agent", ""))
    return page_response(request, pages.page(title, state, feed=feed))


def video_status(world: World, v: int | None, t: float) -> int:
    if v is None or not world.exists(v, t):
        return VIDEO_NOT_FOUND
    return VIDEO_PRIVATE if world.u_private[world.v_author[v]] else 0


@routes.get(r"/@{user}/video/{vid}")
async def video_page(request: web.Request) -> web.Response:
    if captcha_due(request):
        return web.Response(text=pages.CAPTCHA_PAGE, content_type="text/html")
    st, shapes = state_of(request), shapes_for(request)
    t = st.clock.now()
    v = st.world.video_by_id(request.match_info["vid"])
    status = video_status(st.world, v, t)
    if status or v is None:
        detail: dict[str, Any] = {"itemInfo": {}, "shareMeta": {}, "statusCode": status, "statusMsg": ""}
        title = "TikTok - Make Your Day"
    else:
        item = shapes.item(v, t, page=True, blob_video=st.faults.roll("blob_video"))
        share = {"title": f"{item['author']['nickname']} on TikTok", "desc": item["desc"]}
        detail = {"itemInfo": {"itemStruct": item}, "shareMeta": share, "statusCode": 0, "statusMsg": ""}
        title = f"{item['desc'][:60]} | TikTok"
    state = pages.scope("webapp.video-detail", detail, "US", t, request.headers.get("User-Agent", ""))
    return page_response(request, pages.page(title, state))


@routes.get(r"/music/{slug}")
async def music_page(request: web.Request) -> web.Response:
    if captcha_due(request):
        return web.Response(text=pages.CAPTCHA_PAGE, content_type="text/html")
    st, shapes = state_of(request), shapes_for(request)
    t = st.clock.now()
    s = st.world.sound_by_id(request.match_info["slug"].rsplit("-", 1)[-1])
    feed = None
    if s is None:
        detail: dict[str, Any] = {"statusCode": 10203, "statusMsg": "music not found"}
    else:
        info = {"music": shapes.music(s, t), "stats": {"videoCount": shapes.sound_video_count(s, t)}}
        detail = {"musicInfo": info, "statusCode": 0, "statusMsg": ""}
        params = {"aid": "1988", "musicID": str(st.world.music_id(s))}
        feed = {"endpoint": "/api/music/item_list/", "params": params, "count": 30, "cursor": 0}
    state = pages.scope("webapp.music-detail", detail, "US", t, request.headers.get("User-Agent", ""))
    return page_response(request, pages.page("TikTok - Make Your Day", state, feed=feed))


SEARCH_TABS = {"video": "/api/search/item/full/", "user": "/api/search/user/full/", "": "/api/search/general/full/"}


@routes.get("/search")
@routes.get("/search/{tab}")
async def search_page(request: web.Request) -> web.Response:
    """The search page (/search?q=, and its video and user tabs). Its results are not in the page:
    its script loads them from /api/search/.../full/ with `keyword` and an `offset`, as the one real
    capture of a search call shows (Zeeschuimer's record: /api/search/item/full/?keyword=...&offset=0&count=20)."""
    if captcha_due(request):
        return web.Response(text=pages.CAPTCHA_PAGE, content_type="text/html")
    st = state_of(request)
    tab, keyword = request.match_info.get("tab", ""), request.query.get("q", "")
    if tab not in SEARCH_TABS:
        raise web.HTTPNotFound()
    params = {"aid": "1988", "keyword": keyword, "from_page": "search"}
    feed = {"endpoint": SEARCH_TABS[tab], "params": params, "count": 20, "cursor": 0, "cursorParam": "offset"}
    state = pages.scope("webapp.search", {"keyword": keyword, "statusCode": 0}, "US", st.clock.now(), request.headers.get("User-Agent", ""))
    return page_response(request, pages.page(f"Find '{keyword}' on TikTok | TikTok Search", state, feed=feed if keyword else None))


@routes.get(r"/@{user}/playlist/{slug}")
async def playlist_page(request: web.Request) -> web.Response:
    """A playlist (TikTok's "mix"): /@creator/playlist/<name>-<id>; its script loads /api/mix/item_list/."""
    if captcha_due(request):
        return web.Response(text=pages.CAPTCHA_PAGE, content_type="text/html")
    st, shapes = state_of(request), shapes_for(request)
    t = st.clock.now()
    u = st.world.playlist_owner(request.match_info["slug"].rsplit("-", 1)[-1])
    feed = None
    if u is None:
        detail: dict[str, Any] = {"statusCode": 10204, "statusMsg": "mix not found"}
    else:
        detail = {"mixInfo": shapes.mix_info(u, t), "statusCode": 0, "statusMsg": ""}
        params = {"aid": "1988", "mixId": str(st.world.playlist_id_of(u))}
        feed = {"endpoint": "/api/mix/item_list/", "params": params, "count": 30, "cursor": 0}
    state = pages.scope("webapp.mix-detail", detail, "US", t, request.headers.get("User-Agent", ""))
    return page_response(request, pages.page("TikTok - Make Your Day", state, feed=feed))


@routes.get("/webapp/{name}")
async def static_js(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in ("sign.js", "feed.js"):
        raise web.HTTPNotFound()
    return web.Response(text=(STATIC / name).read_text(), content_type="application/javascript")


# --------------------------------------------------------------------- internal API
def foryou_rows(st: SimState, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate videos and their cumulative weights, recomputed once per simulated hour.

    Weighted by likes gained over the last day, so viral videos surface far more often.
    """
    hour = int(t // 3600)
    if st.foryou_cache is not None and st.foryou_cache[0] == hour:
        return st.foryou_cache[1], st.foryou_cache[2]
    w = st.world
    recent = np.flatnonzero((w.v_create <= t) & (w.v_create > t - 14 * DAY))
    rows = recent[w.public_mask(recent, t)]
    gained = w.counts(rows, t)["likes"] - w.counts(rows, t - DAY)["likes"]
    cum = np.cumsum(gained.astype(np.float64) + 50.0)
    st.foryou_cache = (hour, rows, cum)
    return rows, cum


def popular_picks(st: SimState, session: str, rows: np.ndarray, cum: np.ndarray, count: int) -> list[int]:
    """The popularity feed (a new visitor's cold start): popular videos first (weighted draws),
    then unseen ones at random, so the feed never runs dry; a seen one comes back 5 % of the time."""
    seen: set[int] = st.feed_sessions.get(session) or set()
    rng = st.feed_rng
    assert rng is not None
    picks: list[int] = []
    draws = rows[np.searchsorted(cum, rng.uniform(0, cum[-1], count * 6))] if len(rows) else rows
    for v in [int(r) for r in draws] + [int(r) for r in rng.permutation(rows)]:
        if (v not in seen or rng.random() < 0.05) and v not in picks:
            picks.append(v)
        if len(picks) == count:
            break
    seen.update(picks)
    st.feed_sessions[session] = seen
    return picks


@routes.get("/api/recommend/item_list/")
async def recommend(request: web.Request) -> web.Response:
    """The For-You list: the popularity feed, or the visitor's own once it reported something
    (personal.py). The page sends its language and time zone, as TikTok's own item-list calls do."""
    if not signed(request):
        return empty()
    st = state_of(request)
    t = st.clock.now()
    count = int_param(request, "count", 8, 1, 30)
    rows, cum = foryou_rows(st, t)
    visitor = personal.visitor_of(request)
    if visitor is not None and visitor.region is None:
        visitor.region = personal.region_of(request.query.get("browser_language", ""), request.query.get("tz_name", ""))
    if visitor is not None and visitor.learned() and st.personal_feed:
        assert st.feed_rng is not None
        picks = visitor.picks(st.world, rows, cum, count, st.feed_rng)
    else:
        picks = popular_picks(st, "feed:" + request.cookies.get("msToken", ""), rows, cum, count)
    if visitor is not None:
        visitor.served.extend(picks)
    body = envelope(st, hasMore=True, itemList=items(request, picks, t, "fyp"), liveCardDisplay=2)
    return web.json_response(body)


def list_page(request: web.Request, rows: np.ndarray, t: float, tracking: str) -> web.Response:
    """An index-cursor item list (challenge and music lists), stopping at the site's cap."""
    st = state_of(request)
    cursor = int_param(request, "cursor", 0)
    count = int_param(request, "count", 30, 1, 35)
    rows = rows[st.world.public_mask(rows, t)][:HASHTAG_CAP]
    page_rows = rows[cursor : cursor + count]
    nxt = cursor + len(page_rows)
    data: dict[str, Any] = {"cursor": str(nxt), "hasMore": bool(nxt < len(rows))}
    if len(page_rows):
        data["itemList"] = items(request, page_rows, t, tracking)
    return web.json_response(envelope(st, **data))


@routes.get("/api/challenge/detail/")
async def challenge_detail(request: web.Request) -> web.Response:
    st = state_of(request)
    w = st.world
    name, cid = request.query.get("challengeName"), request.query.get("challengeId")
    h = w.hashtag_by_name(name) if name else w.hashtag_by_id(cid) if cid else None
    if h is None:
        body = envelope(st, statusCode=10205, status_code=10205, status_msg="challenge not found")
        return web.json_response(body)
    return web.json_response(envelope(st, challengeInfo=shapes_for(request).challenge_info(h, st.clock.now())))


@routes.get("/api/challenge/item_list/")
async def challenge_items(request: web.Request) -> web.Response:
    if not signed(request):
        return empty()
    st = state_of(request)
    h = st.world.hashtag_by_id(request.query.get("challengeID", ""))
    if h is None:
        return web.json_response(envelope(st, cursor="0", hasMore=False))
    return list_page(request, st.world.hashtag_rows(h), st.clock.now(), "challenge")


@routes.get("/api/music/item_list/")
async def music_items(request: web.Request) -> web.Response:
    if not signed(request):
        return empty()
    st = state_of(request)
    s = st.world.sound_by_id(request.query.get("musicID", ""))
    if s is None:
        return web.json_response(envelope(st, cursor="0", hasMore=False))
    return list_page(request, st.world.sound_rows(s), st.clock.now(), "music")


@routes.get("/api/post/item_list/")
async def post_items(request: web.Request) -> web.Response:
    """A creator's videos, newest first; `cursor` is a creation time in ms, as on the real site."""
    if not signed(request):
        return empty()
    st = state_of(request)
    w, t = st.world, st.clock.now()
    u = w.user_by_sec_uid(request.query.get("secUid", ""))
    if u is None or w.u_private[u]:
        return web.json_response(envelope(st, cursor="0", hasMore=False))
    cursor = int_param(request, "cursor", 0)
    count = int_param(request, "count", 35, 1, 35)
    rows = w.user_videos(u)
    rows = rows[w.public_mask(rows, t)]
    if cursor:
        rows = rows[w.v_create[rows] * 1000 < cursor]
    page_rows = rows[:count]
    data: dict[str, Any] = {
        "cursor": str(int(w.v_create[page_rows[-1]]) * 1000) if len(page_rows) else "0",
        "hasMore": bool(len(rows) > count),
    }
    if len(page_rows):
        data["itemList"] = items(request, page_rows, t, "")
    return web.json_response(envelope(st, **data))


def search_rows(request: web.Request, t: float) -> np.ndarray:
    w = state_of(request).world
    rows = w.search_rows(request.query.get("keyword", ""))
    found: np.ndarray = rows[w.public_mask(rows, t)][:SEARCH_CAP]
    return found


def search_envelope(st: SimState, offset: int, shown: int, total: int, **data: Any) -> dict[str, Any]:
    """The search answers' app-style envelope (TIKTOK-FORMATS.md §8.4): snake_case, `has_more`
    an int 0/1, `cursor` the next offset as a number."""
    log_id = st.log_id()
    return {
        "status_code": 0,
        "cursor": offset + shown,
        "has_more": int(offset + shown < total),
        "extra": {"fatal_item_ids": [], "logid": log_id, "now": int(st.clock.now() * 1000), "search_request_id": ""},
        "log_pb": {"impr_id": log_id},
        "backtrace": "",
        **data,
    }


def offset_and_count(request: web.Request, default: int) -> tuple[int, int]:
    """The page sends `offset` (the real capture); TikTok-Api sends `cursor`: both are read."""
    offset = int_param(request, "offset", int_param(request, "cursor", 0))
    return offset, int_param(request, "count", default, 1, 30)


@routes.get("/api/search/item/full/")
async def search_items(request: web.Request) -> web.Response:
    """The video tab's answer: `item_list` of item structs (the key Zeeschuimer reads)."""
    if not signed(request):
        return empty()
    st = state_of(request)
    t = st.clock.now()
    rows = search_rows(request, t)
    offset, count = offset_and_count(request, 20)
    page_rows = rows[offset : offset + count]
    data = {"item_list": items(request, page_rows, t, "search")} if len(page_rows) else {}
    return web.json_response(search_envelope(st, offset, len(page_rows), len(rows), **data))


@routes.get("/api/search/general/full/")
async def search_general(request: web.Request) -> web.Response:
    """The top tab's answer: `data` entries, `type` 1 with an `item` (§8.4, the general/full sample)."""
    if not signed(request):
        return empty()
    st = state_of(request)
    t = st.clock.now()
    rows = search_rows(request, t)
    offset, count = offset_and_count(request, 12)
    page_rows = rows[offset : offset + count]
    entries = [{"type": 1, "item": item, "common": {"doc_id_str": item["id"]}} for item in items(request, page_rows, t, "search")]
    return web.json_response(search_envelope(st, offset, len(page_rows), len(rows), data=entries))


@routes.get("/api/search/user/full/")
async def search_users(request: web.Request) -> web.Response:
    """The user tab's answer: `user_list` of `{user_info}` in the app's snake_case (TikTok-Api reads
    `user_info.sec_uid` and `unique_id` from it)."""
    if not signed(request):
        return empty()
    st, shapes = state_of(request), shapes_for(request)
    t = st.clock.now()
    found = st.world.search_users(request.query.get("keyword", ""))[:SEARCH_CAP]
    offset, count = offset_and_count(request, 10)
    page = found[offset : offset + count]
    data = {"user_list": [shapes.search_user(u, t) for u in page]} if page else {}
    return web.json_response(search_envelope(st, offset, len(page), len(found), **data))


@routes.get("/api/mix/detail/")
async def mix_detail(request: web.Request) -> web.Response:
    """A playlist's details: `mixInfo` {id, name, videoCount, creator, cover}, the keys TikTok-Api reads."""
    st = state_of(request)
    u = st.world.playlist_owner(request.query.get("mixId", ""))
    if u is None:
        return web.json_response(envelope(st, statusCode=10204, status_code=10204, status_msg="mix not found"))
    return web.json_response(envelope(st, mixInfo=shapes_for(request).mix_info(u, st.clock.now())))


@routes.get("/api/mix/item_list/")
async def mix_items(request: web.Request) -> web.Response:
    """A playlist's videos: `itemList`, `hasMore` and an index `cursor`, as TikTok-Api pages them."""
    if not signed(request):
        return empty()
    st = state_of(request)
    u = st.world.playlist_owner(request.query.get("mixId", ""))
    if u is None:
        return web.json_response(envelope(st, cursor="0", hasMore=False))
    return list_page(request, st.world.playlist_rows(u), st.clock.now(), "mix")


@routes.get("/api/item/detail/")
async def item_detail(request: web.Request) -> web.Response:
    st, shapes = state_of(request), shapes_for(request)
    t = st.clock.now()
    v = st.world.video_by_id(request.query.get("itemId", ""))
    status = video_status(st.world, v, t)
    if status or v is None:
        return web.json_response(envelope(st, statusCode=status, status_code=status, status_msg=""))
    item = shapes.item(v, t, blob_video=st.faults.roll("blob_video"))
    share = {"title": f"{item['author']['nickname']} on TikTok", "desc": item["desc"]}
    return web.json_response(envelope(st, itemInfo={"itemStruct": item}, shareMeta=share))


@routes.get("/api/user/detail/")
async def user_detail(request: web.Request) -> web.Response:
    st, shapes = state_of(request), shapes_for(request)
    w, t = st.world, st.clock.now()
    name, sec = request.query.get("uniqueId"), request.query.get("secUid")
    u = w.user_by_name(name) if name else w.user_by_sec_uid(sec) if sec else None
    if u is None:
        return web.json_response(envelope(st, userInfo={}, statusCode=USER_NOT_FOUND, status_code=USER_NOT_FOUND))
    stats, stats_v2 = shapes.user_stats(u, t)
    info = {"user": shapes.profile_user(u, t), "stats": stats, "statsV2": stats_v2}
    return web.json_response(envelope(st, userInfo=info, shareMeta={"title": f"{w.nickname(u)} on TikTok", "desc": ""}))


def comment_envelope(st: SimState, comments: list[dict[str, Any]], cursor: int, has_more: bool, total: int) -> dict[str, Any]:
    """The app-style comment envelope (§8.4): has_more is 0/1, `comments` is null when empty.

    The samples all have comments; null for none is what TikTok-Api's users met on the real site
    (davidteather/TikTok-Api#1058: "'NoneType' object is not iterable" from `video.comments()`)."""
    log_id = st.log_id()
    return {
        "alias_comment_deleted": False,
        "comments": comments or None,
        "cursor": cursor,
        "extra": {"fatal_item_ids": None, "now": int(st.clock.now() * 1000)},
        "has_more": int(has_more),
        "log_pb": {"impr_id": log_id},
        "reply_style": 2,
        "status_code": 0,
        "status_msg": "",
        "top_gifts": [],
        "total": total,
    }


def comment_times(st: SimState, v: int, ks: np.ndarray, t: float) -> list[int]:
    """World.comment_times, remembered: a comment's time does not depend on t (an exact bisection
    of about 25 steps over the counts), and each reply page asks for its parent's again. Under four
    crawl workers reading every comment, the bisection was the simulator's top cost
    (bench/simulator_throughput.py, BENCH_SIM_PROFILE)."""
    known = st.comment_times
    missing = [k for k in ks.tolist() if f"{v}:{k}" not in known]
    if missing:
        for k, created in zip(missing, st.world.comment_times(v, np.array(missing), t).tolist(), strict=True):
            known[f"{v}:{k}"] = int(created)
    return [known[f"{v}:{k}"] for k in ks.tolist()]


@routes.get("/api/comment/list/")
async def comment_list(request: web.Request) -> web.Response:
    st, shapes = state_of(request), shapes_for(request)
    w, t = st.world, st.clock.now()
    v = w.video_by_id(request.query.get("aweme_id", ""))
    if v is None or not w.public(v, t):
        return web.json_response(comment_envelope(st, [], 0, False, 0))
    counts = w.video_counts(v, t)
    cursor = int_param(request, "cursor", 0)
    count = int_param(request, "count", 20, 1, 50)
    ks = np.arange(cursor, min(cursor + count, counts["top_comments"]))
    comments = []
    for k, created in zip(ks.tolist(), comment_times(st, v, ks, t), strict=True):
        c = shapes.comment(v, k, 0, created, t)
        if w.replies_of(v, k):
            c["reply_comment"] = [shapes.comment(v, k, 1, created + 1, t)]
        comments.append(c)
    nxt = cursor + len(ks)
    return web.json_response(comment_envelope(st, comments, nxt, nxt < counts["top_comments"], counts["comments"]))


@routes.get("/api/comment/list/reply/")
async def comment_replies(request: web.Request) -> web.Response:
    st, shapes = state_of(request), shapes_for(request)
    w, t = st.world, st.clock.now()
    found = w.comment_by_id(request.query.get("comment_id", ""))
    if found is None or found[2] != 0 or not w.public(found[0], t):
        return web.json_response(comment_envelope(st, [], 0, False, 0))
    v, k, _ = found
    if k >= w.video_counts(v, t)["top_comments"]:
        return web.json_response(comment_envelope(st, [], 0, False, 0))
    total = w.replies_of(v, k)
    cursor = int_param(request, "cursor", 0)
    count = int_param(request, "count", 3, 1, 50)
    parent_time = comment_times(st, v, np.array([k]), t)[0]
    replies = [shapes.comment(v, k, r + 1, parent_time + r + 1, t) for r in range(cursor, min(total, cursor + count))]
    nxt = cursor + len(replies)
    return web.json_response(comment_envelope(st, replies, nxt, nxt < total, total))


# --------------------------------------------------------------------- CDN
@routes.get("/media/{kind}/{name}")
async def media(request: web.Request) -> web.StreamResponse:
    st = state_of(request)
    kind, name = request.match_info["kind"], request.match_info["name"]
    signer = MediaSigner(st.media_secret, f"{request.scheme}://{request.host}")
    now = st.clock.now()
    refusal = signer.refusal(kind, name, request.query.get("x-expires", ""), request.query.get("x-signature", ""), now)
    if refusal is None and not request.headers.get("Referer"):
        refusal = "no referer"
    if refusal is None and kind == "video" and "tt_chain_token" not in request.cookies:
        refusal = "no tt_chain_token cookie"
    if refusal is None and st.faults.roll("media_forbidden"):
        refusal = "refused (fault)"
    if refusal:
        return web.Response(status=403, text=f"403 Forbidden: {refusal}")
    if st.faults.roll("media_hang"):
        await asyncio.sleep(st.faults.hang_seconds)
    stem = name.split(".", 1)[0]
    w = st.world
    if kind in ("cover", "image"):
        v = w.video_by_id(stem.split("-", 1)[0])
        if v is None:
            raise web.HTTPNotFound()
        data = text_jpeg(w.cover_text(v), v)
        if st.faults.roll("corrupt_cover"):
            data = data[: len(data) // 3] + b"\x00garbage"
        return web.Response(body=data, content_type="image/jpeg")
    if kind == "avatar":
        return web.Response(body=text_jpeg("", int(stem) if stem.isdigit() else 0, 100, 100), content_type="image/jpeg")
    if kind == "caption":
        v = w.video_by_id(stem)
        if v is None or not w.v_captions[v]:
            raise web.HTTPNotFound()
        return web.Response(text=webvtt(w.caption_text(v)), content_type="text/vtt")
    if kind in ("video", "music"):
        files = request.app[MEDIA_FILES_KEY]
        if not files.available():
            return web.Response(status=503, text="ffmpeg is not installed: the simulator cannot make media files")
        key = w.video_by_id(stem) if kind == "video" else w.sound_by_id(stem)
        if key is None:
            raise web.HTTPNotFound()
        make, seconds = (files.video, w.v_duration[key]) if kind == "video" else (files.sound, w.s_duration[key])
        path = await asyncio.get_running_loop().run_in_executor(None, make, key, int(seconds))
        return web.FileResponse(path, headers={"Content-Type": "video/mp4" if kind == "video" else "audio/mpeg"})
    raise web.HTTPNotFound()
