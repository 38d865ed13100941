"""The charts, as matplotlib Figures: shown by a notebook, saved by the report. Built on Figure
itself rather than pyplot, so no global state piles up and no display is needed.

Every title says what is measured, where the rows came from, when (UTC) and n (issue 16); the
axis is the measure the title names; flagged items are drawn solid and named "viral"; a chart
labels an item `#rank @creator · posted date`, and the rank leads to the full id in the CSV."""

from __future__ import annotations

import math
from typing import Any

import matplotlib.dates as mdates
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from tiktok.analysis.network import degree_table, tail_exponent
from tiktok.analysis.timeseries import growth, observations, span
from tiktok.analysis.totals import MEASURES as TOTALS_MEASURES
from tiktok.analysis.virality import follower_steps

VIRAL_COLORS = ("#FE2C55", "#C2185B", "#FF8F00", "#6A1B9A")
OTHER_COLORS = ("#546E7A", "#00838F", "#2E7D32", "#5D4037", "#283593", "#9E9D24")
MIN_TAIL = 50  # Clauset, Shalizi and Newman: below ~50 tail points a power law cannot be told from a lognormal


def title(ax_or_fig: Axes | Figure, measure: str, about: str, n: str) -> None:
    """The measure on the first line, source and dates (UTC) on the second, n on the third."""
    text = f"{measure}\n{about}\nn = {n}"
    if isinstance(ax_or_fig, Figure):
        ax_or_fig.suptitle(text, fontsize=10)
    else:
        ax_or_fig.set_title(text, fontsize=10)


def time_axis(ax: Axes) -> None:
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M", tz="UTC"))  # type: ignore[no-untyped-call]
    ax.set_xlabel("snapshot time (UTC)")


def label(row: pd.Series) -> str:
    posted = f" · {row['create_time']:%d %b}" if "create_time" in row and pd.notna(row["create_time"]) else ""
    return f"#{row['rank']} @{row['username']}{posted}" + (" (viral)" if row["viral"] else "")


def line_style(row: pd.Series, k: int) -> dict[str, Any]:
    if row["viral"]:
        return {"ls": "-", "lw": 2.2, "color": VIRAL_COLORS[k % len(VIRAL_COLORS)]}
    return {"ls": ":", "lw": 1.2, "color": OTHER_COLORS[k % len(OTHER_COLORS)]}


def zero_note(ax: Axes, zeros: int, what: str) -> None:
    """Counts under the x axis what a log axis cannot draw."""
    if zeros:
        ax.set_xlabel(f"{ax.get_xlabel()}\n{zeros} {what} 0, not drawn on the log axis")


def hashtag_bars(table: pd.DataFrame) -> Figure:
    """Top hashtags as horizontal bars of their share of posts, labelled with that share and the
    count of posts behind it."""
    fig = Figure(figsize=(8, 0.35 * max(len(table), 4) + 1.5), layout="constrained")
    ax = fig.subplots()
    shown = table.iloc[::-1]
    bars = ax.barh(shown["hashtag"].map(lambda h: f"#{h}"), shown["ratio"] * 100, color="#25F4EE", edgecolor="#333")
    ax.bar_label(bars, labels=[f"{r:.1%} ({n:,})" for r, n in zip(shown["ratio"], shown["posts"], strict=True)], padding=3, fontsize=8)
    ax.margins(x=0.15)
    source = table.attrs.get("source")
    posts = table.attrs.get("posts", 0)
    ax.set_xlabel(f"% of the {posts:,} posts carrying the hashtag (label: % and posts)")
    besides = f" besides #{source.removeprefix('hashtag:')}" if source and source.startswith("hashtag:") else ""
    title(ax, f"Top {len(table)} hashtags{besides} by share of posts", table.attrs.get("about", "source unknown"), f"{posts:,} posts")
    return fig


