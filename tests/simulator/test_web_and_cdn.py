"""The web side behaves as the real site: signed item lists, complete cursor pages, status codes for
missing content, and a CDN whose URLs are signed, expire and need a referer."""

from __future__ import annotations

import io
import shutil
from typing import Any

import pytest
from PIL import Image

from tests.simclient import Sim
from tiktok.simulator.world import World


async def test_item_lists_need_the_page_cookie_and_signature(sim: Sim) -> None:
    plain = await sim.client.get("/api/recommend/item_list/?count=5")
    assert plain.status == 200 and await plain.read() == b""
    await sim.client.get("/foryou")
    forged = await sim.client.get("/api/recommend/item_list/?count=5&msToken=x&X-Bogus=0000")
    assert await forged.read() == b""
    body = await sim.signed_get("/api/recommend/item_list/", count="5", aid="1988")
    assert len(body["itemList"]) == 5 and body["statusCode"] == 0


async def test_hashtag_list_through_cursor_pages_equals_truth(sim: Sim) -> None:
    truth = await sim.truth("hashtag/london")
    detail = await (await sim.client.get("/api/challenge/detail/?challengeName=london")).json()
    cid = detail["challengeInfo"]["challenge"]["id"]
    assert detail["challengeInfo"]["statsV2"]["videoCount"] == str(len(truth["video_ids"]))
    got, cursor = [], "0"
    while True:
        body = await sim.signed_get("/api/challenge/item_list/", challengeID=cid, count="30", cursor=cursor)
        got += [it["id"] for it in body.get("itemList", [])]
        if not body["hasMore"]:
            break
        cursor = body["cursor"]
    assert got == truth["reachable"] and len(got) > 30


async def test_user_posts_through_time_cursor_equal_truth(sim: Sim, small_world: World) -> None:
    w = small_world
    u = max((u for u in range(w.size.users) if not w.u_private[u]), key=lambda u: w.u_video_start[u + 1] - w.u_video_start[u])
    truth = await sim.truth(f"user/{w.username(u)}")
    state = await sim.page_state(f"/@{w.username(u)}")
    detail = state["webapp.user-detail"]
    assert detail["userInfo"]["itemList"] == [] and detail["userInfo"]["statsV2"]["followerCount"] == str(truth["stats"]["followers"])
    got, cursor = [], "0"
    while True:
        body = await sim.signed_get("/api/post/item_list/", secUid=w.sec_uid(u), count="35", cursor=cursor)
        got += [it["id"] for it in body.get("itemList", [])]
        if not body["hasMore"]:
            break
        cursor = body["cursor"]
    assert got == truth["video_ids"]


async def test_web_comments_and_replies_equal_truth(sim: Sim, small_world: World) -> None:
    w = small_world
    truth_tag = await sim.truth("hashtag/fyp")
    vid = max(truth_tag["video_ids"][:80], key=lambda i: w.video_counts(w.video_by_id(i) or 0, 1780272000)["comments"])
    truth = await sim.truth(f"video/{vid}/comments")
    got: list[str] = []
    cursor = 0
    while True:
        body = await (await sim.client.get(f"/api/comment/list/?aweme_id={vid}&count=50&cursor={cursor}")).json()
        for c in body["comments"] or []:
            got.append(c["cid"])
            rc = 0
            while c["reply_comment_total"]:
                replies = await (
                    await sim.client.get(f"/api/comment/list/reply/?item_id={vid}&comment_id={c['cid']}&count=3&cursor={rc}")
                ).json()
                got += [r["cid"] for r in replies["comments"] or []]
                if not replies["has_more"]:
                    break
                rc = replies["cursor"]
        if not body["has_more"]:
            break
        cursor = body["cursor"]
    assert got == [c["id"] for c in truth] and len(truth) > 5
    assert body["total"] == len(truth)  # the list's total counts replies too


async def test_missing_private_and_deleted(sim: Sim, small_world: World) -> None:
    w = small_world
    unknown = await sim.page_state("/@nobody_here1")
    assert unknown["webapp.user-detail"]["statusCode"] == 10221
    deleted = next(v for v in range(w.size.videos) if 0 < w.v_deleted_at[v] < 1780272000)
    page = await sim.page_state(f"/@{w.username(int(w.v_author[deleted]))}/video/{w.video_id(deleted)}")
    assert page["webapp.video-detail"]["statusCode"] == 10204
    private = next(u for u in range(w.size.users) if w.u_private[u])
    profile = await sim.page_state(f"/@{w.username(private)}")
    assert profile["webapp.user-detail"]["userInfo"]["user"]["privateAccount"] is True
    body = await sim.signed_get("/api/post/item_list/", secUid=w.sec_uid(private), count="35", cursor="0")
    assert body["hasMore"] is False and "itemList" not in body


