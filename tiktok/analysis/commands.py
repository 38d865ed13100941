"""The analysis commands of `python -m tiktok`: hashtags and report."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn, Protocol

import pandas as pd


class Parser(Protocol):
    def error(self, message: str) -> NoReturn: ...


def run_hashtags(parser: Parser, args: argparse.Namespace) -> int:
    from tiktok.analysis.figures import hashtag_bars
    from tiktok.analysis.hashtags import top_hashtags
    from tiktok.analysis.load import load_file

    if not args.videos.is_file():
        parser.error(f"{args.videos} is not a file: give a videos.jsonl a crawl wrote, e.g. data/videos.jsonl")
    if args.top < 1:
        parser.error(f"--top {args.top}: give a whole number of 1 or more")
    problems: list[str] = []
    videos = load_file(args.videos, "videos", problems, columns=["id", "hashtag_names", "source"])
    notes(problems)
    if args.source is not None and not (videos["source"] == args.source).any():
        known = ", ".join(sorted(str(s) for s in videos["source"].dropna().unique())) or "none"
        parser.error(f"no videos from source {args.source!r} in {args.videos}; its sources: {known}")
    table = top_hashtags(videos, args.top, args.source)
    where = f" collected by {args.source}" if args.source else ""
    besides = f" besides #{args.source.removeprefix('hashtag:')}" if str(args.source).startswith("hashtag:") else ""
    print(f"{table.attrs['posts']:,} posts{where}; top {len(table)} hashtags{besides}:")
    shown = table.assign(ratio=(table["ratio"] * 100).map("{:.1f}%".format), hashtag="#" + table["hashtag"])
    print(shown.to_string(index=False) if len(table) else "  (no hashtags)")
    if args.plot:
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        hashtag_bars(table).savefig(args.plot, dpi=110)
        print(f"chart: {args.plot}")
    return 0


def run_report(parser: Parser, args: argparse.Namespace) -> int:
    from tiktok.analysis.report import write_report

    if not (args.data_dir / "videos.jsonl").is_file() and not (args.data_dir / "follows.jsonl").is_file():
        parser.error(f"{args.data_dir} has no videos.jsonl or follows.jsonl: give the DATA_DIR a crawl wrote (e.g. data/)")
    if not 0 <= args.percentile <= 100:
        parser.error(f"--percentile {args.percentile}: give a number from 0 to 100")
    report = write_report(args.data_dir, args.out_dir, args.top, args.percentile)
    for line in report.findings:
        print(line)
    print(f"{len(report.written)} files written to {args.out_dir}/ ({summary(report.written)})")
    notes(report.notes)
    return 0


def summary(paths: list[Any]) -> str:
    kinds = pd.Series([p.suffix.lstrip(".") for p in paths]).value_counts()
    return ", ".join(f"{n} {kind}" for kind, n in kinds.items())


def notes(problems: list[str]) -> None:
    for problem in problems:
        print(f"  note: {problem}", file=sys.stderr)
