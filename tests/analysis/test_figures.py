"""One structural test per chart kind, on hand-made data: the title states the measure, source,
dates (UTC) and n; the axes are the measure the title names; flagged items are drawn solid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import tiktok.analysis as ta

DAY = 86400
NOW = 1780272000  # 2026-06-01T00:00Z


def frame(tmp_path: Path, records: list[dict[str, Any]], kind: str = "videos") -> pd.DataFrame:
    path = tmp_path / f"{kind}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return ta.load_file(path, kind)


def snapshot(vid: str, hour: int, likes: int, user: str, followers: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": vid,
        "username": user,
        "scraped_at": f"2026-06-01T{hour:02d}:00:00Z",
        "like_count": likes,
        "view_count": likes * 10,
        "author_follower_count": followers,
        "create_time": fields.pop("create_time", NOW - DAY),
        "music_id": fields.pop("music_id", "s"),
        "source": "foryou",
        **fields,
    }


@pytest.fixture
def hourly(tmp_path: Path) -> pd.DataFrame:
    """100 videos of 12 creators over four hourly snapshots; video 0 (@c0) bursts (at 1,000 times the median video's growth and more)."""
    records = [
        snapshot(str(v), h, (100_000 if v == 0 else 10 + v) * h, f"c{v % 12}", 10_000 + (2_000 if v % 12 == 0 else 5 + v % 12) * h)
        for v in range(100)
        for h in (1, 2, 3, 4)
    ]
    return frame(tmp_path, records)


def titled(fig: Figure) -> str:
    return fig._suptitle.get_text() if fig._suptitle else fig.axes[0].get_title()  # type: ignore[attr-defined]


def solid_lines(fig: Figure) -> list[str]:
    return [str(line.get_label()) for line in fig.axes[0].get_lines() if line.get_linestyle() == "-"]


def test_viral_videos_chart_plots_the_rate_per_hour_and_marks_the_viral_one(hourly: pd.DataFrame) -> None:
    ranking = ta.viral_videos(hourly)
    fig = ta.figures.viral_video_lines(hourly, ranking)
    text = titled(fig)
    assert "Likes gained per hour" in text and "n = 100 videos observed twice" in text
    assert "source: foryou · collected 01 Jun 2026 01:00 – 04:00 UTC" in text
    assert fig.axes[0].get_ylabel().startswith("likes gained per hour") and fig.axes[0].get_xlabel() == "snapshot time (UTC)"
    assert solid_lines(fig) == ["#1 @c0 · 31 May (viral)"]  # rank, creator, posted date; the full id is in the CSV
    assert len(fig.axes[0].get_lines()) == 7  # six videos and the threshold line


def test_viral_creators_chart_plots_growth_per_1000_followers(hourly: pd.DataFrame) -> None:
    ranking = ta.viral_creators(hourly)
    fig = ta.figures.creator_lines(hourly, None, ranking)
    text = titled(fig)
    assert text.startswith("Followers gained per hour per 1,000 followers") and "n = 12 creators observed twice" in text
    assert "01 Jun 2026 01:00 – 04:00 UTC" in text
    assert fig.axes[0].get_ylabel().startswith("followers gained per hour per 1,000 followers")
    assert solid_lines(fig) == ["#1 @c0 (viral)"]


def test_sounds_chart_has_a_panel_per_sound_and_names_the_viral_one(tmp_path: Path) -> None:
    records = [snapshot(f"old{i}", 4, 5, "a", 100, music_id=f"s{i % 4}", create_time=NOW - 10 * DAY + i * 3600) for i in range(80)]
    records += [snapshot(f"new{i}", 4, 5, "a", 100, music_id="s9", music_title="Rising", create_time=NOW - DAY + i * 600) for i in range(6)]
    records += [snapshot(f"mid{i}", 4, 5, "a", 100, music_id=f"s{i % 4}", create_time=NOW - DAY + i * 600) for i in range(8)]
    videos = frame(tmp_path, records)
    ranking = ta.viral_sounds(videos)
    fig = ta.figures.sound_lines(ta.sound_usage(videos), ranking)
    text = titled(fig)
    assert text.startswith("New videos per day with each sound") and "n = 94 videos" in text and "collected 01 Jun 2026 04:00 UTC" in text
    assert len(fig.axes) == 4 and all(ax.get_ylabel() == "new videos/day" for ax in fig.axes)
    assert [ax.get_title(loc="left").endswith("— VIRAL") for ax in fig.axes] == [True, False, False, False]
    assert fig.axes[0].get_title(loc="left").startswith("#1 Rising: 6 new")


def test_scatter_draws_zeros_and_puts_spearman_beside_pearson(tmp_path: Path) -> None:
    table = pd.DataFrame({"x": [0.0, 1, 10, 100, 1000] * 2, "y": [0.0, 0, 5, 50, 5000] * 2})
    table.attrs["about"] = "source: foryou · collected 01 Jun 2026 01:00 – 04:00 UTC"
    pearson, spearman = ta.correlation_ci(table["x"], table["y"]), ta.correlation_ci(table["x"], table["y"], "spearman")
    fig = ta.figures.scatter(table, "x", "y", "Best video against follower growth", ta.figures.correlation_notes(pearson, spearman))
    ax = fig.axes[0]
    assert "n = 10 creators, 4 at 0" in titled(fig) and "01 Jun 2026" in titled(fig)
    assert ax.get_xscale() == "symlog" and np.asarray(ax.collections[0].get_offsets()).shape == (10, 2)  # every point drawn, zeros too
    note = ax.texts[0].get_text()
    assert note.startswith("Pearson r = ") and "\nSpearman rho = " in note


def test_hashtag_chart_labels_share_and_posts_and_names_source_and_dates(hourly: pd.DataFrame) -> None:
    videos = hourly.assign(hashtag_names=[["fyp", "cats"] if i % 3 else ["fyp"] for i in range(len(hourly))])
    fig = ta.figures.hashtag_bars(ta.top_hashtags(videos, 5))
    ax = fig.axes[0]
    assert "n = 100 posts" in titled(fig) and "source: foryou · collected 01 Jun 2026 01:00 – 04:00 UTC" in titled(fig)
    assert ax.get_xlabel().startswith("% of the 100 posts")
    assert [t.get_text() for t in ax.texts] == ["66.0% (66)", "100.0% (100)"]  # the axis unit first, the count beside


def test_degree_chart_carries_the_caveat_of_a_short_tail(tmp_path: Path) -> None:
    follows = frame(
        tmp_path,
        [
            {"follower": f"u{i}", "followee": f"u{j}", "observed_at": "2026-06-01T05:00:00Z", "source": "research_network:following"}
            for i in range(30)
            for j in range(i % 7 + 1)
            if i != j
        ],
        "follows",
    )
    fig = ta.figures.degree_ccdf(ta.network.follow_graph(follows))
    assert "n = 30 accounts" in titled(fig) and "collected 01 Jun 2026 05:00 UTC" in titled(fig)
    legends = [t.get_text() for ax in fig.axes for legend in [ax.get_legend()] if legend for t in legend.get_texts()]
    assert any("caveat: a tail of" in t for t in legends)


def test_bars_carry_source_dates_and_n(hourly: pd.DataFrame) -> None:
    fig = ta.figures.bars(pd.Series({"ocr_text": 3, "transcript": 1}), "Where 'london' was found", "videos", ta.about(hourly), 4)
    assert "n = 4 videos" in titled(fig) and "01 Jun 2026 01:00 – 04:00 UTC" in titled(fig)


def test_the_follow_graph_keeps_its_source_when_exported(tmp_path: Path) -> None:
    follows = frame(tmp_path, [{"follower": "a", "followee": "b", "observed_at": "2026-06-01T05:00:00Z", "source": "x"}], "follows")
    graph = ta.network.follow_graph(follows)
    assert nx.read_graphml(ta.network.export(graph, tmp_path)[1]).graph["about"] == graph.graph["about"]
