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
