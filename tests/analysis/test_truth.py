"""The analysis of data crawled from the simulator over eight hours, checked against the
simulator's truth: what it made viral, its follow graph, its creators' likes; hashtag tables
against a direct count of the file."""

from __future__ import annotations

import json
from collections import Counter

import networkx as nx
import pandas as pd
import pytest

import tiktok.analysis as ta
from tests.analysis.conftest import HOURS, Crawled
from tests.helpers.sim_process import truth
from tests.helpers.truth_measures import bursting_videos, expected_creators, expected_sounds, expected_videos, precision_recall

pytestmark = [pytest.mark.browser, pytest.mark.crawl]  # the data comes from browser crawls (conftest.py)


def report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    with capsys.disabled():
        print(f"\n  {line}")


def test_viral_videos_are_the_ones_the_simulator_made_viral(crawled: Crawled, capsys: pytest.CaptureFixture[str]) -> None:
    videos = ta.load(crawled.data, "videos")
    ranking = ta.viral_videos(videos)  # the default: a peak of likes per hour that is an outlier on the log scale
    seen_twice = set(ranking["id"])
    # viral in truth and bursting between two snapshots the crawl made of it
    bursting = {v["id"] for v in bursting_videos(crawled.base, crawled.first, crawled.last)}
    expected = expected_videos(crawled.base, crawled.first, crawled.last, ranking)
    flagged = set(ranking.loc[ranking["viral"], "id"])
    precision, recall = precision_recall(flagged, expected)
    report(capsys, f"viral videos: precision {precision:.2f}, recall {recall:.2f} ({len(flagged)} flagged, {len(expected)} in truth)")
    assert expected, "the window must hold bursting viral videos seen twice"
    assert bursting <= seen_twice, "the For-You feed surfaces every bursting viral video at least twice"
    assert (precision, recall) == (1.0, 1.0)


def test_viral_creators_are_the_creators_of_bursting_videos(crawled: Crawled, capsys: pytest.CaptureFixture[str]) -> None:
    videos, users = ta.load(crawled.data, "videos"), ta.load(crawled.data, "users")
    ranking = ta.viral_creators(videos, users)
    expected = expected_creators(crawled.base, crawled.first, crawled.last)
    flagged = set(ranking.loc[ranking["viral"], "username"])
    precision, recall = precision_recall(flagged, expected)
    report(capsys, f"viral creators: precision {precision:.2f}, recall {recall:.2f} ({sorted(flagged)} vs truth {sorted(expected)})")
    assert (precision, recall) == (1.0, 1.0)
    # the follower counts are the exact ones of the profiles, at the simulator's clock
    profiles = users.loc[users["source"] == "user:" + users["username"]]
    last = profiles.sort_values("scraped_at").drop_duplicates("username", keep="last").set_index("username")
    for name in expected:
        assert int(last.loc[name, "follower_count"]) == truth(crawled.base, f"user/{name}")["stats"]["followers"]


