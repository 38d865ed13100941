"""`python -m tiktok report DATA_DIR OUT_DIR`: every table (CSV) and figure (PNG) of the analysis
from a data directory, and a note for each part the data cannot give yet."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from tiktok.analysis import creators, figures, network, study
from tiktok.analysis.hashtags import top_hashtags
from tiktok.analysis.load import load
from tiktok.analysis.timeseries import MIN_STEP_HOURS
from tiktok.analysis.totals import KINDS, totals_over_time
from tiktok.analysis.virality import (
    SOUND_WINDOW_HOURS,
    TooLittleData,
    sound_usage,
    viral_creators,
    viral_follower_correlation,
    viral_sounds,
    viral_videos,
)

STUDY_QUESTIONS: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "unique_counts": study.unique_counts,
    "scraping_runs": study.scraping_runs,
    "most_followed_over_time": study.most_followed_over_time,
    "biggest_follower_increase": study.biggest_follower_increase,
    "most_videos": study.most_videos,
    "highest_likes_per_video": study.highest_likes_per_video,
    "highest_likes_per_follower": study.highest_likes_per_follower,
    "most_prolific": study.most_prolific,
    "video_sound_pairs_over_time": study.video_sound_pairs_over_time,
    "engagement_over_time": study.engagement_over_time,
}


class Report:
    """Where the report's files go, and what it wrote and could not."""

    def __init__(self, out_dir: Path) -> None:
        self.out = out_dir
        self.written: list[Path] = []
        self.notes: list[str] = []
        self.findings: list[str] = []

    def table(self, name: str, frame: pd.DataFrame) -> None:
        path = self.out / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)
        self.written.append(path)

    def figure(self, name: str, fig: Figure) -> None:
        path = self.out / f"{name}.png"
        fig.savefig(path, dpi=110)
        self.written.append(path)


def listed(parts: Iterable[str]) -> str:
    """A finding's items, or "none" (a finding that lists nothing says so)."""
    return ", ".join(parts) or "none"


def write_report(data_dir: Path, out_dir: Path, top: int = 20) -> Report:
    report = Report(out_dir)
    problems: list[str] = []
    videos, users, follows, totals = (load(data_dir, name, problems) for name in ("videos", "users", "follows", "totals"))
    report.notes += problems
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TooLittleData)
        analyse(report, data_dir, videos, users, follows, top)
        totals_part(report, data_dir, totals)
    report.notes += list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, TooLittleData)))
    return report


def analyse(report: Report, data_dir: Path, videos: pd.DataFrame, users: pd.DataFrame, follows: pd.DataFrame, top: int) -> None:
    """Every part the data allows; a measure below its minimum warns (TooLittleData), and the
    report turns each warning into a note."""
    if len(videos):
        hashtag_part(report, videos, top)
        virality_part(report, videos, users)
        creators_part(report, videos, users)
        for name, question in STUDY_QUESTIONS.items():
            report.table(f"study/{name}", question(videos))
    else:
        report.notes.append(f"{data_dir / 'videos.jsonl'} has no videos: no hashtag, virality or creator tables")
    if len(follows):
        network_part(report, follows)
    else:
        report.notes.append(f"no follows in {data_dir / 'follows.jsonl'}: run scrapy crawl research_network for the network figures")


def hashtag_part(report: Report, videos: pd.DataFrame, top: int) -> None:
    sources = [None, *sorted(s for s in videos["source"].dropna().unique() if str(s).startswith("hashtag:"))]
    for source in sources:
        table = top_hashtags(videos, top, source)
        name = "hashtags" if source is None else f"hashtags_{source.removeprefix('hashtag:')}"
        report.table(name, table)
        if len(table):
            report.figure(name, figures.hashtag_bars(table))
    overall = top_hashtags(videos, 3)
    report.findings.append("top hashtags: " + ", ".join(f"#{h} {r:.0%}" for h, r in zip(overall["hashtag"], overall["ratio"], strict=True)))


