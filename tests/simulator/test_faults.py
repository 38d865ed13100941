"""Faults appear at their configured rates, deterministically for a seed, and each kind looks like
the real failure it stands for."""

from __future__ import annotations

import json
import math
from typing import Any

from tests.simclient import Sim
from tiktok.simulator.app import make_app
from tiktok.simulator.faults import Faults
from tiktok.simulator.world import World


async def test_no_faults_by_default(sim: Sim) -> None:
    for _ in range(100):
        assert (await sim.client.get("/api/challenge/detail/?challengeName=london")).status == 200
    assert (await (await sim.client.get("/__sim__/faults")).json())["injected"] == {}


async def test_server_errors_at_their_rate(sim: Sim) -> None:
    await sim.client.post("/__sim__/faults", json={"server_error": 0.3})
    n = 600
    statuses = [(await sim.client.get("/api/challenge/detail/?challengeName=london")).status for _ in range(n)]
    failures = sum(s in (500, 504) for s in statuses)
    assert abs(failures - 0.3 * n) < 4 * math.sqrt(n * 0.3 * 0.7)  # within four standard deviations
    assert set(statuses) == {200, 500, 504}
    injected = (await (await sim.client.get("/__sim__/faults")).json())["injected"]
    assert injected == {"server_error": failures}


async def test_research_faults_look_real(sim: Sim) -> None:
    await sim.token()  # before the faults: the token endpoint meets them too
    await sim.client.post("/__sim__/faults", json={"rate_limit": 1.0})
    status, answer = await sim.research("user/info", {"username": "x"}, "display_name")
    assert status == 429 and answer["error"]["code"] == "rate_limit_exceeded"
    await sim.client.post("/__sim__/faults", json={"rate_limit": 0.0, "truncated": 1.0})
    resp = await sim.client.post(
        "/v2/research/user/info/?fields=display_name",
        data=json.dumps({"username": "nobody1"}),
        headers={"Authorization": f"Bearer {await sim.token()}"},
    )
    text = await resp.text()
    try:
        json.loads(text)
        raise AssertionError("a truncated body should not parse")
    except ValueError:
        pass
    await sim.client.post("/__sim__/faults", json={"truncated": 0.0, "invalid_cursor": 1.0})
    query = {"and": [{"field_name": "hashtag_name", "operation": "EQ", "field_values": ["fyp"]}]}
    status, answer = await sim.research("video/query", {"query": query, "start_date": "20260502", "end_date": "20260530"}, "id")
    assert status == 200  # a first page is never refused for its cursor
    body = {"query": query, "start_date": "20260502", "end_date": "20260530", "cursor": 20, "search_id": answer["data"]["search_id"]}
    status, answer = await sim.research("video/query", body, "id")
    assert status == 400 and answer["error"]["message"] == "Invalid count or cursor"


async def test_captcha_after_a_burst_of_pages(aiohttp_client: Any, small_world: World) -> None:
    sim = Sim(await aiohttp_client(make_app(world=small_world, faults="hostile")))
    texts = [await (await sim.client.get("/tag/london")).text() for _ in range(12)]
    assert "captcha-verify-container" not in texts[0]
    assert any("captcha-verify-container" in t for t in texts[8:])


def test_same_seed_same_faults() -> None:
    runs = []
    for _ in range(2):
        faults = Faults.preset(7, "flaky")
        runs.append([faults.roll("server_error") for _ in range(500)])
    assert runs[0] == runs[1] and any(runs[0])


async def test_bad_fault_settings_are_refused(sim: Sim) -> None:
    for body in ({"preset": "angry"}, {"server_errors": 0.1}, {"slow": 2}):
        resp = await sim.client.post("/__sim__/faults", json=body)
        assert resp.status == 400
