"""Shared fixtures: the real samples (skipped with a reason when absent) and simulator clients."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.simclient import Sim
from tiktok.simulator.app import make_app
from tiktok.simulator.world import World

DEFAULT_REAL = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real"

# Test files that share one session fixture too costly to build twice: pytest-xdist runs each group
# in one worker (as it does each file), so the eight-hour crawl of tests/analysis/conftest.py
# (`crawled`, about two minutes) is made once per `make test`, not once per worker.
SHARED_SESSION = {
    "tests/analysis/test_truth.py": "hourly crawl",
    "tests/analysis/test_commands_and_notebooks.py": "hourly crawl",
}


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadFileScheduling

    class SharedSessionScheduling(LoadFileScheduling):  # type: ignore[misc]  # xdist is untyped
        def _split_scope(self, nodeid: str) -> str:
            scope = str(super()._split_scope(nodeid))
            return SHARED_SESSION.get(scope, scope)

    return SharedSessionScheduling(config, log)


@pytest.fixture(scope="session")
def real_fixtures() -> Path:
    path = Path(os.environ.get("TIKTOK_REAL_FIXTURES", DEFAULT_REAL))
    if not path.is_dir():
        pytest.skip(f"real TikTok samples not found at {path}; set TIKTOK_REAL_FIXTURES to their folder")
    return path


@pytest.fixture(scope="session")
def small_world() -> World:
    return World(7, "small")


@pytest.fixture
def world(small_world: World) -> World:
    """The world `sim` serves: the small one, unless a test module overrides this fixture."""
    return small_world


@pytest.fixture
async def sim(aiohttp_client: Any, world: World) -> Sim:
    """A simulator on `world` with its clock frozen; tests move it with sim.advance()."""
    return Sim(await aiohttp_client(make_app(world=world, clock_speed=0.0)))