def test_viral_sounds_count_the_unique_videos_using_them(crawled: Crawled) -> None:
    videos = ta.load(crawled.data, "videos")
    usage = ta.sound_usage(videos, freq="1D")
    final = usage.groupby("music_id")["videos_so_far"].last()
    seen: dict[str, set[str]] = {}
    for line in (crawled.data / "videos.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        seen.setdefault(record["music_id"], set()).add(record["id"])
    assert final.to_dict() == {sound: len(ids) for sound, ids in seen.items()}
    for sound in list(seen)[:5]:  # every video counted does use the sound, per the simulator
        assert seen[sound] <= set(truth(crawled.base, f"sound/{sound}")["video_ids"])


def test_viral_sounds_are_the_ones_the_simulator_spreads(crawled: Crawled, capsys: pytest.CaptureFixture[str]) -> None:
    videos = ta.load(crawled.data, "videos")
    ranking = ta.viral_sounds(videos)
    # spreading in truth, with at least the measure's minimum of public videos posted since it began,
    # and enough videos in all for its test
    expected = expected_sounds(crawled.base, crawled.last, min_videos=ranking.attrs["min_videos"])
    flagged = set(ranking.loc[ranking["viral"], "music_id"])
    precision, recall = precision_recall(flagged, expected)
    report(capsys, f"viral sounds: precision {precision:.2f}, recall {recall:.2f} ({sorted(flagged)} vs truth {sorted(expected)})")
    assert expected, "the window must hold a spreading sound with new videos"
    assert (precision, recall) == (1.0, 1.0)
    most_used = videos.drop_duplicates("id")["music_id"].value_counts().index[0]
    assert most_used not in expected and not ranking.set_index("music_id").loc[most_used, "viral"]  # popular is not viral


def test_hashtag_counts_equal_a_direct_count(crawled: Crawled) -> None:
    records = [json.loads(line) for line in (crawled.data / "videos.jsonl").read_text(encoding="utf-8").splitlines()]
    videos = ta.load(crawled.data, "videos")
    for source in (None, "hashtag:fyp", "foryou"):
        chosen = {r["id"]: r for r in records if source is None or r["source"] == source}
        direct = Counter(tag.lower() for r in chosen.values() for tag in set(r["hashtag_names"] or []))
        if source == "hashtag:fyp":
            direct.pop("fyp")
        table = ta.top_hashtags(videos, top=1000, source=source)
        assert dict(zip(table["hashtag"], table["posts"], strict=True)) == dict(direct)
        assert table.attrs["posts"] == len(chosen)
        assert list(table["ratio"]) == [n / len(chosen) for n in table["posts"]]
    fyp = truth(crawled.base, "hashtag/fyp")["video_ids"]
    assert set(fyp) <= {r["id"] for r in records if r["source"] == "hashtag:fyp"}  # the last crawl took every #fyp video


def test_network_figures_match_networkx_on_the_simulators_graph(crawled: Crawled) -> None:
    follows = ta.load(crawled.data, "follows")
    graph = ta.network.follow_graph(follows)
    own = nx.DiGraph()  # the simulator's own graph: every listable user's following list (the API lists public accounts)
    for user in truth(crawled.base, "users"):
        if user["private"] or user["refused"]:
            continue
        own.add_edges_from((user["username"], followee) for followee in truth(crawled.base, f"user/{user['username']}")["public_following"])
    assert set(graph.edges) == set(own.edges)
    figures = ta.network.summary(graph)
    undirected = own.to_undirected()
    assert figures["nodes"] == own.number_of_nodes() and figures["edges"] == own.number_of_edges()
    assert figures["reciprocity"] == pytest.approx(nx.reciprocity(own))
    assert figures["average_clustering"] == pytest.approx(nx.average_clustering(undirected))
    assert figures["transitivity"] == pytest.approx(nx.transitivity(undirected))
    assert figures["weak_components"] == nx.number_weakly_connected_components(own)
    assert figures["largest_strong_component"] == max(len(c) for c in nx.strongly_connected_components(own))
    degrees = ta.network.degree_table(graph).set_index("username")
    assert degrees["followers"].to_dict() == dict(own.in_degree())
    hubs = ta.network.top_hubs(graph, 3)
    assert list(hubs["followers"]) == sorted((d for _, d in own.in_degree()), reverse=True)[:3]
    assert 1.5 < figures["followers_tail_alpha"] < 4.0  # a heavy tail, as the simulator draws it (Pareto)


def test_wrapped_counts_are_the_creators_past_2_31(crawled: Crawled) -> None:
    videos, users = ta.load(crawled.data, "videos"), ta.load(crawled.data, "users")
    wrapped = ta.wrapped_counts(videos, users)
    expected = {
        u["username"] for u in truth(crawled.base, "users") if truth(crawled.base, f"user/{u['username']}")["stats"]["likes"] >= 2**31
    }
    assert expected and set(wrapped["username"]) == expected


def test_every_observation_has_its_simulated_time_and_each_profile_is_kept_once_per_run(crawled: Crawled) -> None:
    window = (pd.Timestamp(crawled.first, unit="s", tz="UTC").floor("s"), pd.Timestamp(crawled.last, unit="s", tz="UTC").ceil("s"))
    for name in ("videos", "users", "sounds", "hashtags"):
        times = ta.load(crawled.data, name)["scraped_at"]
        assert times.notna().all() and times.between(*window).all(), name  # the server's clock, pages included
    users = ta.load(crawled.data, "users")
    profiles = users.loc[users["source"] == "user:" + users["username"]]
    assert profiles.groupby("username").size().eq(HOURS).all() and profiles["run_id"].nunique() == HOURS
    assert profiles.groupby("username")["scraped_at"].nunique().eq(HOURS).all()
