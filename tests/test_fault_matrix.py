"""The fault matrix (issue #13): every spider family, run under the simulator's hostile faults, ends
`complete` with what it stored equal to the simulator's truth, or `partial` with every gap named in
its `ended` record; then the same command, with the faults off, ends `complete`, and the union of
the two runs equals the truth with no row stored twice (videos once per run and source; comments
and follows once; users once per run). The exit code is always the verdict's.

One hostile simulator for the module, small targets (two pages or so of each list), no media and
no OCR: the data is the point. Targets follow the ones the spiders' own tests use.

TIKTOK_FAULT_MATRIX='{"server_error": 0.4, "truncated": 0.2}' (rates or timings, as for
/__sim__/faults) makes the first runs harsher than the preset, to drive every family to `partial`."""

from __future__ import annotations

import json
import os
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.crawl import FAST, crawl, ended_runs, last_run, lines
from tests.helpers.sim_process import advance, follower_network, running_simulator, truth
from tiktok.run.verdict import EXIT_CODES
from tiktok.simulator.research import liked_rows, shows_likes
from tiktok.simulator.world import EPOCH, World, entity_random

# Hangs of 4 s and slow answers of 1 s, not 10 minutes: the retries can still finish (as test_hostile).
HOSTILE: dict[str, Any] = {
    "preset": "hostile",
    "hang_seconds": 4,
    "slow_seconds": 1,
    **json.loads(os.environ.get("TIKTOK_FAULT_MATRIX") or "{}"),
}
FEED_COUNT = 10
QUERY_NAME = "fm-london"
QUERY = (
    f"name: {QUERY_NAME}\nquery:\n  or:\n    - {{field_name: hashtag_name, operation: IN, field_values: [london]}}\n"
    "start: 2026-04-01\nend: 2026-05-24\nmax_count: 8\n"  # 42 videos: about 7 pages, so that faults meet some
)

pytestmark = pytest.mark.crawl  # every family is a crawl process against the simulator

Missing = dict[str, int]  # what a gap line must contain -> how many things are missing under it


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    # A quota far above what the matrix spends: a `quota` verdict is not what is tested here.
    with running_simulator("--clock-speed", "0.000001", "--faults", "hostile", "--daily-requests", "100000") as base:
        yield base


def sim_get(base: str, path: str) -> Any:
    with urllib.request.urlopen(base + path) as resp:
        return json.load(resp)


def sim_post(base: str, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request) as resp:
        return json.load(resp)


def compare(expected: dict[str, set[Any]], got: dict[str, set[Any]]) -> Missing:
    """What is missing, per label; nothing may be stored that the truth does not have."""
    for label, things in got.items():
        extra = things - expected.get(label, set())
        assert not extra, f"{label}: stored but not in the truth: {sorted(map(str, extra))[:5]}"
    return {label: len(things - got.get(label, set())) for label, things in expected.items() if things - got.get(label, set())}


