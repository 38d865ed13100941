"""`--latency-ms`: the simulator answers like a remote site, every answer a round trip late, without
one wait holding up the others; its /__sim__/ control and truth answers come at once (the tests and
benches read them). Bad values are one line and exit 2."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tiktok.simulator.__main__ import main
from tiktok.simulator.app import Latency, make_app
from tiktok.simulator.world import World


async def timed(client: Any, path: str) -> float:
    started = time.monotonic()
    resp = await client.get(path)
    assert resp.status == 200, path
    await resp.read()
    return time.monotonic() - started


async def test_every_answer_waits_the_latency_at_once_but_the_truth_does_not(aiohttp_client: Any, small_world: World) -> None:
    client = await aiohttp_client(make_app(world=small_world, latency_ms=400))
    paths = ["/api/challenge/detail/?challengeName=london"] * 6 + ["/tag/london", "/foryou"]
    started = time.monotonic()
    waits = await asyncio.gather(*(timed(client, p) for p in paths), timed(client, "/__sim__/counters"))
    together = time.monotonic() - started
    *answers, truth = waits
    assert min(answers) >= 0.4  # each answer a round trip late
    assert together < 0.4 * len(answers) / 2  # the waits overlap: one does not hold up the next
    assert truth < 0.4  # the control and truth endpoints are not delayed


def test_jitter_spreads_the_wait_around_the_latency() -> None:
    latency = Latency(150, 50, seed=7)
    draws = [latency.draw() for _ in range(500)]
    assert all(0.1 <= d <= 0.2 for d in draws)
    assert len(set(draws)) > 400 and abs(sum(draws) / len(draws) - 0.15) < 0.01
    assert Latency(150, 50, seed=7).draw() == draws[0]  # seeded: the same spread each run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--latency-ms", "-5"], "argument --latency-ms: -5 is negative; give 0 or more"),
        (["--latency-ms", "100", "--latency-jitter-ms", "150"], "--latency-jitter-ms 150 is above --latency-ms 100"),
    ],
)
def test_bad_latency_is_one_line_and_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and message in err
