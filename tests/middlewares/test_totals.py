"""Two hashtag crawls an hour apart (simulated) store two totals rows per hashtag, each equal to
what the simulator's truth gives at that time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.crawl import lines
from tests.helpers.crawl_sequence import QUICK, run_sequence
from tests.helpers.sim_process import running_simulator, truth
from tiktok.middlewares.totals import totals_of
from tiktok.schema.items import Playlist, Sound

TAGS = ("london", "paris")


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.000001") as base:  # time moves only when the test moves it
        yield base


def reported(base: str, tag: str) -> tuple[int, int]:
    """A hashtag's public videos and their summed views now: what its detail must report."""
    ids = truth(base, f"hashtag/{tag}")["video_ids"]
    return len(ids), sum(truth(base, f"video/{vid}")["counts"]["views"] for vid in ids)


@pytest.mark.crawl
def test_two_crawls_an_hour_apart_give_two_readings_per_hashtag(simulator: str, tmp_path: Path) -> None:
    settings = {"DATA_DIR": str(tmp_path / "data"), "TIKTOK_WEB_URL": simulator, **QUICK}
    crawl = {"crawl": "hashtag", "args": {"hashtags": ",".join(TAGS), "posts": "0"}, "settings": settings}  # posts=0: no page
    before = {tag: reported(simulator, tag) for tag in TAGS}
    run_sequence([crawl, {"post": f"{simulator}/__sim__/clock", "body": {"advance": 3600}}, crawl], tmp_path)
    after = {tag: reported(simulator, tag) for tag in TAGS}
    rows = lines(tmp_path / "data" / "totals.jsonl")
    # The runs in the order they read (simulated time): two run ids made in the same second sort by their random tail.
    runs = sorted({r["run_id"] for r in rows}, key=lambda run: min(r["observed_at"] for r in rows if r["run_id"] == run))
    got = sorted((r["name"], runs.index(r["run_id"]), r["video_count"], r["view_count"]) for r in rows)
    assert got == sorted((tag, hour, *counts[tag]) for hour, counts in enumerate((before, after)) for tag in TAGS)
    assert before["london"][1] < after["london"][1]  # the views grew in the hour: the two readings differ
    times = sorted({r["observed_at"] for r in rows})
    assert len(times) == 2 and times[1][11:13] != times[0][11:13]  # an hour apart, in the data's own time
    assert len(lines(tmp_path / "data" / "hashtags.jsonl")) == len(TAGS)  # the catalogue keeps each hashtag once


def test_a_playlist_or_sound_with_a_count_is_a_reading_and_without_one_is_none() -> None:
    playlist = Playlist(id="7455", name="Best of", video_count=12, source="playlist:7455", scraped_at="2026-04-02T10:00:00Z")
    row = totals_of(playlist)
    assert row is not None and (row.kind, row.id, row.name, row.video_count, row.view_count) == ("playlist", "7455", "Best of", 12, None)
    assert row.observed_at == "2026-04-02T10:00:00Z" and row.run_id is None
    assert totals_of(Playlist(id="7455")) is None and totals_of(Sound(id="1")) is None