async def test_wrapped_heart_and_rounded_stats(sim: Sim, small_world: World) -> None:
    w = small_world
    top = int(w.u_heart_base.argmax())
    stats = (await sim.page_state(f"/@{w.username(top)}"))["webapp.user-detail"]["userInfo"]
    exact = int(stats["statsV2"]["heartCount"])
    assert exact > 2**31 and stats["stats"]["heart"] < 0  # the int32 field wrapped
    assert stats["stats"]["heartCount"] == round(exact / 10**8) * 10**8


async def media_urls(sim: Sim) -> dict[str, Any]:
    body = await sim.signed_get("/api/recommend/item_list/", count="30", aid="1988")
    item = next(it for it in body["itemList"] if "subtitleInfos" in it["video"])
    return {
        "cover": item["video"]["cover"],
        "video": item["video"]["playAddr"],
        "caption": item["video"]["subtitleInfos"][0]["Url"],
        "id": item["id"],
    }


async def test_cdn_signing_expiry_and_referer(sim: Sim) -> None:
    urls = await media_urls(sim)
    path = urls["cover"].split("://", 1)[1].split("/", 1)[1]
    referer = {"Referer": "http://127.0.0.1/"}
    assert (await sim.client.get(f"/{path}", headers=referer)).status == 200
    assert (await sim.client.get(f"/{path}")).status == 403  # no referer
    assert (await sim.client.get("/" + path.split("?")[0], headers=referer)).status == 403  # unsigned
    await sim.advance(6 * 3600 + 1)
    expired = await sim.client.get(f"/{path}", headers=referer)
    assert expired.status == 403 and "expired" in await expired.text()


async def test_captions_and_cover_text_are_the_truth(sim: Sim) -> None:
    urls = await media_urls(sim)
    truth = await sim.truth(f"video/{urls['id']}")
    vtt = await (await sim.client.get("/" + urls["caption"].split("/", 3)[3], headers={"Referer": "http://x/"})).text()
    assert vtt.startswith("WEBVTT") and " ".join(truth["caption_words"]) == " ".join(
        line for line in vtt.splitlines()[2:] if line and "-->" not in line
    )
    jpeg = await (await sim.client.get("/" + urls["cover"].split("/", 3)[3], headers={"Referer": "http://x/"})).read()
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG" and image.size == (720, 1280)
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (make setup installs it): cannot check the cover text is readable")
    import pytesseract

    body = await sim.signed_get("/api/recommend/item_list/", count="30", aid="1988")
    words = found = 0
    for item in body["itemList"]:
        cover = await (await sim.client.get("/" + item["video"]["cover"].split("/", 3)[3], headers={"Referer": "http://x/"})).read()
        expected = (await sim.truth(f"video/{item['id']}"))["cover_text"].split()
        read = pytesseract.image_to_string(Image.open(io.BytesIO(cover))).split()
        words += len(expected)
        found += sum(word in read for word in expected)
    assert found / words >= 0.9, f"tesseract read {found} of {words} cover words"


async def test_video_is_a_real_mp4_and_needs_the_chain_cookie(sim: Sim) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (make setup installs it): the simulator cannot make videos")
    urls = await media_urls(sim)
    path = "/" + urls["video"].split("/", 3)[3]
    resp = await sim.client.get(path, headers={"Referer": "http://x/"})
    assert resp.status == 200
    assert (await resp.read())[4:8] == b"ftyp"
    sim.client.session.cookie_jar.clear()
    assert (await sim.client.get(path, headers={"Referer": "http://x/"})).status == 403


async def test_hourly_foryou_snapshots_show_viral_videos_growing(sim: Sim) -> None:
    """Sampled hourly like the cron job will, the feed surfaces viral videos with rising likes."""
    viral = {v["id"] for v in (await sim.truth("viral"))["videos"]}
    seen: dict[str, list[int]] = {}
    await sim.advance(36 * 3600)  # into the window where the viral videos burst
    for _ in range(6):
        sim.client.session.cookie_jar.clear()  # a fresh visitor each hour
        for _ in range(3):
            for item in (await sim.signed_get("/api/recommend/item_list/", count="30", aid="1988"))["itemList"]:
                if item["id"] in viral:
                    seen.setdefault(item["id"], []).append(int(item["statsV2"]["diggCount"]))
        await sim.advance(3600)
    growing = [likes for likes in seen.values() if len(likes) >= 2 and likes[-1] > likes[0]]
    assert growing, f"no viral video seen twice with more likes: {seen}"


async def test_blob_urls_and_corrupt_covers_on_demand(sim: Sim) -> None:
    await sim.client.post("/__sim__/faults", json={"blob_video": 1.0, "corrupt_cover": 1.0})
    item = (await sim.signed_get("/api/recommend/item_list/", count="1", aid="1988"))["itemList"][0]
    assert item["video"]["playAddr"].startswith("blob:")
    data = await (await sim.client.get("/" + item["video"]["cover"].split("/", 3)[3], headers={"Referer": "http://x/"})).read()
    try:
        Image.open(io.BytesIO(data)).load()
        raise AssertionError("a corrupted cover should not decode")
    except OSError:
        pass
