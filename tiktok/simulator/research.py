"""The Research API (TIKTOK-FORMATS.md §1-§7): OAuth client tokens and every research endpoint.

Bodies follow the contract: the {"data", "error"} envelope with `code: "ok"`, int64 ids as bare
JSON numbers, requested fields without a value omitted as the real samples show (see `select`),
index cursors with a `search_id` for video queries, timestamp cursors for followers/following/liked
videos. A JSON null for an optional body field means "not given" (issue 12: the
CybersecurityForDemocracy client's first page sends `"cursor": null, "search_id": null`, and its
real captures show the API accepts it). The gate in front of every research endpoint checks the
bearer token (401 access_token_invalid) and the daily quota (429
daily_quota_limit_exceeded) and charges the request, before faults are injected, so a fault's 500
costs quota as the real one does (§4).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
from aiohttp import web

from tiktok.simulator import vocabulary as vocab
from tiktok.simulator.research_query import QueryError, check_query, parse_date, run_query
from tiktok.simulator.state import SimState, state_of
from tiktok.simulator.world import DAY, PLAYLIST_ID_BASE, World, entity_random

routes = web.RouteTableDef()

VIDEO_FIELDS = (
    "id", "video_description", "create_time", "region_code", "share_count", "view_count", "like_count",
    "comment_count", "music_id", "hashtag_names", "username", "effect_ids", "playlist_id", "voice_to_text",
    "is_stem_verified", "favorites_count", "video_duration", "hashtag_info_list", "sticker_info_list",
    "effect_info_list", "video_mention_list", "video_label", "video_tag",
)  # fmt: skip
# The liked/pinned/reposted pages spell it "favourites_count" (§3.5); accept both spellings.
FIELD_ALIASES = {"favourites_count": "favorites_count"}
USER_FIELDS = (
    "display_name", "bio_description", "avatar_url", "is_verified", "follower_count", "following_count",
    "likes_count", "video_count", "bio_url",
)  # fmt: skip
COMMENT_FIELDS = ("id", "video_id", "text", "like_count", "reply_count", "parent_comment_id", "create_time")
KEEP_WHEN_EMPTY = {"hashtag_names"}  # the real sample keeps `hashtag_names: []`, omits other empty lists
MAX_COMMENTS = 1000  # the API's cap per video (§3.3)
FAMILY = {"followers": "follow", "following": "follow"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error(st: SimState, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"error": {"code": code, "message": message, "log_id": st.log_id()}}
    return web.json_response(body, status=status, headers=headers)


def ok(st: SimState, data: dict[str, Any]) -> web.Response:
    body = {"data": data, "error": {"code": "ok", "message": "", "log_id": st.log_id()}}
    return web.Response(text=json.dumps(body, ensure_ascii=False), content_type="application/json")


class BadRequest(Exception):
    """A request the API refuses with 400 invalid_params and this message."""


# --------------------------------------------------------------------- OAuth
@routes.post("/v2/oauth/token/")
async def token(request: web.Request) -> web.Response:
    st = state_of(request)
    form = await request.post()
    key, secret, grant = form.get("client_key"), form.get("client_secret"), form.get("grant_type")

    def oauth_error(status: int, code: str, description: str) -> web.Response:
        body = {"error": code, "error_description": description, "log_id": st.log_id()}
        return web.json_response(body, status=status)

    if not key:
        return oauth_error(400, "invalid_request", "Client key is missed in request.")
    if not secret:
        return oauth_error(400, "invalid_request", "Client secret is missed in request.")
    if grant != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "Grant type is not supported.")
    if not (secrets.compare_digest(str(key), st.client_key) and secrets.compare_digest(str(secret), st.client_secret)):
        return oauth_error(401, "invalid_client", "Client key or secret is invalid.")
    access = "clt." + secrets.token_urlsafe(30)
    st.tokens[access] = st.clock.now() + st.token_ttl
    return web.json_response({"access_token": access, "expires_in": st.token_ttl, "token_type": "Bearer"})


@web.middleware
async def research_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Token, then quota, then charge one request: for every /v2/research/ endpoint."""
    if not request.path.startswith("/v2/research/"):
        return await handler(request)
    st = state_of(request)
    now = st.clock.now()
    auth = request.headers.get("Authorization", "")
    expiry = st.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
    if expiry is None or expiry <= now:
        return error(st, 401, "access_token_invalid", "Access token is invalid, please refresh token and retry")
    family = FAMILY.get(request.path.rstrip("/").rsplit("/", 1)[-1], "research")
    if st.quota.exhausted(family, now):
        reset = (int(now // DAY) + 1) * DAY
        return error(st, 429, "daily_quota_limit_exceeded", f"Daily quota exceeded; it resets at 00:00 UTC ({reset}).")
    st.quota.charge(family, now, requests=1)
    return await handler(request)


async def body_of(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError:
        raise BadRequest("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    return {k: v for k, v in body.items() if v is not None}  # null means "not given" (module docstring)


def requested_fields(request: web.Request, allowed: tuple[str, ...]) -> list[str]:
    raw = request.query.get("fields", "")
    fields = [FIELD_ALIASES.get(f.strip(), f.strip()) for f in raw.split(",") if f.strip()]
    if not fields:
        raise BadRequest("fields is required")
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise BadRequest(f"Invalid fields: {', '.join(unknown)}")
    return fields


def int_field(body: dict[str, Any], name: str, default: int, low: int = 0, high: int | None = None) -> int:
    value = body.get(name, default)
    try:
        number = int(value)  # the docs' own example sends max_count as a string
    except (TypeError, ValueError):
        raise BadRequest("Invalid count or cursor") from None
    if number < low or (high is not None and number > high):
        raise BadRequest(f"{name} must be between {low} and {high}" if high else "Invalid count or cursor")
    return number


def select(record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The requested fields that have a value, as the real samples keep them (TIKTOK-FORMATS.md §7).

    Missing values (None) and empty lists are omitted (`effect_ids` on 26 of 27 real videos,
    `playlist_id` and `voice_to_text` on all), except `hashtag_names: []`, which is kept. Strings
    stay even when empty: the real comment sample keeps `"text": ""`, and no sample shows an empty
    string omitted (user info's `bio_description` and `bio_url` stay `""`).
    """
    return {f: record[f] for f in fields if f in record and record[f] is not None and (record[f] != [] or f in KEEP_WHEN_EMPTY)}


def handles_bad_requests(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except (BadRequest, QueryError) as exc:
            return error(state_of(request), 400, "invalid_params", str(exc))

    return wrapped


# --------------------------------------------------------------------- records
def video_records(w: World, rows: list[int], t: float, fields: list[str]) -> list[dict[str, Any]]:
    """The requested fields of several videos; counts come from one vectorised pass."""
    return [select(video_record(w, v, c), fields) for v, c in zip(rows, w.video_counts_many(rows, t), strict=True)]


def video_record(w: World, v: int, c: dict[str, int]) -> dict[str, Any]:
    tags = w.hashtags_of(v)
    effect = int(w.v_effect[v])
    sticker = int(w.v_sticker[v])
    mention = int(w.v_mention[v])
    return {
        "id": w.video_id(v),
        "video_description": w.description(v),
        "create_time": int(w.v_create[v]),
        "region_code": vocab.REGIONS[w.v_region[v]],
        "share_count": c["shares"],
        "view_count": c["views"],
        # The one real video with no likes lacks like_count, while its zero shares, views and
        # comments are kept [S:api_videos_response_page_1_of_2.json].
        "like_count": c["likes"] or None,
        "comment_count": c["comments"],
        "music_id": w.music_id(int(w.v_sound[v])),
        "hashtag_names": [w.hashtag_names[h] for h in tags],
        "username": w.username(int(w.v_author[v])),
        "effect_ids": [w.effect_id(effect)] if effect >= 0 else [],
        "playlist_id": w.playlist_id(v),
        "voice_to_text": w.caption_text(v) if w.v_captions[v] else None,
        "is_stem_verified": False,
        "favorites_count": c["collects"],
        "video_duration": int(w.v_duration[v]),
        "hashtag_info_list": [
            {"hashtag_id": int(w.hashtag_id(h)), "hashtag_name": w.hashtag_names[h], "hashtag_description": ""} for h in tags
        ],
        "sticker_info_list": [{"sticker_id": 1000 + sticker, "sticker_name": vocab.STICKER_NAMES[sticker]}] if sticker >= 0 else [],
        "effect_info_list": [{"effect_id": w.effect_id(effect), "effect_name": vocab.EFFECT_NAMES[effect]}] if effect >= 0 else [],
        "video_mention_list": [w.username(mention)] if mention >= 0 else [],
        "video_label": None,
        "video_tag": None,
    }


def user_status(w: World, username: object) -> tuple[int | None, str | None]:
    """(row, refusal message): unknown users and refused ones (private, under-age) as observed (§3.2)."""
    if not isinstance(username, str) or not username:
        return None, "username is required"
    u = w.user_by_name(username)
    if u is None:
        return None, f"User {username} is invalid: cannot find the user"
    if w.u_private[u] or w.u_refused[u]:
        return None, "API cannot return this user's information"
    return u, None


# --------------------------------------------------------------------- endpoints
@routes.post("/v2/research/video/query/")
@handles_bad_requests
async def video_query(request: web.Request) -> web.Response:
    st = state_of(request)
    w, t = st.world, st.clock.now()
    fields = requested_fields(request, VIDEO_FIELDS)
    body = await body_of(request)
    for name in ("start_date", "end_date"):
        if name not in body:
            raise BadRequest(f"{name} is required")
    start, end = parse_date(body["start_date"], "start_date"), parse_date(body["end_date"], "end_date")
    if end < start:
        raise BadRequest("end_date must not be earlier than start_date")
    if end - start > 30 * DAY:
        raise BadRequest("end_date must be no more than 30 days after the start_date")
    check_query(body.get("query"))
    max_count = int_field(body, "max_count", 20, 1, 100)
    cursor = int_field(body, "cursor", 0)
    search_id = body.get("search_id")
    if body.get("is_random"):
        rows = run_query(w, body["query"], start, end, t)
        rng = np.random.default_rng()
        picks = rng.choice(rows, size=min(len(rows), max_count), replace=False) if len(rows) else rows
        videos = video_records(w, [int(v) for v in picks], t, fields)
        st.quota.charge("research", t, records=len(videos))
        return ok(st, {"videos": videos, "cursor": len(videos), "has_more": False, "search_id": ""})
    continuing = bool(search_id) or cursor > 0
    if continuing and st.faults.roll("invalid_cursor"):
        raise BadRequest("Invalid count or cursor")
    if search_id:
        if st.faults.roll("search_id_expired") or search_id not in st.searches:
            raise BadRequest(f"Search Id {search_id} is invalid or expired")
        rows = st.searches[search_id]
    else:
        rows = run_query(w, body["query"], start, end, t)
        search_id = str(7_350_000_000_000_000_000 + secrets.randbelow(10**16))
        st.searches[search_id] = rows
    if cursor > len(rows):
        raise BadRequest("Invalid count or cursor")
    # The cursor advances over the cached result; videos deleted since drop out of the page, so
    # a page can hold fewer than max_count while has_more stays true (§4, the real 27-of-100 page).
    page_rows = [int(v) for v in rows[cursor : cursor + max_count] if w.public(int(v), t)]
    videos = video_records(w, page_rows, t, fields)
    nxt = min(cursor + max_count, len(rows))
    st.quota.charge("research", t, records=len(videos))
    return ok(st, {"videos": videos, "cursor": nxt, "has_more": nxt < len(rows), "search_id": search_id})


@routes.post("/v2/research/user/info/")
@handles_bad_requests
async def user_info(request: web.Request) -> web.Response:
    st = state_of(request)
    w, t = st.world, st.clock.now()
    fields = requested_fields(request, USER_FIELDS)
    u, refusal = user_status(w, (await body_of(request)).get("username"))
    if u is None:
        raise BadRequest(refusal or "")
    s = w.user_stats(u, t)
    bio, link = w.bio(u)
    record = {
        "display_name": w.nickname(u),
        "bio_description": bio,
        "avatar_url": f"{request.scheme}://{request.host}/media/avatar/{u}.jpeg",
        "is_verified": bool(w.u_verified[u]),
        "follower_count": s["followers"],
        "following_count": s["following"],
        "likes_count": s["likes"],
        "video_count": s["videos"],
        "bio_url": link,
    }
    st.quota.charge("research", t, records=1)
    return ok(st, select(record, fields))


def comment_record(w: World, v: int, k: int, reply: int, created: int) -> dict[str, Any]:
    return {
        "id": w.comment_id(v, k, reply),
        "video_id": w.video_id(v),
        "text": w.comment_text(v, k, reply),
        "like_count": w.comment_likes(v, k, reply),
        "reply_count": w.replies_of(v, k) if reply == 0 else 0,
        "parent_comment_id": w.video_id(v) if reply == 0 else w.comment_id(v, k),
        "create_time": created,
    }


@routes.post("/v2/research/video/comment/list/")
@handles_bad_requests
async def comment_list(request: web.Request) -> web.Response:
    st = state_of(request)
    w, t = st.world, st.clock.now()
    fields = requested_fields(request, COMMENT_FIELDS)
    body = await body_of(request)
    if ("video_id" in body) == ("comment_id" in body):
        raise BadRequest("exactly one of video_id and comment_id is required")
    max_count = int_field(body, "max_count", 10, 1, 100)
    cursor = int_field(body, "cursor", 0)
    records: list[dict[str, Any]] = []
    total = 0
    if "video_id" in body:
        v = w.video_by_id(body["video_id"])
        if v is not None and w.public(v, t):
            total = min(w.video_counts(v, t)["top_comments"], MAX_COMMENTS)
            ks = np.arange(cursor, min(cursor + max_count, total))
            records = [comment_record(w, v, int(k), 0, int(c)) for k, c in zip(ks, w.comment_times(v, ks, t), strict=True)]
    else:
        found = w.comment_by_id(body["comment_id"])
        if found is not None and found[2] == 0 and w.public(found[0], t):
            v, k, _ = found
            if k < w.video_counts(v, t)["top_comments"]:
                total = w.replies_of(v, k)
                parent_time = int(w.comment_times(v, np.array([k]), t)[0])
                records = [comment_record(w, v, k, r + 1, parent_time + r + 1) for r in range(cursor, min(total, cursor + max_count))]
    nxt = cursor + len(records)
    st.quota.charge("research", t, records=len(records))
    comments = [select(r, fields) for r in records]
    return ok(st, {"comments": comments, "cursor": nxt, "has_more": nxt < total})


async def follow_list(request: web.Request, direction: str) -> web.Response:
    """Followers or following; the cursor is a Unix time: follows made on or before it (§3.4)."""
    st = state_of(request)
    w, t = st.world, st.clock.now()
    body = await body_of(request)
    u, refusal = user_status(w, body.get("username"))
    if u is None:
        raise BadRequest(refusal or "")
    max_count = int_field(body, "max_count", 20, 1, 100)
    cursor = int_field(body, "cursor", int(t))
    edges = w.follow_edges(u, direction, min(cursor, t))
    other = w.e_dst if direction == "following" else w.e_src
    edges = edges[~w.u_private[other[edges]]]  # only public accounts are listed (§3.4)
    page = edges[:max_count]
    people = [{"display_name": w.nickname(int(o)), "username": w.username(int(o))} for o in other[page]]
    nxt = int(w.e_time[page[-1]]) - 1 if len(page) else cursor
    st.quota.charge("follow", t, records=len(people))
    key = "user_followers" if direction == "followers" else "user_following"
    return ok(st, {key: people, "cursor": nxt, "has_more": len(edges) > len(page)})


@routes.post("/v2/research/user/followers/")
@handles_bad_requests
async def followers(request: web.Request) -> web.Response:
    return await follow_list(request, "followers")


@routes.post("/v2/research/user/following/")
@handles_bad_requests
async def following(request: web.Request) -> web.Response:
    return await follow_list(request, "following")


def liked_rows(w: World, u: int) -> list[tuple[int, int]]:
    """(video row, like time) of a user's likes, newest first: a deterministic sample."""
    r = entity_random(w.seed, "likes", u)
    picks = sorted({r.randrange(w.size.videos) for _ in range(r.randint(0, 60))})
    liked = [(v, int(w.v_create[v]) + r.randint(60, 5 * DAY)) for v in picks]
    return sorted(liked, key=lambda x: -x[1])


def shows_likes(w: World, u: int) -> bool:
    return entity_random(w.seed, "likes-public", u).random() < 0.4  # most users hide their likes


@routes.post("/v2/research/user/liked_videos/")
@handles_bad_requests
async def liked_videos(request: web.Request) -> web.Response:
    """Liked videos; the cursor is in milliseconds, as the docs' own example shows (§3.5)."""
    st = state_of(request)
    w, t = st.world, st.clock.now()
    fields = requested_fields(request, VIDEO_FIELDS)
    body = await body_of(request)
    u, refusal = user_status(w, body.get("username"))
    if u is None or not shows_likes(w, u):
        raise BadRequest(refusal or "The user's liked videos information cannot be returned")
    max_count = int_field(body, "max_count", 20, 1, 100)
    cursor = int_field(body, "cursor", int(t * 1000))
    liked = [(v, lt) for v, lt in liked_rows(w, u) if lt * 1000 <= cursor and lt <= t and w.public(v, t)]
    page = liked[:max_count]
    videos = video_records(w, [v for v, _ in page], t, fields)
    nxt = page[-1][1] * 1000 - 1 if page else cursor
    st.quota.charge("research", t, records=len(videos))
    return ok(st, {"user_liked_videos": videos, "cursor": nxt, "has_more": len(liked) > len(page)})


@routes.post("/v2/research/user/pinned_videos/")
@handles_bad_requests
async def pinned_videos(request: web.Request) -> web.Response:
    st = state_of(request)
    w, t = st.world, st.clock.now()
    fields = requested_fields(request, VIDEO_FIELDS)
    u, refusal = user_status(w, (await body_of(request)).get("username"))
    if u is None:
        raise BadRequest(refusal or "")
    rows = [int(v) for v in w.user_videos(u) if w.public(int(v), t)]
    pins = rows[-3:] if entity_random(w.seed, "pins", u).random() < 0.5 else []
    videos = video_records(w, pins, t, fields)
    st.quota.charge("research", t, records=len(videos))
    return ok(st, {"pinned_videos_list": videos})


@routes.post("/v2/research/user/reposted_videos/")
@handles_bad_requests
async def reposted_videos(request: web.Request) -> web.Response:
    st = state_of(request)
    w, t = st.world, st.clock.now()
    fields = requested_fields(request, VIDEO_FIELDS)
    body = await body_of(request)
    u, refusal = user_status(w, body.get("username"))
    if u is None:
        raise BadRequest(refusal or "")
    max_count = int_field(body, "max_count", 20, 1, 100)
    cursor = int_field(body, "cursor", 0)
    r = entity_random(w.seed, "reposts", u)
    rows = [v for v in sorted({r.randrange(w.size.videos) for _ in range(r.randint(0, 40))}) if w.public(v, t)]
    page = rows[cursor : cursor + max_count]
    videos = video_records(w, page, t, fields)
    nxt = cursor + len(page)
    st.quota.charge("research", t, records=len(videos))
    return ok(st, {"reposted_videos": videos, "cursor": nxt, "has_more": nxt < len(rows)})


@routes.post("/v2/research/playlist/info/")
@handles_bad_requests
async def playlist_info(request: web.Request) -> web.Response:
    st = state_of(request)
    w, t = st.world, st.clock.now()
    body = await body_of(request)
    pid = int_field(body, "playlist_id", 0)
    owner = pid - PLAYLIST_ID_BASE  # a creator's playlist id is the base plus their row
    u = owner if 0 <= owner < w.size.users else None
    rows = [int(v) for v in w.user_videos(u) if w.v_playlist[v] and w.public(int(v), t)] if u is not None else []
    if not rows:
        raise BadRequest(f"Playlist {pid} is invalid: cannot find the playlist")
    max_count = int_field(body, "max_count", 20, 1, 100)
    cursor = int_field(body, "cursor", 0)
    page = rows[cursor : cursor + max_count]
    st.quota.charge("research", t, records=len(page))
    return ok(
        st,
        {
            "playlist_id": pid,
            "playlist_name": f"{w.nickname(u or 0)} favourites",
            "playlist_item_total": len(rows),
            "playlist_last_updated": int(max(w.v_create[rows])),
            "playlist_video_ids": [w.video_id(v) for v in page],
            "cursor": cursor + len(page),
            "has_more": cursor + len(page) < len(rows),
        },
    )
