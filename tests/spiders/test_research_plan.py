"""`-a plan=1` of research_users, research_comments and research_network against what the same
run then spends on the simulator, counted by the simulator itself (/__sim__/counters): the plan's
requests bound the run's, its records are the comments stored, and it sends only what it says."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.crawl import ended_runs, lines
from tests.helpers.crawl_sequence import QUICK, run_sequence
from tests.helpers.sim_process import running_simulator
from tiktok.research.plan import count_queries
from tiktok.simulator.world import EPOCH, World

pytestmark = pytest.mark.crawl
API = "/v2/research/"


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.000001") as base:  # the counts stay as the plan read them
        yield base


def requests_planned(text: str) -> tuple[int, int]:
    """(fewest, most) from the plan's `Requests:` line."""
    found = re.search(r"Requests: (?:from )?([\d,]+)(?: to ([\d,]+))? \(", text)
    assert found, text
    low = int(found[1].replace(",", ""))
    return low, int(found[2].replace(",", "")) if found[2] else low


def number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, (pattern, text)
    return int(found[1].replace(",", ""))


def test_each_plan_bounds_what_the_run_then_spends(simulator: str, tmp_path: Path, small_world: World) -> None:
    w = small_world
    public = [u for u in range(w.size.users) if not w.u_private[u] and not w.u_refused[u]]
    refused = next(u for u in range(w.size.users) if w.u_refused[u])
    users = [w.username(public[0]), w.username(refused), "ghost999999"]
    videos = [str(w.video_id(v)) for v in range(w.size.videos) if w.public(v, EPOCH) and 5 <= w.video_counts(v, EPOCH)["comments"] <= 150][
        :4
    ]
    seed = next(w.username(u) for u in public if w.u_verified[u])
    counters, reset = {"get": f"{simulator}/__sim__/counters"}, {"post": f"{simulator}/__sim__/counters/reset", "body": {}}

    def crawl(spider: str, data: str, **args: str) -> dict[str, Any]:
        settings = {"DATA_DIR": str(tmp_path / data), "TIKTOK_API_URL": simulator, **QUICK}
        return {"crawl": spider, "args": args, "settings": settings}

    plans = {
        "users": crawl("research_users", "u", usernames=",".join(users), plan="1"),
        "comments": crawl("research_comments", "c", video_ids=",".join(videos), plan="1"),
        "network": crawl("research_network", "n", seeds=seed, direction="followers", depth="1", plan="1"),
    }
    runs = {
        "users": crawl("research_users", "u", usernames=",".join(users)),
        "comments": crawl("research_comments", "c", video_ids=",".join(videos)),
        "network": crawl("research_network", "n", seeds=seed, direction="followers", depth="1"),
    }
    steps = [step for name in plans for step in (reset, plans[name], counters, reset, runs[name], counters)]
    results = iter(run_sequence(steps, tmp_path))
    seen: dict[str, tuple[str, dict[str, int], dict[str, int]]] = {}
    for name in plans:
        _, plan, by_plan, _, _, by_run = (next(results) for _ in range(6))
        seen[name] = (plan["stdout"], by_plan["answer"], by_run["answer"])

    text, by_plan, by_run = seen["users"]
    assert requests_planned(text) == (3, 3) and "Sent for this plan: nothing." in text
    assert API + "user/info/" not in by_plan and by_run[API + "user/info/"] == 3

    text, by_plan, by_run = seen["comments"]
    low, high = requests_planned(text)
    stored = len(lines(tmp_path / "c" / "comments.jsonl"))
    assert number(r"Records: ([\d,]+)", text) == stored > 0  # the API's counts are the comments and replies a run gets
    windows = count_queries(videos)  # 30-day windows from the ids' posting days, up to 100 ids each
    assert by_plan[API + "video/query/"] == number(r"Sent for this plan: (\d+) request", text) == len(windows) < len(videos)
    assert API + "video/comment/list/" not in by_plan
    assert low <= by_run[API + "video/comment/list/"] <= high and low == len(videos)

    text, by_plan, by_run = seen["network"]
    low, high = requests_planned(text)
    assert by_plan[API + "user/info/"] == 1 and API + "user/followers/" not in by_plan
    assert low <= by_run[API + "user/followers/"] <= high
    for data in ("u", "c", "n"):  # each plan is on record as a plan, the run after it as a collection
        assert [r["purpose"] for r in ended_runs(tmp_path / data)] == ["plan", "collect"]