def viral_video_lines(videos: pd.DataFrame, ranking: pd.DataFrame, top: int = 6) -> Figure:
    """Likes gained per hour at each snapshot of the top-ranked videos, viral ones solid, with the
    threshold the ranking flags from (a factor over the median video's peak)."""
    fig = Figure(figsize=(10, 5), layout="constrained")
    ax = fig.subplots()
    gains = growth(observations(videos))
    zeros = 0
    for k, (_, row) in enumerate(ranking.head(top).iterrows()):
        own = gains.loc[gains["id"] == row["id"]]
        rate = own["likes_per_hour"].astype(float)
        zeros += int((rate <= 0).sum())
        ax.plot(own["end"], rate.where(rate > 0), marker="o", label=label(row), **line_style(row, k))
    threshold = ranking.attrs.get("threshold", math.inf)
    if math.isfinite(threshold):
        ax.axhline(
            threshold,
            color="#999",
            ls="--",
            lw=1,
            label=f"viral: ≥ {ranking.attrs['factor']:,g}× the median video's peak ({threshold:,.0f}/h)",
        )
    ax.set_yscale("log")
    ax.set_ylabel("likes gained per hour since the previous snapshot (log)")
    time_axis(ax)
    zero_note(ax, zeros, "gains of")
    ax.legend(fontsize=8, title="rank, creator, posted (ids: viral_videos.csv)", title_fontsize=8)
    title(
        ax,
        f"Likes gained per hour: the top {min(top, len(ranking))} videos by peak rate; viral (solid) at "
        f"{ranking.attrs.get('factor', 0):,g}× the median video's peak or more",
        ranking.attrs.get("about", "source unknown"),
        f"{len(ranking):,} videos observed twice",
    )
    return fig