def virality_part(report: Report, videos: pd.DataFrame, users: pd.DataFrame) -> None:
    ranking = viral_videos(videos)
    report.table("viral_videos", ranking)
    if not len(ranking):
        report.notes.append(
            f"no video was observed twice at least {MIN_STEP_HOURS:g} h apart: virality needs repeated snapshots "
            "(run the crawl hourly, see cron/)"
        )
        return
    report.figure("viral_videos", figures.viral_video_lines(videos, ranking))
    viral = ranking.loc[ranking["viral"]]
    threshold = ranking.attrs["threshold"]
    cut = f"from {threshold:,.0f}/h" if math.isfinite(threshold) else "not set: too few videos grew, see the note"
    report.findings.append(
        f"viral videos (peak likes/hour at {ranking.attrs['factor']:,g}x the median video's or more, {cut}): "
        + listed(f"{i} (@{u}, {r:,.0f}/h)" for i, u, r in zip(viral["id"], viral["username"], viral["peak_likes_per_hour"], strict=True))
    )
    sounds = viral_sounds(videos)
    report.table("viral_sounds", sounds)
    if len(sounds):
        usage = sound_usage(videos)
        report.table("sound_usage", usage)
        report.figure("viral_sounds", figures.sound_lines(usage, sounds))
        rising = sounds.loc[sounds["viral"]]
        columns = (rising["music_id"], rising["music_title"], rising["recent_videos"], rising["expected_recent"])
        report.findings.append(
            f"viral sounds (new videos in the last {SOUND_WINDOW_HOURS:g} h far above their own past share, "
            f"at a false discovery rate of {sounds.attrs['fdr']:.0%} over {sounds.attrs['judged']} sounds judged): "
            + listed(f"{t} ({i}, {n} new vs {e:.1f} expected)" for i, t, n, e in zip(*columns, strict=True))
        )
    people = viral_creators(videos, users)
    report.table("viral_creators", people)
    if len(people):
        report.figure("viral_creators", figures.creator_lines(videos, users, people))
        report.findings.append(
            f"viral creators (followers per hour per 1,000 at {people.attrs['factor']:g}x the median creator's or more): "
            + listed(f"@{u}" for u in people.loc[people["viral"], "username"])
        )
    table, pearson = viral_follower_correlation(videos, users, "pearson")
    spearman = viral_follower_correlation(videos, users, "spearman")[1]
    report.table("viral_follower_correlation", table)
    report.table("viral_follower_correlation_stats", pd.DataFrame([pearson, spearman]))
    if len(table):
        title = "A creator's best video (peak likes/hour) against their follower growth (followers/hour)"
        note = figures.correlation_notes(pearson, spearman)
        report.figure("viral_follower_correlation", figures.scatter(table, "best_video_likes_per_hour", "followers_per_hour", title, note))
    report.findings.append("best video vs follower growth: " + figures.correlation_note(spearman))


def creators_part(report: Report, videos: pd.DataFrame, users: pd.DataFrame) -> None:
    report.table("likes_comments_ratio", creators.likes_comments_ratio(videos))
    posting = creators.posting_frequency(videos, users)
    report.table("posting_frequency", posting)
    if len(posting):
        title = "Videos posted per week against mean likes per video, per creator"
        report.figure("posting_frequency", figures.scatter(posting, "videos_per_week", "likes_per_video", title))
    wrapped = creators.wrapped_counts(videos, users)
    report.table("wrapped_counts", wrapped)
    if len(wrapped):
        report.findings.append("likes past 2^31 (the web's int32 wraps): " + ", ".join(f"@{u}" for u in wrapped["username"]))


def totals_part(report: Report, data_dir: Path, totals: pd.DataFrame) -> None:
    """Each hashtag's and sound's reported totals over time: a CSV and a chart per kind."""
    if not len(totals):
        report.notes.append(
            f"no totals in {data_dir / 'totals.jsonl'}: crawl a hashtag or a sound (twice, apart) for their totals over time"
        )
        return
    for kind in KINDS:
        if not (totals["kind"] == kind).any():
            continue
        series = totals_over_time(totals, kind)
        report.table(f"{kind}_totals", series)
        if len(series):
            report.figure(f"{kind}_totals", figures.totals_lines(series))
            prefix = "#" if kind == "hashtag" else ""
            report.findings.append(
                f"{kind} totals over time (first to last reading): "
                + listed(f"{prefix}{name} {change(rows)}" for (name, _), rows in series.groupby(["name", "id"], sort=True))
            )


def change(rows: pd.DataFrame) -> str:
    """'50 to 52 videos, 908,377 to 908,511 views (2 readings)': a measure left out where never reported."""
    parts = []
    for column, unit in (("video_count", "videos"), ("view_count", "views")):
        values = rows[column].dropna()
        if len(values):
            parts.append(f"{int(values.iloc[0]):,} to {int(values.iloc[-1]):,} {unit}")
    return f"{', '.join(parts) or 'no totals'} ({len(rows)} readings)"


def network_part(report: Report, follows: pd.DataFrame) -> None:
    graph = network.follow_graph(follows)
    stats: dict[str, Any] = network.summary(graph)
    report.table("network_summary", pd.DataFrame({"figure": list(stats), "value": pd.Series(list(stats.values()), dtype=object)}))
    report.table("network_degrees", network.degree_table(graph))
    report.table("network_hubs", network.top_hubs(graph))
    report.written += network.export(graph, report.out)
    report.figure("network_degrees", figures.degree_ccdf(graph))
    report.findings.append(
        f"follow network: {stats['nodes']} accounts, {stats['edges']} follows, reciprocity {stats['reciprocity']:.2f}, "
        f"clustering {stats['average_clustering']:.2f}, " + tail_finding(stats)
    )


def tail_finding(stats: dict[str, Any]) -> str:
    """The followers tail's exponent, with the caveat a short tail needs."""
    if stats["followers_tail_tail"] == 0:
        return "followers tail: too few distinct degrees to fit"
    caveat = (
        f" (a tail of {stats['followers_tail_tail']:.0f} accounts: too short to tell a power law)"
        if stats["followers_tail_tail"] < figures.MIN_TAIL
        else ""
    )
    return f"followers tail alpha {stats['followers_tail_alpha']:.2f}{caveat}"
