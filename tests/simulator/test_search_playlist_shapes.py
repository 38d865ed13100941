"""The search and playlist answers (issue 16): the item structs a search lists have the real search
capture's key paths and types (Zeeschuimer's record of /api/search/item/full/, the one real search
sample), the envelopes keep the formats doc's quirks (`has_more` an int, the page's `offset`), and
what the answers list is the truth: every public match, in pages, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.simclient import Sim
from tests.simulator.test_shapes_match_real_samples import compare, load


async def walk(sim: Sim, path: str, key: str, **params: str) -> tuple[list[Any], list[dict[str, Any]]]:
    """Every entry of a paged answer, and the answers, following `cursor` as the page does."""
    entries: list[Any] = []
    answers: list[dict[str, Any]] = []
    offset = "0"
    while True:
        paging = {"offset" if "search" in path else "cursor": offset}  # the search page sends an offset
        body = await sim.signed_get(path, **params, **paging)
        answers.append(body)
        entries += body.get(key) or []
        if not (body.get("has_more") if "has_more" in body else body.get("hasMore")):
            return entries, answers
        offset = str(body["cursor"])


async def test_search_items_have_the_real_search_items_shape(sim: Sim, real_fixtures: Path) -> None:
    real = load(real_fixtures / "zeeschuimer/zeeschuimer-decoder_example-item_tiktok.json")
    assert "/api/search/item/full/" in real["source_url"] and "offset=0" in real["source_url"]
    items, answers = await walk(sim, "/api/search/item/full/", "item_list", keyword="dance", count="20", from_page="search")
    compare([real["data"]], items)  # every path and type of the real item, but NOT_SIMULATED's
    assert all(isinstance(a["has_more"], int) and not isinstance(a["has_more"], bool) for a in answers)
    assert [a["has_more"] for a in answers][-1] == 0 and all(a["has_more"] == 1 for a in answers[:-1])
    truth = await sim.truth("search/dance")
    assert [i["id"] for i in items] == truth["video_ids"] and len(truth["video_ids"]) > 20


async def test_general_search_and_user_search_list_the_truth(sim: Sim) -> None:
    general, _ = await walk(sim, "/api/search/general/full/", "data", keyword="cats")
    assert all(e["type"] == 1 and e["item"]["id"] for e in general)
    assert [e["item"]["id"] for e in general] == (await sim.truth("search/cats"))["video_ids"]
    users, _ = await walk(sim, "/api/search/user/full/", "user_list", keyword="runs")
    assert [u["user_info"]["unique_id"] for u in users] == (await sim.truth("search/runs"))["usernames"]
    assert all({"uid", "unique_id", "sec_uid", "nickname", "follower_count"} <= u["user_info"].keys() for u in users)


async def test_playlist_detail_and_items(sim: Sim) -> None:
    playlist = max(await sim.truth("playlists"), key=lambda p: p["public_videos"])
    detail = await (await sim.client.get(f"/api/mix/detail/?mixId={playlist['id']}")).json()
    info = detail["mixInfo"]
    assert {"id", "name", "videoCount", "creator", "cover"} <= info.keys()
    assert info["id"] == playlist["id"] and info["creator"]["uniqueId"] == playlist["author"]
    items, _ = await walk(sim, "/api/mix/item_list/", "itemList", mixId=playlist["id"], count="2")
    truth = await sim.truth(f"playlist/{playlist['id']}")
    assert [i["id"] for i in items] == truth["video_ids"] and info["videoCount"] == len(truth["video_ids"]) > 2
    assert all(i["playlistId"] == playlist["id"] for i in items)
    unknown = await (await sim.client.get("/api/mix/detail/?mixId=7455000000000009999")).json()
    assert unknown["statusCode"] == 10204 and "mixInfo" not in unknown
