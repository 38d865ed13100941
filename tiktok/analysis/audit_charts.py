"""The For-You audit's charts (issue 17): the interest share against the control, diversity and
overlap. Every title names the measure, the persona(s), n and the UTC date range (figures.title);
periods below the measure's minimum n are not drawn, and the chart says how many were left out."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from tiktok.analysis.audit import MIN_N
from tiktok.analysis.figures import OTHER_COLORS, VIRAL_COLORS, title


def dates(start: pd.Series, end: pd.Series) -> str:
    low, high = start.min(), end.max()
    return f"{low:%Y-%m-%d %H:%M}–{high:%Y-%m-%d %H:%M} UTC" if pd.notna(low) else "dates unknown"


def left_out(ax: Axes, table: pd.DataFrame, n_column: str = "n") -> pd.DataFrame:
    """The rows of at least MIN_N videos; the x label counts the others."""
    few = table[n_column] < MIN_N
    if few.any():
        ax.set_xlabel(f"{ax.get_xlabel()}\n{int(few.sum())} period(s) of fewer than {MIN_N} videos not drawn")
    return table[~few]


def shares_chart(table: pd.DataFrame, control: str) -> Figure:
    """Each persona's share of videos matching its interests per window, against the control's
    feed matched to the same interests (dashed), with Wilson 95 % intervals. `table`: the window
    rows of interest_share for each persona and for the control against its interests."""
    groups = list(table.groupby("interests", sort=True))
    fig = Figure(figsize=(9, 3.6 * max(len(groups), 1)), layout="constrained")
    axes = fig.subplots(max(len(groups), 1), 1, squeeze=False)[:, 0]
    if not groups:
        title(axes[0], "Share of For-You videos matching a persona's interests", f"no persona but the control {control!r} in the data", "0")
    for ax, (interests, rows) in zip(axes, groups, strict=False):
        ax.set_xlabel("videos shown to the persona (window middle; runs in order)")
        drawn = left_out(ax, rows)
        for k, (persona, mine) in enumerate(drawn.groupby("persona", sort=True)):
            middle = (mine["first"] + mine["last"]) / 2
            color, ls = ("#777", "--") if persona == control else (VIRAL_COLORS[k % len(VIRAL_COLORS)], "-")
            ax.plot(middle, mine["share"], marker="o", lw=2, color=color, ls=ls, label=f"{persona}'s feed: {int(mine['n'].sum())} videos")
            ax.fill_between(middle, mine["low"], mine["high"], color=color, alpha=0.15)
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
        ax.set_ylabel("share matching (95 % Wilson)")
        ax.legend(loc="upper left", fontsize=8)
        width = int((rows["last"] - rows["first"]).max()) + 1
        title(
            ax,
            f"Share of For-You videos matching {interests}'s interests, per {width} videos shown",
            f"personas {interests} and {control} (baseline), {dates(rows['start'], rows['end'])}",
            f"{int(rows['n'].sum()):,} videos",
        )
    return fig


def diversity_chart(table: pd.DataFrame, measure: str) -> Figure:
    """One panel per kind (creators, hashtags, sounds): `measure` of each persona's feed per window
    with its 95 % interval (how it was found is in the y label)."""
    rows = table[table["measure"] == measure]
    kinds = list(rows.groupby("kind", sort=False))
    if not kinds:
        fig = Figure(figsize=(9, 4), layout="constrained")
        title(fig.subplots(), f"Diversity of the For-You feed: {measure}", "no persona videos in the data", "0")
        return fig
    fig = Figure(figsize=(9, 3.2 * max(len(kinds), 1)), layout="constrained")
    axes = fig.subplots(max(len(kinds), 1), 1, squeeze=False)[:, 0]
    for ax, (kind, part) in zip(axes, kinds, strict=False):
        ax.set_xlabel("videos shown to the persona (window middle; runs in order)")
        drawn = left_out(ax, part)
        for k, (persona, mine) in enumerate(drawn.groupby("persona", sort=True)):
            middle = (mine["first"] + mine["last"]) / 2
            color = OTHER_COLORS[k % len(OTHER_COLORS)]
            ax.plot(middle, mine["value"], marker="o", lw=2, color=color, label=f"{persona}: {int(mine['n'].sum())} videos")
            ax.fill_between(middle, mine["low"], mine["high"], color=color, alpha=0.15)
        ax.set_ylabel(f"{kind}: {measure}\n(95 %: {part['interval'].iloc[0].split(',')[0]})", fontsize=8)
        ax.legend(loc="best", fontsize=8)
    personas = ", ".join(sorted(rows["persona"].unique()))
    n = int(rows.drop_duplicates(["persona", "period"])["n"].sum())
    title(fig, f"Diversity of the For-You feed: {measure} of creators, hashtags and sounds, per window",
          f"personas {personas}, {dates(rows['start'], rows['end'])}", f"{n:,} videos")  # fmt: skip
    return fig


def overlap_chart(table: pd.DataFrame) -> Figure:
    """The Jaccard index of each pair of personas' feeds per hour, with its bootstrap 95 % interval."""
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.subplots()
    ax.set_xlabel("hour (UTC)")
    if not len(table):
        title(ax, "Overlap of personas' For-You feeds: Jaccard index per hour", "no hour in which two personas were shown videos", "0")
        return fig
    table = table.assign(n=table[["n_a", "n_b"]].min(axis=1))
    drawn = left_out(ax, table)
    for k, ((a, b), pair) in enumerate(drawn.groupby(["persona_a", "persona_b"], sort=True)):
        color = OTHER_COLORS[k % len(OTHER_COLORS)]
        ax.errorbar(pair["hour"], pair["jaccard"], yerr=[pair["jaccard"] - pair["low"], pair["high"] - pair["jaccard"]],
                    marker="o", capsize=3, color=color, label=f"{a} & {b}")  # fmt: skip
    ax.set_xticks(sorted(drawn["hour"].unique()))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:00", tz="UTC"))  # type: ignore[no-untyped-call]
    ax.set_ylim(0, 1)
    ax.set_ylabel("Jaccard index of the videos shown\n(95 %: bootstrap; Wilson when none or all shared)")
    if len(drawn):
        ax.legend(loc="best", fontsize=8)
    personas = ", ".join(sorted(set(table["persona_a"]) | set(table["persona_b"])))
    hours = table["hour"]
    span = f"{hours.min():%Y-%m-%d %H:00}–{hours.max() + pd.Timedelta(hours=1):%Y-%m-%d %H:00} UTC"
    n = f"{int(table['union'].sum()):,} videos shown to either, {len(table)} persona-pair hours"
    title(ax, "Overlap of personas' For-You feeds: Jaccard index per hour", f"personas {personas}, {span}", n)
    return fig
