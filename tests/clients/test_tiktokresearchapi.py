"""TikTok's own Research API wrapper (PyPI tiktokresearchapi 1.0.4) against the simulator.

Every call goes through the wrapper's public methods; only open.tiktokapis.com is rewritten.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from tiktok_research_api import (  # type: ignore[import-untyped]
    Criteria,
    Query,
    QueryUserFollowersRequest,
    QueryUserFollowingRequest,
    QueryUserInfoRequest,
    QueryUserLikedVideosRequest,
    QueryUserPinnedVideosRequest,
    QueryUserRepostedVideosRequest,
    QueryVideoCommentsRequest,
    QueryVideoRequest,
    TikTokResearchAPI,
)

from tests.clients.conftest import truth, truth_query
from tiktok.simulator import research
from tiktok.simulator.state import DEMO_CLIENT_KEY, DEMO_CLIENT_SECRET
from tiktok.simulator.world import World

pytestmark = pytest.mark.crawl

VIDEO_FIELDS = "id,video_description,create_time,username,hashtag_names,like_count,comment_count,view_count,share_count,music_id"


@pytest.fixture
def api(requests_to_simulator: str) -> Any:
    return TikTokResearchAPI(DEMO_CLIENT_KEY, DEMO_CLIENT_SECRET, qps=1000)


@pytest.fixture(scope="module")
def world() -> World:
    return World(7, "small")  # the simulator process's world (its default seed and size)


def assert_video_is_true(base: str, video: dict[str, Any]) -> None:
    t = truth(base, f"video/{video['id']}")
    assert video["username"] == t["author"] and video["create_time"] == t["create_time"]
    assert video["video_description"] == t["description"] and video["hashtag_names"] == t["hashtags"]
    assert video.get("like_count", 0) == t["counts"]["likes"]  # omitted at zero, as in the real sample
    assert (video["view_count"], video["comment_count"], video["share_count"]) == (
        t["counts"]["views"],
        t["counts"]["comments"],
        t["counts"]["shares"],
    )
    assert str(video["music_id"]) == t["music_id"]


def test_token_and_paged_query_across_windows(api: Any, requests_to_simulator: str) -> None:
    base = requests_to_simulator
    assert api.client_token.startswith("clt.")
    query = Query(and_criteria=[Criteria("EQ", "hashtag_name", ["london"])])
    # 46 days: the wrapper asks for 20260415-20260514, then 20260515-20260530 (end_date inclusive).
    request = QueryVideoRequest(query=query, start_date="20260415", end_date="20260530", max_count=7, fields=VIDEO_FIELDS)
    videos, *_ = api.query_videos(request, fetch_all_pages=True)
    expected = truth_query(
        base, {"and": [{"field_name": "hashtag_name", "operation": "EQ", "field_values": ["london"]}]}, "20260415", "20260530"
    )
    assert len(expected) > 14, "the query should span several pages"
    ids = [str(v["id"]) for v in videos]
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(expected)
    for video in videos[:5]:
        assert_video_is_true(base, video)


def test_user_info_comments_and_follows(api: Any, requests_to_simulator: str, world: World) -> None:
    base = requests_to_simulator
    users = [u for u in truth(base, "users") if not (u["private"] or u["refused"])]
    name = max(users, key=lambda u: len(truth(base, f"user/{u['username']}")["public_followers"]))["username"]
    t = truth(base, f"user/{name}")
    info = api.query_user_info(QueryUserInfoRequest(name, fields=",".join(research.USER_FIELDS)))
    u = world.user_by_name(name)
    assert u is not None
    bio, link = world.bio(u)
    assert info == {
        "display_name": world.nickname(u),
        "bio_description": bio,  # kept as "" when empty (issue 12)
        "avatar_url": info["avatar_url"],
        "is_verified": t["verified"],
        "follower_count": t["stats"]["followers"],
        "following_count": t["stats"]["following"],
        "likes_count": t["stats"]["likes"],
        "video_count": t["stats"]["videos"],
        "bio_url": link,
    }
    followers, _, _ = api.query_user_followers(QueryUserFollowersRequest(name, max_count=5), fetch_all_pages=True)
    assert [f["username"] for f in followers] == t["public_followers"] and len(followers) > 5
    following, _, _ = api.query_user_following(QueryUserFollowingRequest(name, max_count=5), fetch_all_pages=True)
    assert [f["username"] for f in following] == t["public_following"]

    expected: list[dict[str, Any]] = []
    for vid in truth(base, "hashtag/london")["video_ids"]:  # a video with a few pages of top-level comments
        expected = [c for c in truth(base, f"video/{vid}/comments") if c["parent_comment_id"] == vid]
        if 20 < len(expected) < 200 and any(c["text"] == "" for c in expected):
            break
    assert 20 < len(expected) < 200
    comments, _, _ = api.query_video_comments(QueryVideoCommentsRequest(int(vid), max_count=10), fetch_all_pages=True)
    assert [(str(c["id"]), c["text"]) for c in comments] == [(c["id"], c["text"]) for c in expected]
    assert all("text" in c for c in comments)  # empty texts are kept, as in the real sample


def test_liked_pinned_and_reposted_videos(api: Any, requests_to_simulator: str, world: World) -> None:
    base = requests_to_simulator
    public = [u for u in truth(base, "users") if not (u["private"] or u["refused"])]
    rows = [world.user_by_name(u["username"]) for u in public]
    liker = next(u for u in rows if u is not None and research.shows_likes(world, u) and research.liked_rows(world, u))
    liked, _, _ = api.query_user_liked_videos(
        QueryUserLikedVideosRequest(world.username(liker), max_count=5, fields="id,username"), fetch_all_pages=True
    )
    clock = float(requests.get(f"{base}/__sim__/clock", timeout=10).json()["now"])
    expected = [world.video_id(v) for v, at in research.liked_rows(world, liker) if at <= clock and world.public(v, clock)]
    assert [v["id"] for v in liked] == expected and expected

    pinned = {}
    for u in rows[:40]:
        assert u is not None
        got = api.query_user_pinned_videos(QueryUserPinnedVideosRequest(world.username(u), fields="id"))
        pinned[u] = [v["id"] for v in got]
    assert any(pinned.values()), "some creators pin videos"
    for u, ids in pinned.items():
        all_ids = [int(i) for i in truth(base, f"user/{world.username(u)}")["video_ids"]]
        assert set(ids) <= set(all_ids) and len(ids) <= 3

    reposter = rows[0]
    assert reposter is not None
    reposts, _, _ = api.query_user_reposted_videos(
        QueryUserRepostedVideosRequest(world.username(reposter), fields="id", max_count=5), fetch_all_pages=True
    )
    ids = [v["id"] for v in reposts]
    assert len(ids) == len(set(ids)) and all(truth(base, f"video/{i}")["public"] for i in ids)
