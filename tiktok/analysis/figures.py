"""The charts, as matplotlib Figures: shown by a notebook, saved by the report. Built on Figure
itself rather than pyplot, so no global state piles up and no display is needed."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tiktok.analysis.network import degree_table, tail_exponent
from tiktok.analysis.timeseries import observations
from tiktok.analysis.virality import follower_series


def hashtag_bars(table: pd.DataFrame) -> Figure:
    """Top hashtags as horizontal bars of their share of posts, the count at each bar."""
    fig = Figure(figsize=(8, 0.35 * max(len(table), 4) + 1.2), layout="constrained")
    ax = fig.subplots()
    shown = table.iloc[::-1]
    bars = ax.barh(shown["hashtag"].map(lambda h: f"#{h}"), shown["ratio"] * 100, color="#25F4EE", edgecolor="#333")
    ax.bar_label(bars, labels=[f"{n:,}" for n in shown["posts"]], padding=3, fontsize=8)
    source = table.attrs.get("source")
    where = f" collected by {source}" if source else ""
    ax.set_xlabel(f"% of {table.attrs.get('posts', 0):,} posts{where}")
    ax.set_title(f"Hashtags posted with #{source.removeprefix('hashtag:')}" if source and source.startswith("hashtag:") else "Top hashtags")
    return fig


def viral_video_lines(videos: pd.DataFrame, ranking: pd.DataFrame, top: int = 6) -> Figure:
    """Likes over time of the top-ranked videos, viral ones drawn solid."""
    fig = Figure(figsize=(9, 4.5), layout="constrained")
    ax = fig.subplots()
    obs = observations(videos)
    for _, row in ranking.head(top).iterrows():
        series = obs.loc[obs["id"] == row["id"]]
        label = f"@{row['username']} …{str(row['id'])[-6:]}"
        ax.plot(series["scraped_at"], series["like_count"].astype(float), marker="o", ls="-" if row["viral"] else ":", label=label)
    ax.set_yscale("log")
    ax.set_ylabel("likes (log scale)")
    ax.set_title(f"Fastest-growing videos (viral: peak likes/hour above the {ranking.attrs.get('percentile', 0):g}th percentile)")
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    return fig


def sound_lines(usage: pd.DataFrame, ranking: pd.DataFrame, top: int = 6) -> Figure:
    """Unique videos using each of the top sounds, by posting time."""
    fig = Figure(figsize=(9, 4.5), layout="constrained")
    ax = fig.subplots()
    for _, row in ranking.head(top).iterrows():
        series = usage.loc[usage["music_id"] == row["music_id"]]
        ax.step(series["period"], series["videos_so_far"], where="post", label=f"{row['music_title']} ({row['music_id']})")
    ax.set_ylabel("unique videos using the sound")
    ax.set_title("Sounds by videos posted with them")
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    return fig


def creator_lines(videos: pd.DataFrame, users: pd.DataFrame | None, ranking: pd.DataFrame, top: int = 6) -> Figure:
    """Followers over time of the top-ranked creators, relative to their first snapshot."""
    fig = Figure(figsize=(9, 4.5), layout="constrained")
    ax = fig.subplots()
    series = follower_series(videos, users)
    for _, row in ranking.head(top).iterrows():
        own = series.loc[series["username"] == row["username"]]
        gained = own["followers"].astype(float) - float(own["followers"].iloc[0])
        ax.plot(own["at"], gained, marker="o", ls="-" if row["viral"] else ":", label=f"@{row['username']}")
    ax.set_ylabel("followers gained since first seen")
    ax.set_title("Creators by follower growth per hour")
    ax.legend(fontsize=8)
    fig.autofmt_xdate()
    return fig


def scatter(table: pd.DataFrame, x: str, y: str, title: str, note: str = "", log: bool = True) -> Figure:
    """One dot per row (a creator), on log axes where the values spread over decades."""
    fig = Figure(figsize=(6.5, 4.5), layout="constrained")
    ax = fig.subplots()
    shown = table[[x, y]].astype(float)
    if log:
        shown = shown.loc[(shown[x] > 0) & (shown[y] > 0)]
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.scatter(shown[x], shown[y], alpha=0.7, color="#FE2C55")
    ax.set_xlabel(x.replace("_", " "))
    ax.set_ylabel(y.replace("_", " "))
    ax.set_title(title)
    if note:
        ax.text(0.02, 0.97, note, transform=ax.transAxes, va="top", fontsize=8)
    return fig


def correlation_note(stats: dict[str, Any]) -> str:
    name = "Pearson r" if stats["method"] == "pearson" else "Spearman rho"
    return f"{name} = {stats['r']:.2f}, {stats['confidence']:.0%} CI [{stats['low']:.2f}, {stats['high']:.2f}], n = {stats['n']}"


def degree_ccdf(graph: nx.DiGraph) -> Figure:
    """The followers and following distributions as complementary CDFs on log-log axes, each with
    its fitted power-law tail."""
    fig = Figure(figsize=(9, 4), layout="constrained")
    axes = fig.subplots(1, 2)
    degrees = degree_table(graph)
    for ax, direction in zip(axes, ("followers", "following"), strict=True):
        values = degrees[direction].to_numpy()
        values = values[values > 0]
        if len(values):
            distinct, counts = np.unique(values, return_counts=True)
            ax.loglog(distinct, counts[::-1].cumsum()[::-1] / len(values), marker="o", ls="none", label="accounts")
            fit = tail_exponent(values)
            if not np.isnan(fit["alpha"]):
                xs = np.linspace(fit["xmin"], values.max(), 50)
                share = fit["tail"] / len(values)
                ax.loglog(
                    xs, share * (xs / fit["xmin"]) ** (1 - fit["alpha"]), label=f"tail alpha = {fit['alpha']:.2f} ± {fit['sigma']:.2f}"
                )
            ax.legend(fontsize=8)
        ax.set_xlabel(f"{direction} within the graph")
        ax.set_ylabel("share of accounts with at least that many")
    fig.suptitle(f"Degree distributions: {graph.number_of_nodes():,} accounts, {graph.number_of_edges():,} follows")
    return fig


def bars(counts: pd.Series, title: str, xlabel: str) -> Figure:
    """A count per label as horizontal bars, largest on top."""
    fig = Figure(figsize=(6.5, 0.35 * max(len(counts), 4) + 1.2), layout="constrained")
    ax = fig.subplots()
    shown = counts.sort_values()
    ax.barh([str(i) for i in shown.index], shown.to_numpy(), color="#25F4EE", edgecolor="#333")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    return fig
