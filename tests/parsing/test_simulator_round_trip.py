"""The same parsers read the simulator's pages and answers into exactly the simulator's truth."""

from __future__ import annotations

import json
from typing import Any

from tests.simclient import Sim
from tiktok.parsing import Context, parse_any
from tiktok.schema.items import Comment, Follow, Hashtag, Sound, User, Video
from tiktok.simulator.world import World


async def text(sim: Sim, path: str) -> str:
    resp = await sim.client.get(path)
    assert resp.status == 200
    return await resp.text()


def of(kind: type, items: list[Any]) -> list[Any]:
    return [i for i in items if isinstance(i, kind)]


async def test_foryou_items_carry_exact_counts_and_positions(sim: Sim) -> None:
    body = await sim.signed_get("/api/recommend/item_list/", count="30", aid="1988")
    result = parse_any(json.dumps(body), Context(source="foryou", feed_offset=30))
    videos = of(Video, result.items)
    assert [v.id for v in videos] == [it["id"] for it in body["itemList"]] and result.missing == []
    assert [v.feed_position for v in videos] == list(range(31, 61))
    for v in videos:
        truth = await sim.truth(f"video/{v.id}")
        c = truth["counts"]
        assert (v.view_count, v.like_count, v.comment_count, v.share_count, v.favorites_count) == (
            c["views"], c["likes"], c["comments"], c["shares"], c["collects"]
        )  # fmt: skip
        assert v.counts_exact is True and v.username == truth["author"] and v.music_id == truth["music_id"]
        assert v.hashtag_names == truth["hashtags"] and v.create_time == truth["create_time"]
        assert v.is_photo_mode == truth["photo_mode"] and v.is_ad == truth["is_ad"]
        assert (len(v.image_urls or []) == truth["images"]) and (v.caption_urls is not None) == bool(truth["caption_words"])


async def test_profile_pages_give_exact_user_figures(sim: Sim, small_world: World) -> None:
    for name in [small_world.username(u) for u in range(0, small_world.size.users, 7)]:
        result = parse_any(await text(sim, f"/@{name}"))
        user = of(User, result.items)[0]
        truth = await sim.truth(f"user/{name}")
        s = truth["stats"]
        assert (user.username, user.user_id, user.sec_uid) == (name, truth["user_id"], truth["sec_uid"])
        assert (user.follower_count, user.following_count, user.likes_count, user.video_count) == (
            s["followers"], s["following"], s["likes"], s["videos"]
        )  # fmt: skip
        assert user.counts_exact is True and user.is_private == truth["private"]


async def test_wrapped_likes_are_corrected_when_only_heart_is_left(sim: Sim, small_world: World) -> None:
    top = small_world.username(int(small_world.u_heart_base.argmax()))
    page = await text(sim, f"/@{top}")
    truth = (await sim.truth(f"user/{top}"))["stats"]["likes"]
    assert truth > 2**31
    user = of(User, parse_any(page).items)[0]
    assert user.likes_count == truth and user.counts_corrected is None  # heartCount is there: no wrap to undo
    # Older pages had only the int32 `heart`: drop heartCount and the exact strings.
    stripped = page.replace('"heartCount":', '"heartCountGone":').replace('"statsV2":', '"statsV2Gone":')
    user = of(User, parse_any(stripped).items)[0]
    assert user.counts_corrected == ["likes_count"] and user.counts_exact is False
    assert abs((user.likes_count or 0) - truth) <= 50_000_000  # rounded to 0.1 B, then unwrapped


async def test_video_pages_and_comment_lists(sim: Sim) -> None:
    tag = await sim.truth("hashtag/fyp")
    vid = tag["video_ids"][0]
    truth = await sim.truth(f"video/{vid}")
    video = of(Video, parse_any(await text(sim, f"/@{truth['author']}/video/{vid}")).items)[0]
    assert video.video_description == truth["description"] and video.region_code is not None
    comments_truth = [c for c in await sim.truth(f"video/{vid}/comments")]
    answer = await text(sim, f"/api/comment/list/?aweme_id={vid}&count=50&cursor=0")
    got = of(Comment, parse_any(answer).items)
    top = [c for c in comments_truth if c["parent_comment_id"] == vid][:50]
    assert [c.id for c in got if c.parent_comment_id == vid] == [c["id"] for c in top]
    first_replies = {c["parent_comment_id"]: c["id"] for c in reversed(comments_truth) if c["parent_comment_id"] != vid}
    assert all(first_replies.get(c.parent_comment_id) is not None for c in got if c.parent_comment_id != vid)
    assert all(c.text == t["text"] for c in got for t in comments_truth if t["id"] == c.id)


async def test_hashtag_and_sound_details(sim: Sim) -> None:
    truth = await sim.truth("hashtag/london")
    tag = of(Hashtag, parse_any(await text(sim, "/api/challenge/detail/?challengeName=london")).items)[0]
    assert (tag.id, tag.name, tag.video_count) == (truth["id"], "london", len(truth["video_ids"]))
    page_tag = of(Hashtag, parse_any(await text(sim, "/tag/london")).items)[0]
    assert page_tag.video_count == len(truth["video_ids"])
    video = await sim.truth(f"video/{truth['video_ids'][0]}")
    sound_truth = await sim.truth(f"sound/{video['music_id']}")
    sound = of(Sound, parse_any(await text(sim, f"/music/x-{video['music_id']}")).items)[0]
    assert (sound.id, sound.title, sound.video_count) == (sound_truth["id"], sound_truth["title"], len(sound_truth["video_ids"]))


async def test_research_answers(sim: Sim, small_world: World) -> None:
    query = {"and": [{"field_name": "hashtag_name", "operation": "EQ", "field_values": ["london"]}]}
    fields = "id,username,create_time,like_count,view_count,comment_count,share_count,hashtag_names,music_id,voice_to_text"
    _, answer = await sim.research(
        "video/query", {"query": query, "start_date": "20260502", "end_date": "20260531", "max_count": 100}, fields
    )
    videos = of(Video, parse_any(json.dumps(answer), Context(source="research:london")).items)
    assert len(videos) == len(answer["data"]["videos"]) > 0
    for v in videos:
        truth = await sim.truth(f"video/{v.id}")
        assert (v.like_count, v.view_count, v.username) == (truth["counts"]["likes"], truth["counts"]["views"], truth["author"])
        assert (v.voice_to_text is not None) == bool(truth["caption_words"])
    people = [await sim.truth(f"user/{small_world.username(u)}") for u in range(small_world.size.users)]
    star = max((p for p in people if not p["private"] and not p["refused"]), key=lambda p: len(p["public_followers"]))
    _, answer = await sim.research("user/followers", {"username": star["username"], "max_count": 100})
    follows = of(Follow, parse_any(json.dumps(answer), Context(subject=star["username"])).items)
    assert [f.follower for f in follows] == star["public_followers"][:100] and {f.followee for f in follows} == {star["username"]}
    _, answer = await sim.research("user/info", {"username": star["username"]}, "display_name,follower_count,likes_count,video_count")
    user = of(User, parse_any(json.dumps(answer), Context(subject=star["username"])).items)[0]
    assert (user.follower_count, user.likes_count) == (star["stats"]["followers"], star["stats"]["likes"])
