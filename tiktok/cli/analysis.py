"""The analysis commands of `python -m tiktok`: hashtags and report. Their arguments come checked
(tiktok/__main__.py, tiktok/cli/checks.py); what is checked here needs two arguments, or the data."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn, Protocol

import pandas as pd

from tiktok.cli.checks import notes, same_path


class Parser(Protocol):
    def error(self, message: str) -> NoReturn: ...


def run_hashtags(parser: Parser, args: argparse.Namespace) -> int:
    from tiktok.analysis.figures import hashtag_bars
    from tiktok.analysis.hashtags import top_hashtags
    from tiktok.analysis.load import load_file

    if args.plot and same_path(args.plot, args.videos):
        parser.error(f"--plot {args.plot} is the videos file itself: give another .png")
    problems: list[str] = []
    videos = load_file(args.videos, "videos", problems, columns=["id", "hashtag_names", "source", "scraped_at"])
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
        hashtag_bars(table).savefig(args.plot, dpi=110)
        print(f"chart: {args.plot}")
    return 0


def run_report(parser: Parser, args: argparse.Namespace) -> int:
    from tiktok.analysis.report import write_report

    if not any((args.data_dir / f"{name}.jsonl").is_file() for name in ("videos", "follows", "totals")):
        parser.error(f"{args.data_dir} has no videos.jsonl, follows.jsonl or totals.jsonl: give the DATA_DIR a crawl wrote (e.g. data/)")
    if same_path(args.out_dir, args.data_dir):
        parser.error(f"{args.out_dir} is the data directory: write the report elsewhere (e.g. report/)")
    report = write_report(args.data_dir, args.out_dir, args.top)
    for line in report.findings:
        print(line)
    print(f"{len(report.written)} files written to {args.out_dir}/ ({summary(report.written)})")
    notes(report.notes)
    return 0


def summary(paths: list[Any]) -> str:
    kinds = pd.Series([p.suffix.lstrip(".") for p in paths]).value_counts()
    return ", ".join(f"{n} {kind}" for kind, n in kinds.items())
