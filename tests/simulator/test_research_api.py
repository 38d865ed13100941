"""The Research API's bodies, statuses, pagination, quota and errors follow TIKTOK-FORMATS.md."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.simclient import Sim
from tiktok.simulator.app import make_app
from tiktok.simulator.state import QuotaLimits
from tiktok.simulator.world import DAY, EPOCH, World

LONDON = {"and": [{"field_name": "hashtag_name", "operation": "EQ", "field_values": ["london"]}]}
MAY = {"start_date": "20260502", "end_date": "20260531"}


async def collect(sim: Sim, query: dict[str, Any], dates: dict[str, str], max_count: int = 7) -> tuple[list[int], int]:
    """Follows cursor and search_id until has_more is false; returns ids and requests made."""
    body: dict[str, Any] = {"query": query, **dates, "max_count": max_count}
    ids, requests = [], 0
    while True:
        status, answer = await sim.research("video/query", body, "id,username,hashtag_names")
        requests += 1
        assert status == 200, answer
        data = answer["data"]
        ids += [v["id"] for v in data["videos"]]
        if not data["has_more"]:
            return ids, requests
        body.update(cursor=data["cursor"], search_id=data["search_id"])


async def test_token_flow(sim: Sim) -> None:
    bad = await sim.client.post(
        "/v2/oauth/token/", data={"client_key": "sim-demo-key", "client_secret": "wrong", "grant_type": "client_credentials"}
    )
    body = await bad.json()
    assert bad.status == 401 and body["error"] == "invalid_client" and "access_token" not in body
    missing = await (await sim.client.post("/v2/oauth/token/", data={"client_key": "k", "grant_type": "client_credentials"})).json()
    assert missing["error"] == "invalid_request" and missing["error_description"] == "Client secret is missed in request."
    resp = await sim.client.post("/v2/research/user/info/?fields=display_name", data="{}")
    assert resp.status == 401 and (await resp.json())["error"]["code"] == "access_token_invalid"
    status, _ = await sim.research("user/info", {"username": "nobody1"}, "display_name")
    assert status == 400  # a valid token reaches the endpoint
    await sim.advance(7201)  # tokens expire after expires_in simulated seconds
    status, answer = await sim.research("user/info", {"username": "nobody1"}, "display_name")
    assert status == 401 and answer["error"]["code"] == "access_token_invalid"


async def test_pagination_collects_exactly_the_truth(sim: Sim) -> None:
    truth = await (await sim.client.post("/__sim__/truth/research/video_query", json={"query": LONDON, **MAY})).json()
    ids, requests = await collect(sim, LONDON, MAY)
    assert len(truth["video_ids"]) > 7, "the query should span several pages"
    assert [str(i) for i in ids] == truth["video_ids"]  # decreasing id order, nothing lost or repeated
    assert requests == -(-len(ids) // 7)


async def test_ids_are_bare_int64_numbers_and_empty_fields_are_omitted(sim: Sim) -> None:
    body = {"query": LONDON, **MAY, "max_count": 100}
    resp = await sim.client.post(
        "/v2/research/video/query/?fields=id,music_id,effect_ids,playlist_id,voice_to_text,hashtag_names",
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {await sim.token()}"},
    )
    text = await resp.text()
    videos = json.loads(text)["data"]["videos"]
    assert all(isinstance(v["id"], int) and v["id"] > 2**53 and f'"id": {v["id"]}' in text for v in videos)
    assert all("effect_ids" not in v or v["effect_ids"] for v in videos)
    assert any("effect_ids" not in v for v in videos) and all("hashtag_names" in v for v in videos)
    assert all(v.get("voice_to_text", "x") != "" and v.get("playlist_id", 1) is not None for v in videos)


async def test_query_rules(sim: Sim) -> None:
    cases: dict[str, dict[str, Any]] = {
        "end_date must be no more than 30 days after the start_date": {"query": LONDON, "start_date": "20260401", "end_date": "20260502"},
        "end_date must not be earlier than start_date": {"query": LONDON, "start_date": "20260502", "end_date": "20260501"},
        "start_date must be a string in the format YYYYMMDD": {"query": LONDON, "start_date": "2026-05-01", "end_date": "20260502"},
        "query must contain at least one non-empty": {"query": {"and": [], "or": []}, **MAY},
        "field_name 'likes' is not supported": {
            "query": {"and": [{"field_name": "likes", "operation": "EQ", "field_values": ["1"]}]},
            **MAY,
        },
        "operation 'LIKE' is not supported": {
            "query": {"and": [{"field_name": "keyword", "operation": "LIKE", "field_values": ["a"]}]},
            **MAY,
        },
        "max_count must be between 1 and 100": {"query": LONDON, **MAY, "max_count": 101},
    }
    for message, body in cases.items():
        status, answer = await sim.research("video/query", body, "id")
        assert status == 400 and answer["error"]["code"] == "invalid_params", message
        assert message in answer["error"]["message"], (message, answer)
    status, answer = await sim.research("video/query", {"query": LONDON, **MAY}, "id,likes")
    assert status == 400 and "Invalid fields: likes" in answer["error"]["message"]
    status, answer = await sim.research("video/query", {"query": LONDON, **MAY, "search_id": "123", "cursor": 5}, "id")
    assert status == 400 and answer["error"]["message"] == "Search Id 123 is invalid or expired"


async def test_not_and_or_and_numeric_conditions(sim: Sim, small_world: World) -> None:
    query = {
        "and": [{"field_name": "view_count", "operation": "GTE", "field_values": ["100"]}],
        "or": [{"field_name": "region_code", "operation": "IN", "field_values": ["US", "GB"]}],
        "not": [{"field_name": "hashtag_name", "operation": "EQ", "field_values": ["fyp"]}],
    }
    status, answer = await sim.research("video/query", {"query": query, **MAY, "max_count": 100}, "id,view_count,region_code,hashtag_names")
    assert status == 200
    videos = answer["data"]["videos"]
    assert videos and all(v["view_count"] >= 100 and v["region_code"] in ("US", "GB") and "fyp" not in v["hashtag_names"] for v in videos)


async def test_videos_appear_after_48_hours(sim: Sim, small_world: World) -> None:
    """A video is searchable only 48 h after it was posted (§6)."""
    w = small_world
    v = next(int(v) for v in w.create_order if EPOCH + DAY < w.v_create[v] < EPOCH + 2 * DAY and w.public(int(v), EPOCH + 5 * DAY))
    query = {"and": [{"field_name": "video_id", "operation": "EQ", "field_values": [str(w.video_id(v))]}]}
    dates = {"start_date": "20260601", "end_date": "20260605"}
    await sim.advance(float(w.v_create[v] - EPOCH) + DAY)  # one day after it was posted
    sim.forget_token()
    status, answer = await sim.research("video/query", {"query": query, **dates}, "id")
    assert status == 200 and answer["data"]["videos"] == []
    await sim.advance(DAY + 60)
    sim.forget_token()
    status, answer = await sim.research("video/query", {"query": query, **dates}, "id")
    assert [x["id"] for x in answer["data"]["videos"]] == [w.video_id(v)]


async def test_comments_and_replies_follow_the_codebook(sim: Sim, small_world: World) -> None:
    truth_items = await sim.truth("hashtag/fyp")
    vid = max(truth_items["video_ids"], key=lambda i: small_world.video_counts(small_world.video_by_id(i) or 0, EPOCH)["top_comments"])
    truth = await sim.truth(f"video/{vid}/comments")
    top = [c for c in truth if c["parent_comment_id"] == vid]
    got: list[dict[str, Any]] = []
    cursor = 0
    while True:
        status, answer = await sim.research(
            "video/comment/list", {"video_id": int(vid), "max_count": 100, "cursor": cursor}, "id,parent_comment_id,reply_count,text"
        )
        assert status == 200
        got += answer["data"]["comments"]
        if not answer["data"]["has_more"]:
            break
        cursor = answer["data"]["cursor"]
    assert [str(c["id"]) for c in got] == [c["id"] for c in top[:1000]]
    assert all(c["parent_comment_id"] == int(vid) for c in got)  # top-level: parent is the video
    with_replies = next(c for c in got if c["reply_count"])
    status, answer = await sim.research("video/comment/list", {"comment_id": with_replies["id"], "max_count": 100}, "id,parent_comment_id")
    assert [str(c["id"]) for c in answer["data"]["comments"]] == [
        c["id"] for c in truth if c["parent_comment_id"] == str(with_replies["id"])
    ]


async def test_followers_timestamp_cursor_and_refusals(sim: Sim) -> None:
    users = await sim.truth("users")
    people = [await sim.truth(f"user/{u['username']}") for u in users if not u["private"] and not u["refused"]]
    star = max(people, key=lambda p: len(p["public_followers"]))
    got: list[str] = []
    body: dict[str, Any] = {"username": star["username"], "max_count": 3}
    while True:
        status, answer = await sim.research("user/followers", body)
        assert status == 200
        got += [p["username"] for p in answer["data"]["user_followers"]]
        if not answer["data"]["has_more"]:
            break
        body["cursor"] = answer["data"]["cursor"]
    assert got == star["public_followers"] and len(got) > 3
    refused = next(u["username"] for u in users if u["private"] or u["refused"])
    status, answer = await sim.research("user/info", {"username": refused}, "display_name")
    assert status == 400 and answer["error"]["message"] == "API cannot return this user's information"
    status, answer = await sim.research("user/info", {"username": "ghost999999"}, "display_name")
    assert status == 400 and "is invalid: cannot find the user" in answer["error"]["message"]


async def test_daily_quota_answers_429_until_midnight(aiohttp_client: Any, small_world: World) -> None:
    sim = Sim(await aiohttp_client(make_app(world=small_world, quota=QuotaLimits(research_requests=3))))
    for _ in range(3):
        status, _ = await sim.research("video/query", {"query": LONDON, **MAY}, "id")
        assert status == 200
    status, answer = await sim.research("video/query", {"query": LONDON, **MAY}, "id")
    assert status == 429 and answer["error"]["code"] == "daily_quota_limit_exceeded"
    status, _ = await sim.research("user/followers", {"username": small_world.username(1)})
    assert status == 200  # followers/following have their own family
    quota = await (await sim.client.get("/__sim__/quota")).json()
    assert quota["research"]["requests"] == 3 and quota["next_reset"] == EPOCH + DAY
    await sim.advance(DAY)
    sim.forget_token()
    status, _ = await sim.research("video/query", {"query": LONDON, **MAY}, "id")
    assert status == 200


async def test_liked_pinned_reposted_and_playlist(sim: Sim, small_world: World) -> None:
    w = small_world
    fields = "id,username,like_count"
    statuses = set()
    for u in range(w.size.users):
        if w.u_private[u] or w.u_refused[u]:
            continue
        status, answer = await sim.research("user/liked_videos", {"username": w.username(u), "max_count": 5}, fields)
        statuses.add(status)
        if status == 200:
            assert set(answer["data"]) == {"user_liked_videos", "cursor", "has_more"}
            assert answer["data"]["cursor"] > 10**12  # milliseconds, as the docs' example
        status, answer = await sim.research("user/pinned_videos", {"username": w.username(u)}, fields)
        assert status == 200 and set(answer["data"]) == {"pinned_videos_list"}
        status, answer = await sim.research("user/reposted_videos", {"username": w.username(u)}, fields)
        assert status == 200 and set(answer["data"]) == {"reposted_videos", "cursor", "has_more"}
    assert statuses == {200, 400}  # some users hide their likes
    owner = next(int(w.v_author[v]) for v in range(w.size.videos) if w.v_playlist[v] and w.public(v, EPOCH))
    status, answer = await sim.research("playlist/info", {"playlist_id": 7_455_000_000_000_000_000 + owner})
    assert status == 200 and answer["data"]["playlist_video_ids"]


async def test_json_null_for_an_optional_field_means_not_given(sim: Sim) -> None:
    """The CybersecurityForDemocracy client's first page sends `"cursor": null, "search_id": null`
    and the real API answers it (issue 12); null max_count and is_random are likewise not given."""
    truth = (await (await sim.client.post("/__sim__/truth/research/video_query", json={"query": LONDON, **MAY})).json())["video_ids"]
    assert len(truth) > 20, "the query should span more than one default page"
    nulls = {"cursor": None, "search_id": None, "max_count": None, "is_random": None}
    status, answer = await sim.research("video/query", {"query": LONDON, **MAY, **nulls}, "id")
    assert status == 200, answer
    first = answer["data"]
    # From the start (cursor 0, a new search), max_count's default of 20, in order (not a random sample).
    assert [str(v["id"]) for v in first["videos"]] == truth[:20]
    assert (first["cursor"], first["has_more"]) == (20, True) and first["search_id"]
    body = {"query": LONDON, **MAY, **nulls, "cursor": first["cursor"], "search_id": first["search_id"]}
    status, answer = await sim.research("video/query", body, "id")
    assert status == 200, answer
    assert [str(v["id"]) for v in answer["data"]["videos"]] == truth[20:40]

    for vid in (await sim.truth("hashtag/fyp"))["video_ids"]:
        top = await top_comments(sim, vid)
        if len(top) > 10:
            break
    else:
        raise AssertionError("no #fyp video with more than 10 top-level comments")
    status, answer = await sim.research("video/comment/list", {"video_id": int(vid), "cursor": None, "max_count": None}, "id")
    assert status == 200, answer
    assert [str(c["id"]) for c in answer["data"]["comments"]] == [c["id"] for c in top[:10]]  # max_count's default: 10
    assert (answer["data"]["cursor"], answer["data"]["has_more"]) == (10, True)


async def top_comments(sim: Sim, vid: str) -> list[dict[str, Any]]:
    return [c for c in await sim.truth(f"video/{vid}/comments") if c["parent_comment_id"] == vid]


async def test_empty_strings_are_kept(sim: Sim, small_world: World) -> None:
    """The real comment sample keeps `"text": ""` (3 of its 6 comments); no sample omits an empty
    string, so user info keeps `bio_description: ""` and `bio_url: ""` (TIKTOK-FORMATS.md §7)."""
    w = small_world
    for vid in (await sim.truth("hashtag/fyp"))["video_ids"]:
        top = await top_comments(sim, vid)
        k = next((i for i, c in enumerate(top) if c["text"] == ""), None)
        if k is not None:
            break
    else:
        raise AssertionError("no top-level comment with an empty text under #fyp")
    body = {"video_id": int(vid), "cursor": k, "max_count": 1}
    status, answer = await sim.research("video/comment/list", body, "id,text,parent_comment_id,video_id")
    assert status == 200, answer
    assert answer["data"]["comments"] == [{"id": int(top[k]["id"]), "text": "", "parent_comment_id": int(vid), "video_id": int(vid)}]

    users = [u for u in range(w.size.users) if not (w.u_private[u] or w.u_refused[u]) and w.bio(u) == ("", "")]
    assert users, "the world has no public user with an empty bio and no link"
    name = w.username(users[0])
    truth = await sim.truth(f"user/{name}")
    status, answer = await sim.research("user/info", {"username": name}, "display_name,bio_description,bio_url,is_verified,follower_count")
    assert status == 200, answer
    assert answer["data"] == {
        "display_name": w.nickname(users[0]),
        "bio_description": "",
        "bio_url": "",
        "is_verified": truth["verified"],
        "follower_count": truth["stats"]["followers"],
    }


async def test_end_date_is_inclusive(sim: Sim, small_world: World) -> None:
    """A video created on the end day, even in its last hours, is in the result; the next day's is not."""
    w = small_world
    late = [int(v) for v in w.create_order if EPOCH - 25 * DAY < w.v_create[v] < EPOCH - 3 * DAY and w.public(int(v), EPOCH)]
    v = max(late, key=lambda r: int(w.v_create[r]) % DAY)  # the latest in its day
    vid = str(w.video_id(v))
    created = (await sim.truth(f"video/{vid}"))["create_time"]
    assert created % DAY > DAY // 2, "want a video from the second half of its day"
    query = {"and": [{"field_name": "video_id", "operation": "EQ", "field_values": [vid]}]}

    def day(offset: int) -> str:
        return time.strftime("%Y%m%d", time.gmtime(created + offset * DAY))

    for start, end, found in [(-3, 0, True), (0, 0, True), (-3, -1, False), (1, 2, False)]:
        dates = {"start_date": day(start), "end_date": day(end)}
        status, answer = await sim.research("video/query", {"query": query, **dates}, "id,create_time")
        assert status == 200, answer
        expected = [{"id": int(vid), "create_time": created}] if found else []
        assert answer["data"]["videos"] == expected, (start, end)