def sound_lines(usage: pd.DataFrame, ranking: pd.DataFrame, top: int = 4) -> Figure:
    """New videos per day with each of the top sounds by acceleration, one panel each: the last
    window shaded, and the rate an unchanged share of the posts predicts there dashed."""
    shown = ranking.head(top)
    fig = Figure(figsize=(10, 1.9 * max(len(shown), 1) + 1.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(max(len(shown), 1), 1, sharex=True, squeeze=False)[:, 0])
    window = ranking.attrs.get("window")
    days = usage.assign(day=usage["period"].dt.floor("1D")).groupby(["music_id", "day"])["new_videos"].sum().reset_index()
    for ax, (_, row) in zip(axes, shown.iterrows(), strict=False):
        own = days.loc[days["music_id"] == row["music_id"]]
        color = VIRAL_COLORS[0] if row["viral"] else OTHER_COLORS[0]
        ax.bar(own["day"], own["new_videos"], width=0.9, align="edge", color=color)
        if window is not None:
            ax.axvspan(window[0], window[1], color="#FFF3E0", zorder=0)
            per_day = row["expected_recent"] * 86400 / (window[1] - window[0]).total_seconds()
            ax.hlines(per_day, window[0], window[1], colors="#333", linestyles="--", label=f"share unchanged: {per_day:.2f}/day")
            ax.legend(fontsize=7, loc="upper left")
        verdict = "VIRAL" if row["viral"] else "not viral" if row.get("testable", True) else "too few videos to judge"
        judged = f", q = {row['q_value']:.1g}" if row.get("testable", True) else ""
        ax.set_title(
            f"#{row['rank']} {row['music_title']}: {row['recent_videos']} new in the shaded window, "
            f"{row['expected_recent']:.2f} expected (p = {row['p_value']:.1g}{judged}) — {verdict}",
            fontsize=9,
            loc="left",
            color=color,
        )
        ax.set_ylabel("new videos/day")
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b", tz="UTC"))  # type: ignore[no-untyped-call]
    axes[-1].set_xlabel("day posted (UTC); ids in viral_sounds.csv")
    posted = usage["period"]
    title(
        fig,
        f"New videos per day with each sound, the top {len(shown)} of {len(ranking)} by rise against their own past "
        f"(viral: ≥ {ranking.attrs.get('min_new', '?')} new, q < {ranking.attrs.get('fdr', '?')}, of ≥ "
        f"{ranking.attrs.get('min_videos', '?')} videos)",
        f"{ranking.attrs.get('about', 'source unknown')}; posted {span(posted)}",
        f"{int(usage['new_videos'].sum()):,} videos",
    )
    return fig


def creator_lines(videos: pd.DataFrame, users: pd.DataFrame | None, ranking: pd.DataFrame, top: int = 6) -> Figure:
    """Followers gained per hour per 1,000 followers at each snapshot of the top-ranked creators,
    viral ones solid, with the threshold they are flagged at."""
    fig = Figure(figsize=(10, 5), layout="constrained")
    ax = fig.subplots()
    gains = follower_steps(videos, users)
    zeros = 0
    for k, (_, row) in enumerate(ranking.head(top).iterrows()):
        own = gains.loc[gains["username"] == row["username"]]
        rate = own["per_1k_followers_per_hour"].astype(float)
        zeros += int((rate <= 0).sum())
        ax.plot(own["end"], rate.where(rate > 0), marker="o", label=label(row), **line_style(row, k))
    threshold = ranking.attrs.get("threshold", math.inf)
    if math.isfinite(threshold):
        ax.axhline(
            threshold,
            color="#999",
            ls="--",
            lw=1,
            label=f"viral: ≥ {ranking.attrs['factor']:g}× the median creator's peak ({threshold:.2f})",
        )
    ax.set_yscale("log")
    ax.set_ylabel("followers gained per hour per 1,000 followers (log)")
    time_axis(ax)
    zero_note(ax, zeros, "gains of")
    ax.legend(fontsize=8, title="rank, creator (viral_creators.csv)", title_fontsize=8)
    title(
        ax,
        f"Followers gained per hour per 1,000 followers: the top {min(top, len(ranking))} creators by peak; viral solid",
        ranking.attrs.get("about", "source unknown"),
        f"{len(ranking):,} creators observed twice",
    )
    return fig


def scatter(table: pd.DataFrame, x: str, y: str, title_text: str, note: str = "", log: bool = True) -> Figure:
    """One dot per row (a creator). With `log`, symmetric-log axes: decades apart, and zeros still
    drawn (on plain log axes they vanish while n counts them)."""
    fig = Figure(figsize=(7, 5), layout="constrained")
    ax = fig.subplots()
    shown = table[[x, y]].astype(float).dropna()
    ax.scatter(shown[x], shown[y], alpha=0.7, color="#FE2C55")
    scale = ""
    if log:
        ax.set_xscale("symlog", linthresh=1)
        ax.set_yscale("symlog", linthresh=1)
        scale = " (symmetric log: linear below 1, 0 drawn)"
    ax.set_xlabel(x.replace("_", " ") + scale)
    ax.set_ylabel(y.replace("_", " ") + scale)
    zeros = int(((shown[x] == 0) | (shown[y] == 0)).sum())
    counted = f"{len(shown):,} creators" + (f", {zeros} at 0" if zeros else "")
    left_out = table.attrs.get("left_out")
    if left_out:
        counted += f"; {left_out} left out below the minimum"
    title(ax, title_text, table.attrs.get("about", "source unknown"), counted)
    if note:
        ax.text(0.02, 0.97, note, transform=ax.transAxes, va="top", fontsize=8, bbox={"facecolor": "white", "alpha": 0.8, "lw": 0})
    return fig


def correlation_note(stats: dict[str, Any]) -> str:
    name = "Pearson r" if stats["method"] == "pearson" else "Spearman rho"
    if stats["r"] is None:
        return f"{name}: {stats['note']}"
    return f"{name} = {stats['r']:.2f}, {stats['confidence']:.0%} CI [{stats['low']:.2f}, {stats['high']:.2f}], n = {stats['n']}"


def correlation_notes(pearson: dict[str, Any], spearman: dict[str, Any]) -> str:
    """Pearson with Spearman beside it: one outlier can drive r, the ranks resist it."""
    return correlation_note(pearson) + "\n" + correlation_note(spearman) + " (robust to one outlier)"


def degree_ccdf(graph: nx.DiGraph) -> Figure:
    """The followers and following distributions as complementary CDFs on log-log axes, each with
    its fitted power-law tail, and a caveat when the tail is too short to tell a power law."""
    fig = Figure(figsize=(10, 4.5), layout="constrained")
    axes = fig.subplots(1, 2)
    degrees = degree_table(graph)
    for ax, direction in zip(axes, ("followers", "following"), strict=True):
        values = degrees[direction].to_numpy()
        zeros = int((values == 0).sum())
        values = values[values > 0]
        if len(values):
            distinct, counts = np.unique(values, return_counts=True)
            ax.loglog(distinct, counts[::-1].cumsum()[::-1] / len(values), marker="o", ls="none", label=f"{len(values)} accounts")
            fit = tail_exponent(values)
            if not np.isnan(fit["alpha"]):
                xs = np.linspace(fit["xmin"], values.max(), 50)
                share = fit["tail"] / len(values)
                caveat = f"\ncaveat: a tail of {fit['tail']:.0f} (< {MIN_TAIL}) cannot tell a power law" if fit["tail"] < MIN_TAIL else ""
                ax.loglog(
                    xs,
                    share * (xs / fit["xmin"]) ** (1 - fit["alpha"]),
                    label=f"tail alpha = {fit['alpha']:.2f} ± {fit['sigma']:.2f}{caveat}",
                )
            ax.legend(fontsize=8)
        ax.set_xlabel(f"{direction} within the graph (log)")
        zero_note(ax, zeros, "accounts with")
        ax.set_ylabel("share of accounts with at least that many (log)")
    title(
        fig,
        "Degree distributions of the follow graph (complementary CDF)",
        graph.graph.get("about", "source unknown"),
        f"{graph.number_of_nodes():,} accounts, {graph.number_of_edges():,} follows",
    )
    return fig


def bars(counts: pd.Series, title_text: str, xlabel: str, about: str, n: int) -> Figure:
    """A count per label as horizontal bars, largest on top; `about` is the source and dates of
    the `n` rows counted."""
    fig = Figure(figsize=(7, 0.35 * max(len(counts), 4) + 1.5), layout="constrained")
    ax = fig.subplots()
    shown = counts.sort_values()
    ax.barh([str(i) for i in shown.index], shown.to_numpy(), color="#25F4EE", edgecolor="#333")
    ax.bar_label(ax.containers[0], fontsize=8, padding=3)  # type: ignore[arg-type]
    title(ax, title_text, about, f"{n:,} {xlabel}")
    ax.set_xlabel(xlabel)
    return fig


def audit_shares(table: pd.DataFrame, interests: str, control: str = "control") -> Figure:
    """For-You audit (tiktok/analysis/audit.py): each persona's share of feed videos matching
    `interests` per window of exposures, with its 95 % interval; the control dashed in grey."""
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.subplots()
    for k, (persona, rows) in enumerate(table.groupby("persona", sort=True)):
        middle = (rows["first"] + rows["last"]) / 2
        color, ls = ("#777", "--") if persona == control else (VIRAL_COLORS[k % len(VIRAL_COLORS)], "-")
        name = f"{persona} (baseline)" if persona == control else str(persona)
        ax.plot(middle, rows["share"], marker="o", lw=2, color=color, ls=ls, label=f"{name}: {int(rows['n'].sum())} videos")
        ax.fill_between(middle, rows["low"], rows["high"], color=color, alpha=0.15)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
    ax.set_xlabel("videos shown to the persona (window middle; runs in order)")
    ax.set_ylabel("share of the window's videos (95 % interval)")
    ax.legend(loc="upper left", fontsize=8)
    start, end = table["start"].min(), table["end"].max()
    dates = f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M} UTC" if pd.notna(start) else "dates unknown"
    width = int((table["last"] - table["first"]).max()) + 1 if len(table) else 0
    title(
        ax,
        f"Share of For-You videos matching {interests}, per {width} videos shown",
        f"persona runs (scrapy crawl foryou -a persona=...), {dates}",
        f"{int(table['n'].sum()):,} videos, {table['persona'].nunique()} personas",
    )
    return fig