def videos_by_source(data: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for v in lines(data / "videos.jsonl"):
        out.setdefault(v["source"], set()).add(v["id"])
    return out


def no_duplicates(data: Path) -> None:
    """The project's dedupe keys: videos once per run and source, users once per run, comments and
    follows once across runs."""
    keys: dict[str, Callable[[dict[str, Any]], Any]] = {
        "videos.jsonl": lambda r: (r["run_id"], r["source"], r["id"]),
        "users.jsonl": lambda r: (r["run_id"], r["username"]),
        "comments.jsonl": lambda r: r["id"],
        "follows.jsonl": lambda r: (r["follower"], r["followee"]),
    }
    for name, key in keys.items():
        counted = Counter(key(r) for r in lines(data / name))
        twice = [k for k, n in counted.items() if n > 1]
        assert not twice, f"{name}: stored twice: {twice[:5]}"


def latest_statuses(data: Path) -> dict[tuple[str, str], str]:
    """(username, source) -> the newest status stored."""
    return {(s["username"], s["source"]): s["status"] for s in lines(data / "user_statuses.jsonl")}


def comment_gaps(missing: set[tuple[str, str]], vid: str, replies_label: Callable[[str], str], top_label: str) -> Missing:
    """A missing top-level comment (or a reply whose comment is missing too) must be named by the
    video's comment list; a missing reply of a stored comment by that comment's reply thread."""
    missing_ids = {cid for cid, _ in missing}
    out: Missing = {}
    for _, parent in missing:
        label = top_label if parent == vid or parent in missing_ids else replies_label(parent)
        out[label] = out.get(label, 0) + 1
    return out


# ----------------------------------------------------------------------------- the families
@dataclass(frozen=True)
class Family:
    """A spider and its arguments, and how to tell what of the truth is missing from DATA_DIR."""

    spider: str
    args: Callable[[World, Path], list[str]]
    missing: Callable[[str, World, Path], Missing]


def foryou_missing(base: str, w: World, data: Path) -> Missing:
    # A feed is a new sample each run: the newest run must hold `count` unique videos, each with the
    # counts the simulator has for it now.
    run_id = last_run(data)["run_id"]
    videos = [v for v in lines(data / "videos.jsonl") if v["run_id"] == run_id and v["source"] == "foryou"]
    for v in videos:
        t = truth(base, f"video/{v['id']}")
        got = (v["like_count"], v["view_count"], v["comment_count"])
        assert got == (t["counts"]["likes"], t["counts"]["views"], t["counts"]["comments"]), v["id"]
    short = FEED_COUNT - len({v["id"] for v in videos})
    return {"the For-You feed:": short} if short else {}


def hashtag_missing(base: str, w: World, data: Path) -> Missing:
    tags = {h["name"] for h in lines(data / "hashtags.jsonl")}
    expected = {"#paris:": set(truth(base, "hashtag/paris")["reachable"]) | {"details"}}
    got = {"#paris:": videos_by_source(data).get("hashtag:paris", set()) | ({"details"} if "paris" in tags else set())}
    return compare(expected, got)


def busy_video(w: World, low: int, high: int) -> str:
    """A public video whose comments and replies number between low and high."""
    return next(
        str(w.video_id(v)) for v in range(w.size.videos) if w.public(v, EPOCH) and low <= w.video_counts(v, EPOCH)["comments"] <= high
    )


def video_missing(base: str, w: World, data: Path) -> Missing:
    vid = busy_video(w, 50, 80)
    expected_comments = {(c["id"], c["parent_comment_id"]) for c in truth(base, f"video/{vid}/comments")}
    got_comments = {(c["id"], c["parent_comment_id"]) for c in lines(data / "comments.jsonl")}
    assert got_comments <= expected_comments, sorted(got_comments - expected_comments)[:5]
    out = comment_gaps(
        expected_comments - got_comments, vid, lambda parent: f"video {vid}: replies of comment {parent}", f"video {vid}: comments"
    )
    if vid not in videos_by_source(data).get("video", set()):
        out[f"video {vid}"] = 1
    return out


def profile_user(w: World) -> str:
    """A public profile of 37 videos: two pages of 35."""
    return next(
        w.username(u) for u in range(w.size.users) if not w.u_private[u] and int(w.public_mask(w.user_videos(u), EPOCH).sum()) == 37
    )


def user_missing(base: str, w: World, data: Path) -> Missing:
    name = profile_user(w)
    t = truth(base, f"user/{name}")
    profiles = {u["follower_count"] for u in lines(data / "users.jsonl") if u["username"] == name}
    assert profiles <= {t["stats"]["followers"]}, profiles
    label = f"@{name}:"
    expected = {label: set(t["video_ids"]) | {"profile"}}
    return compare(expected, {label: videos_by_source(data).get(f"user:{name}", set()) | ({"profile"} if profiles else set())})


def small_sound(w: World) -> str:
    """A sound used by 37 public videos: two pages of 30."""
    return next(str(w.music_id(s)) for s in range(w.size.sounds) if int(w.public_mask(w.sound_rows(s), EPOCH).sum()) == 37)


def sound_missing(base: str, w: World, data: Path) -> Missing:
    sid = small_sound(w)
    label = f"sound {sid}:"
    details = {"details"} if any(s["id"] == sid for s in lines(data / "sounds.jsonl")) else set()
    expected = {label: set(truth(base, f"sound/{sid}")["video_ids"]) | {"details"}}
    return compare(expected, {label: videos_by_source(data).get(f"sound:{sid}", set()) | details})


def query_file(data: Path) -> Path:
    path = data.parent / "query.yaml"
    path.write_text(QUERY, encoding="utf-8")
    return path


def research_videos_missing(base: str, w: World, data: Path) -> Missing:
    clause = {"field_name": "hashtag_name", "operation": "IN", "field_values": ["london"]}
    body = {"query": {"or": [clause]}, "start_date": "20260401", "end_date": "20260524"}
    expected = {f"of {QUERY_NAME}:": set(sim_post(base, "/__sim__/truth/research/video_query", body)["video_ids"])}
    return compare(expected, {f"of {QUERY_NAME}:": videos_by_source(data).get(f"research:{QUERY_NAME}", set())})


def research_user_names(w: World) -> list[str]:
    """Eight public users (a request each, so that faults meet some), a refused one, an unknown one."""
    public = [u for u in range(w.size.users) if not w.u_private[u] and not w.u_refused[u]][:8]
    refused = next(u for u in range(w.size.users) if w.u_refused[u])
    return [*map(w.username, public), w.username(refused), "ghost999999"]


def research_users_missing(base: str, w: World, data: Path) -> Missing:
    *public, refused, ghost = research_user_names(w)
    profiles = {(u["username"], u["follower_count"]) for u in lines(data / "users.jsonl")}
    statuses = latest_statuses(data)
    expected = {f"@{name}:": {"parsed", truth(base, f"user/{name}")["stats"]["followers"]} for name in public}
    expected |= {f"@{refused}:": {"refused"}, f"@{ghost}:": {"not_found"}}
    got: dict[str, set[Any]] = {}
    for name in (*public, refused, ghost):
        status = statuses.get((name, "research_users"))
        # An `error` status is a user whose answer was lost: a gap, to be named among the run's.
        got[f"@{name}:"] = ({status} - {"error", None}) | {n for u, n in profiles if u == name}
    return compare(expected, got)


def research_comments_missing(base: str, w: World, data: Path) -> Missing:
    vid = busy_video(w, 120, 300)
    expected = {(c["id"], c["parent_comment_id"]) for c in truth(base, f"video/{vid}/comments")}
    got = {(c["id"], c["parent_comment_id"]) for c in lines(data / "comments.jsonl")}
    assert got <= expected, sorted(got - expected)[:5]
    return comment_gaps(expected - got, vid, lambda parent: f"comment {parent}: replies", f"video {vid}: comments")


def listing_users(w: World) -> list[str]:
    """Three public users whose likes, pins and reposts differ: one shows their likes, two hide them."""
    public = [u for u in range(w.size.users) if not w.u_private[u] and not w.u_refused[u]]
    shows = [u for u in public if shows_likes(w, u) and liked_rows(w, u)]
    hides = [u for u in public if not shows_likes(w, u)]
    return [w.username(u) for u in (shows[0], *hides[:2])]


def user_video_lists(base: str, w: World) -> dict[str, list[int] | None]:
    """The truth of listing_users' liked, pinned and reposted lists by label (None: hidden)."""
    # No truth endpoint lists likes, pins and reposts: they are computed as the simulator's
    # Research API computes them (tiktok/simulator/research.py), at the simulator's time now.
    t = advance(base, 0)
    lists: dict[str, list[int] | None] = {}
    for name in listing_users(w):
        u = w.user_by_name(name)
        assert u is not None
        rows = [int(v) for v in w.user_videos(u) if w.public(int(v), t)]
        lists[f"@{name}: pinned videos"] = rows[-3:] if entity_random(w.seed, "pins", u).random() < 0.5 else []
        r = entity_random(w.seed, "reposts", u)
        lists[f"@{name}: reposted videos"] = [
            v for v in sorted({r.randrange(w.size.videos) for _ in range(r.randint(0, 40))}) if w.public(v, t)
        ]
        lists[f"@{name}: liked videos"] = [v for v, lt in liked_rows(w, u) if lt <= t and w.public(v, t)] if shows_likes(w, u) else None
    return lists


def research_user_videos_missing(base: str, w: World, data: Path) -> Missing:
    by_source, statuses = videos_by_source(data), latest_statuses(data)
    expected: dict[str, set[Any]] = {}
    got: dict[str, set[Any]] = {}
    for label, videos in user_video_lists(base, w).items():
        name, kind = label[1:].split(": ")[0], label.split(": ")[1].split()[0]
        if videos is None:  # hidden: a `refused` status, not a list
            expected[label] = {"refused"}
            got[label] = {statuses[(name, f"research_{kind}")]} - {"error"} if (name, f"research_{kind}") in statuses else set()
        else:
            # An empty list leaves no row and cannot come short: only listed videos are checked.
            expected[label] = {str(w.video_id(v)) for v in videos}
            got[label] = by_source.get(f"{kind}:{name}", set())
    return compare(expected, got)


def network_seed(w: World) -> str:
    return next(w.username(u) for u in range(w.size.users) if w.u_verified[u] and not w.u_private[u] and not w.u_refused[u])


def research_network_missing(base: str, w: World, data: Path) -> Missing:
    # The truth, walked breadth-first to depth 2 the way the spider walks it: a list per hop-0 and
    # hop-1 user, a `refused` status for a user who gives none.
    asked, _ = follower_network(base, network_seed(w), 2)
    expected: dict[str, set[Any]] = {f"@{name}:": {"refused"} if fs is None else {*fs, "parsed"} for name, fs in asked.items()}
    got: dict[str, set[Any]] = {}
    for f in lines(data / "follows.jsonl"):
        got.setdefault(f"@{f['followee']}:", set()).add(f["follower"])
    for (name, _), status in latest_statuses(data).items():
        if status in ("parsed", "refused"):
            got.setdefault(f"@{name}:", set()).add(status)
    # A user's `parsed` status is written when the list is asked; a cut list is named as a gap.
    return compare(expected, got)


FAMILIES: dict[str, Family] = {
    "foryou": Family("foryou", lambda w, d: ["-a", f"count={FEED_COUNT}"], foryou_missing),
    "hashtag": Family("hashtag", lambda w, d: ["-a", "hashtags=paris"], hashtag_missing),
    "video_comments": Family("video", lambda w, d: ["-a", f"ids={busy_video(w, 50, 80)}", "-a", "comments=all"], video_missing),
    "user": Family("user", lambda w, d: ["-a", f"usernames={profile_user(w)}", "-a", "posts=1"], user_missing),
    "sound": Family("sound", lambda w, d: ["-a", f"ids={small_sound(w)}"], sound_missing),
    "research_videos": Family("research_videos", lambda w, d: ["-a", f"query={query_file(d)}"], research_videos_missing),
    "research_users": Family(
        "research_users", lambda w, d: ["-a", f"usernames={','.join(research_user_names(w))}"], research_users_missing
    ),
    "research_comments": Family(
        "research_comments", lambda w, d: ["-a", f"video_ids={busy_video(w, 120, 300)}"], research_comments_missing
    ),
    "research_user_videos": Family(
        "research_user_videos", lambda w, d: ["-a", f"usernames={','.join(listing_users(w))}"], research_user_videos_missing
    ),
    "research_network": Family(
        "research_network",
        lambda w, d: ["-a", f"seeds={network_seed(w)}", "-a", "direction=followers", "-a", "depth=2"],
        research_network_missing,
    ),
}
BROWSER = {"foryou", "hashtag", "user", "sound"}


def checked_run(family: Family, base: str, w: World, data: Path, args: list[str]) -> tuple[dict[str, Any], Missing]:
    """One run: its verdict and exit code agree, and its stored data holds no duplicate."""
    result = crawl(family.spider, base, data, *FAST, *args)
    run = last_run(data)
    assert run["verdict"] in ("complete", "partial"), (run, result.stderr[-3000:])
    assert result.returncode == EXIT_CODES[run["verdict"]], (result.returncode, run)
    no_duplicates(data)
    return run, family.missing(base, w, data)


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.browser) if n in BROWSER else n for n in FAMILIES])
def test_complete_or_every_gap_named_then_filled(name: str, simulator: str, tmp_path: Path, small_world: World) -> None:
    family, data = FAMILIES[name], tmp_path / "data"
    args = family.args(small_world, data)
    sim_post(simulator, "/__sim__/faults", HOSTILE)
    before = sum(sim_get(simulator, "/__sim__/faults")["injected"].values())
    run, missing = checked_run(family, simulator, small_world, data, args)
    injected = sum(sim_get(simulator, "/__sim__/faults")["injected"].values()) - before
    print(f"{name}: {run['verdict']} under {injected} injected faults; missing {missing}; gaps {run['missing']}")
    if run["verdict"] == "complete":
        assert not missing, f"complete, but {missing} missing from the truth: {run}"
        return
    assert run["missing"] and run["fill"], run
    unnamed = {label: n for label, n in missing.items() if not any(label in line for line in run["missing"])}
    assert not unnamed, f"missing but not named among the gaps: {unnamed}; gaps: {run['missing']}"
    sim_post(simulator, "/__sim__/faults", {"preset": "none"})
    try:
        again, still = checked_run(family, simulator, small_world, data, args)
    finally:
        sim_post(simulator, "/__sim__/faults", HOSTILE)
    assert again["verdict"] == "complete" and not still, (still, again)
    assert len(ended_runs(data)) == 2
