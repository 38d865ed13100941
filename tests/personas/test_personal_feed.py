"""The simulator's personal For-You feed, in-process: a visitor that lingers on #london and #paris
videos is shown more of them, one that watches everything alike is not; likes, follows and the
browser's language are learned; the truth says what was learned and served."""

from __future__ import annotations

from typing import Any

import pytest

from tests.simclient import Sim
from tiktok.simulator.app import make_app
from tiktok.simulator.world import World

INTERESTS = {"london", "paris"}


@pytest.fixture(scope="module")
def world() -> World:
    """The medium world (served by conftest's `sim`): the small one has too few recent #london videos to drift."""
    return World(7, "medium")


def matches(world: World, item: dict[str, Any]) -> bool:
    v = world.video_by_id(item["id"])
    assert v is not None
    return bool(INTERESTS & {world.hashtag_names[h] for h in world.hashtags_of(v)})


async def visit(sim: Sim, world: World, answers: int, long_ms: int, short_ms: int, language: str = "en-US") -> tuple[str, list[bool]]:
    """A new visitor reading `answers` answers of 10, reporting each play as the page does: long on
    matching videos, short on others. Returns its session and whether each video shown matched."""
    sim.client.session.cookie_jar.clear()
    await sim.client.get("/foryou")
    session = next(c.value for c in sim.client.session.cookie_jar if c.key == "ttwid")
    shown = []
    for _ in range(answers):
        body = await sim.signed_get("/api/recommend/item_list/", aid="1988", count="10", browser_language=language, tz_name="UTC")
        for item in body["itemList"]:
            shown.append(matches(world, item))
            play = long_ms if shown[-1] else short_ms
            report = await sim.client.post("/api/report/watch/", json={"item_id": item["id"], "play_ms": play, "finished": False})
            assert report.status == 200
    return session, shown


def share(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


async def test_a_visitor_lingering_on_its_interests_drifts_and_the_control_does_not(sim: Sim, world: World) -> None:
    session, shown = await visit(sim, world, 12, long_ms=9000, short_ms=900)
    control_session, control = await visit(sim, world, 12, long_ms=2000, short_ms=2000)
    assert share(shown[:30]) < 0.3 and share(shown[-40:]) > 0.6, shown
    assert share(control[-40:]) < 0.25, control
    truth = await (await sim.client.get(f"/__sim__/truth/persona/{session}?hashtags=london,paris")).json()
    assert truth["matching"] == shown and truth["events"]["watches"] == 120
    learned = truth["affinity"]["hashtags"]  # strongest first; tags that come with the interests rise too
    assert set(list(learned)[:5]) >= INTERESTS and min(learned[h] for h in INTERESTS) > 1, learned
    control_truth = await (await sim.client.get(f"/__sim__/truth/persona/{control_session}")).json()
    assert max(control_truth["affinity"]["hashtags"].values(), default=0.0) < 0.01, "equal plays teach nothing"


async def test_likes_follows_and_language_are_learned(sim: Sim, world: World) -> None:
    session, _ = await visit(sim, world, 1, 1000, 1000, language="en-GB")
    body = await sim.signed_get("/api/recommend/item_list/", aid="1988", count="2")
    first, second = body["itemList"]
    liked = await (await sim.client.post(f"/api/commit/item/digg/?aweme_id={first['id']}&type=1")).json()
    followed = await (await sim.client.post(f"/api/commit/follow/user/?user_id={second['author']['id']}&type=1")).json()
    assert liked["is_digg"] == 1 and followed["follow_status"] == 1
    truth = await (await sim.client.get(f"/__sim__/truth/persona/{session}")).json()
    assert truth["region"] == "GB" and truth["events"]["likes"] == 1 and truth["events"]["follows"] == 1
    assert truth["affinity"]["creators"][second["author"]["uniqueId"]] >= 2 * 0.99
    listed = await (await sim.client.get("/__sim__/truth/personas")).json()
    assert [v["session"] for v in listed] == [session]


async def test_the_popular_feed_switch_serves_everyone_alike(aiohttp_client: Any, world: World) -> None:
    """`--feed popular` (make_app(personal_feed=False)): the same lingering visitor does not drift."""
    sim = Sim(await aiohttp_client(make_app(world=world, clock_speed=0.0, personal_feed=False)))
    _, shown = await visit(sim, world, 12, long_ms=9000, short_ms=900)
    assert share(shown[-40:]) < 0.25, shown


async def test_the_truth_gives_each_served_videos_features_and_each_play_reported(sim: Sim, world: World) -> None:
    """?features=1: for each video served, in order, what the answers showed of it (author, the
    challenges' titles, the music id), so an audit's diversity can be checked against it; and
    every play report as the page sent it, so a recorded dwell can be checked against it."""
    sim.client.session.cookie_jar.clear()
    await sim.client.get("/foryou")
    session = next(c.value for c in sim.client.session.cookie_jar if c.key == "ttwid")
    shown = []
    for _ in range(2):
        shown += (await sim.signed_get("/api/recommend/item_list/", aid="1988", count="10"))["itemList"]
    truth = await (await sim.client.get(f"/__sim__/truth/persona/{session}?features=1")).json()
    expected = [
        {"id": item["id"], "creator": item["author"]["uniqueId"], "hashtags": [c["title"] for c in item.get("challenges", [])],
         "sound": item["music"]["id"]}
        for item in shown
    ]  # fmt: skip
    assert truth["served_features"] == expected and [f["id"] for f in expected] == truth["served"]
    assert len(expected) == 20 and any(f["hashtags"] for f in expected)
    reports = [
        {"item_id": shown[0]["id"], "play_ms": 1234.5, "finished": False},
        {"item_id": shown[1]["id"], "play_ms": 99999, "finished": True},
    ]
    for report in reports:
        assert (await sim.client.post("/api/report/watch/", json=report)).status == 200
    plain = await (await sim.client.get(f"/__sim__/truth/persona/{session}")).json()
    assert "served_features" not in plain
    assert plain["plays"] == [{"id": r["item_id"], "play_ms": r["play_ms"], "finished": r["finished"]} for r in reports]
