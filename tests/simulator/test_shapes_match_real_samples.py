"""Every simulator response kind has the real samples' key paths and value types (a structural
comparison, not a copy): where a real sample has a path, the simulator's value there has the same
type, and every path present in all of a sample's records is present in the simulator's too,
except the few listed with the reason we leave them out."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.simclient import Sim
from tests.simulator.conftest import key_types

# Paths no collector reads that the simulator leaves out, with why.
NOT_SIMULATED = {
    ".video.bitrateInfo[].MVMAF": "a quality metric blob",
    ".video.bitrateInfo[].PlayAddr.FileCs": "a CDN checksum",
    ".video.PlayAddrStruct": "duplicates playAddr; 2025 video page only",
    ".video.videoID": "duplicates video.id; 2025 video page only",
    ".video.subtitleInfos": "present only on videos with captions; checked in test_media",
    ".video.downloadAddr": "absent from 2025 item lists; the simulator drops it on half the items",
    ".IsAigc": "AI label flag; not modelled",
    ".channelTags": "always empty in the sample",
    ".diversificationLabels": "topic labels; not modelled",
    ".indexEnabled": "SEO flag",
    ".isReviewing": "moderation flag",
    ".scheduleTime": "creator tool",
    ".suggestedWords": "search suggestions",
    ".takeDown": "moderation flag",
    ".warnInfo": "always empty in the sample",
    ".effectStickers": "present only on videos with effects",
    ".video.bitrateInfo[].BitrateFPS": "encoding detail",
    ".video.bitrateInfo[].Format": "encoding detail",
    ".video.bitrateInfo[].VideoExtra": "encoding detail",
    ".music.tt2dsp": "links to streaming services",
    ".video.claInfo.": "caption details: present only on videos with captions; checked in test_media",
    ".stickersOnItem": "present only on videos with stickers",
}


def union(objs: list[Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for obj in objs:
        for path, types in key_types(obj).items():
            out.setdefault(path, set()).update(types)
    return out


def always(objs: list[Any]) -> set[str]:
    sets = [set(key_types(o)) for o in objs]
    return set.intersection(*sets) if sets else set()


def compare(real: list[Any], simulated: list[Any], required: bool = True) -> None:
    real_types, sim_types = union(real), union(simulated)
    mismatched = {
        p: (sorted(real_types[p]), sorted(sim_types[p]))
        for p in real_types.keys() & sim_types.keys()
        if (sim_types[p] - {"NoneType"}) - (real_types[p] - {"NoneType"}) and real_types[p] - {"NoneType"}
    }
    assert not mismatched, f"types differ from the real sample (real, simulated): {mismatched}"
    if required:
        missing = {
            p
            for p in always(real) - sim_types.keys()
            if not any(p.startswith(skip) for skip in NOT_SIMULATED) and real_types[p] != {"NoneType"}
        }
        assert not missing, f"paths every real record has but the simulator lacks: {sorted(missing)}"


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def universal(path: Path) -> dict[str, Any]:
    match = re.search(r'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__"[^>]*>(.*?)</script>', path.read_text(), re.S)
    assert match
    return json.loads(match.group(1))["__DEFAULT_SCOPE__"]  # type: ignore[no-any-return]


async def foryou_items(sim: Sim, pages: int = 6) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    envelopes, items = [], []
    for _ in range(pages):
        body = await sim.signed_get("/api/recommend/item_list/", count="30", aid="1988")
        envelopes.append(body)
        items += body["itemList"]
    return envelopes, items


async def test_recommend_item_list(sim: Sim, real_fixtures: Path) -> None:
    real = load(real_fixtures / "web_api_json/item_list_2025-01_sherifcodeur_1.json")
    envelopes, items = await foryou_items(sim)
    compare([{k: v for k, v in real.items() if k != "itemList"}], [{k: v for k, v in e.items() if k != "itemList"} for e in envelopes])
    compare(real["itemList"], items)


async def test_video_page(sim: Sim, real_fixtures: Path) -> None:
    real = universal(real_fixtures / "web_html/video_detail_universal_2025-07_rimineuit.html")
    _, items = await foryou_items(sim, pages=1)
    pages = [await sim.page_state(f"/@{it['author']['uniqueId']}/video/{it['id']}") for it in items[:10]]
    assert all(set(real) == set(p) for p in pages)
    real_detail = real["webapp.video-detail"]
    compare(
        [{k: v for k, v in real_detail.items() if k != "itemInfo"}],
        [{k: v for k, v in p["webapp.video-detail"].items() if k != "itemInfo"} for p in pages],
    )
    compare([real_detail["itemInfo"]["itemStruct"]], [p["webapp.video-detail"]["itemInfo"]["itemStruct"] for p in pages])


async def test_profile_page(sim: Sim, real_fixtures: Path) -> None:
    real = universal(real_fixtures / "web_html/user_profile_universal_2025-08_tuanmjnh.html")["webapp.user-detail"]
    users = [u["username"] for u in await sim.truth("users")][:8]
    pages = [(await sim.page_state(f"/@{name}"))["webapp.user-detail"] for name in users]
    compare([real], pages)


async def test_item_detail(sim: Sim, real_fixtures: Path) -> None:
    real = load(real_fixtures / "web_api_json/item_detail_2022-12_aladynjr_response.json")
    _, items = await foryou_items(sim, pages=1)
    answers = [await (await sim.client.get(f"/api/item/detail/?itemId={it['id']}")).json() for it in items[:5]]
    compare([{k: v for k, v in real.items() if k != "itemInfo"}], [{k: v for k, v in a.items() if k != "itemInfo"} for a in answers])


async def test_comment_lists(sim: Sim, real_fixtures: Path) -> None:
    reals = [load(p) for p in sorted((real_fixtures / "web_api_json").glob("comment_list_*.json"))]
    _, items = await foryou_items(sim, pages=1)
    busiest = max(items, key=lambda it: int(it["statsV2"]["commentCount"]))
    answer = await (await sim.client.get(f"/api/comment/list/?aweme_id={busiest['id']}&count=20&cursor=0")).json()
    assert answer["comments"], "the busiest For-You video should have comments"
    compare([{k: v for k, v in r.items() if k != "comments"} for r in reals], [{k: v for k, v in answer.items() if k != "comments"}])
    real_comments = [c for r in reals for c in r["comments"]]
    # A comment's user has ~30 app keys that are null in the samples; only the ones with values count.
    compare(real_comments, answer["comments"], required=False)
    required = {"cid", "aweme_id", "text", "create_time", "digg_count", "reply_comment_total", "reply_id", "user"}
    assert all(required <= c.keys() for c in answer["comments"])
    assert all({"uid", "unique_id", "sec_uid", "nickname", "avatar_thumb"} <= c["user"].keys() for c in answer["comments"])


async def test_challenge_detail(sim: Sim, real_fixtures: Path) -> None:
    real = load(real_fixtures / "web_api_json/legacy_challenge_detail_2020-10_drawrowfly_mock.json")["challengeInfo"]
    answer = await (await sim.client.get("/api/challenge/detail/?challengeName=london")).json()
    compare([{"challenge": real["challenge"], "stats": real["stats"]}], [answer["challengeInfo"]])


async def test_research_video_query(sim: Sim, real_fixtures: Path) -> None:
    folder = real_fixtures / "research_api/c4d_tiktok-library"
    real = [load(folder / "api_videos_response_page_1_of_2.json"), load(folder / "api_videos_response_unicode_with_null_bytes.json")]
    fields = (
        "id,video_description,create_time,region_code,share_count,view_count,like_count,"
        "comment_count,music_id,hashtag_names,username,effect_ids"
    )
    query = {"or": [{"field_name": "region_code", "operation": "IN", "field_values": ["US", "GB", "FR"]}]}
    status, answer = await sim.research(
        "video/query", {"query": query, "start_date": "20260501", "end_date": "20260530", "max_count": 100}, fields
    )
    assert status == 200 and answer["data"]["videos"]
    compare(
        [{k: v for k, v in r["data"].items() if k != "videos"} for r in real[:1]],
        [{k: v for k, v in answer["data"].items() if k != "videos"}],
    )
    compare([v for r in real for v in r["data"]["videos"]], answer["data"]["videos"], required=False)
    compare([{"error": r["error"]} for r in real], [{"error": answer["error"]}])


async def test_research_comments(sim: Sim, real_fixtures: Path) -> None:
    real = load(real_fixtures / "research_api/c4d_tiktok-library/api_comments_response.json")
    _, items = await foryou_items(sim, pages=1)
    busiest = max(items, key=lambda it: int(it["statsV2"]["commentCount"]))
    status, answer = await sim.research(
        "video/comment/list", {"video_id": int(busiest["id"]), "max_count": 10}, "id,video_id,text,like_count,parent_comment_id,create_time"
    )
    assert status == 200 and answer["data"]["comments"]
    compare(real["data"]["comments"], answer["data"]["comments"])
    compare([{k: v for k, v in real["data"].items() if k != "comments"}], [{k: v for k, v in answer["data"].items() if k != "comments"}])


async def test_research_user_info_and_errors(sim: Sim, real_fixtures: Path) -> None:
    doc = load(real_fixtures / "research_api/doc_examples_via_traktok/example_resp_q_user.json")
    fields = ",".join(k for k in doc["data"] if k != "username")
    name = next(u["username"] for u in await sim.truth("users") if not u["private"] and not u["refused"])
    status, answer = await sim.research("user/info", {"username": name}, fields)
    assert status == 200
    compare([{k: v for k, v in doc["data"].items() if k != "username"}], [answer["data"]])
    observed = load(real_fixtures / "research_api/observed_errors/invalid_params_invalid_count_or_cursor_2024-10-09.json")
    status, answer = await sim.research("video/query", {"query": {"and": []}, "start_date": "20260501", "end_date": "20260502"}, "id")
    assert status == 400 and answer["error"]["code"] == observed["error"]["code"] == "invalid_params"
    compare([observed], [answer])