def totals_lines(series: pd.DataFrame) -> Figure:
    """One panel per measure the entities have (videos; views for hashtags), one line per entity
    labelled with its name, and the title's measure, source, dates (UTC) and n."""
    kind = series.attrs.get("kind", "entity")
    measures = [m for m in TOTALS_MEASURES if series[m].notna().any()] or ["video_count"]
    fig = Figure(figsize=(10, 3.2 * len(measures) + 1.3), layout="constrained")
    axes = fig.subplots(len(measures), 1, sharex=True, squeeze=False)[:, 0]
    for ax, measure in zip(axes, measures, strict=True):
        for k, ((name, _), entity) in enumerate(series.groupby(["name", "id"], sort=True)):
            prefix = "#" if kind == "hashtag" else ""
            ax.plot(entity["observed_at"], entity[measure].astype("Float64"), marker="o", lw=1.6, color=OTHER_COLORS[k % len(OTHER_COLORS)])
            last = (entity["observed_at"].iloc[-1], float(entity[measure].iloc[-1]))
            ax.annotate(f"{prefix}{name}", last, fontsize=8, xytext=(4, 0), textcoords="offset points", va="center")
        ax.set_ylabel(TOTALS_MEASURES[measure])
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.margins(x=0.08)  # room for the names at the lines' ends
    time_axis(axes[-1])
    axes[-1].set_xlabel("observed (UTC); ids and every reading in the CSV")
    entities = series["id"].nunique()
    title(
        fig,
        f"{' and '.join(m.split('_')[0] + 's' for m in measures).capitalize()} TikTok reports per {kind}, at each crawl that read them",
        series.attrs.get("about", "source unknown"),
        f"{entities} {kind}s, {len(series)} readings",
    )
    return fig
