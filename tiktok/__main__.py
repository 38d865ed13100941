"""`python -m tiktok COMMAND`: the project's commands besides the spiders (`scrapy crawl NAME`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import NoReturn

from tiktok.schema import data_dictionary

PROG = "python -m tiktok"


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message} (see --help)\n")


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog=PROG, description="Commands of the tiktok research collector.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("schema", help="print the data dictionary (every field, type, unit and source)")
    ocr = commands.add_parser("ocr", help="read the text on stored covers and images into DATA_DIR/ocr.jsonl (skips what is done)")
    ocr.add_argument("data_dir", type=Path, help="a data directory (with videos.jsonl and media/)")
    ocr.add_argument("--workers", type=int, default=2, help="tesseract processes (default 2)")
    ocr.add_argument("--lang", default="eng", help="tesseract language (default eng)")
    db = commands.add_parser("db", help="SQLite for quick looks and full-text search: db build DATA_DIR | db search WORDS")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="build|search")
    db_build = db_commands.add_parser("build", help="load what DATA_DIR's files gained into DATA_DIR/tiktok.db")
    db_build.add_argument("data_dir", type=Path)
    db_search = db_commands.add_parser("search", help="videos and comments matching all the words, best first (BM25)")
    db_search.add_argument("words")
    db_search.add_argument("--data", type=Path, default=Path("data"), help="the data directory (default data/)")
    db_search.add_argument("--limit", type=int, default=20)
    export = commands.add_parser("export", help="export collected data for other tools: export network-csv DATA_DIR OUT_DIR")
    export_kinds = export.add_subparsers(dest="kind", required=True, metavar="network-csv")
    network = export_kinds.add_parser("network-csv", help="a network crawl as network.csv, parsing_list.csv, queue.csv, time_stamps.csv")
    network.add_argument("data_dir", type=Path)
    network.add_argument("out_dir", type=Path)
    hashtags = commands.add_parser("hashtags", help="the top hashtags of a videos.jsonl with their share of posts (table, bar chart)")
    hashtags.add_argument("videos", type=Path, help="a videos.jsonl a crawl wrote")
    hashtags.add_argument("--top", type=int, default=20, help="how many hashtags (default 20)")
    hashtags.add_argument("--source", help="only videos collected by this source, e.g. hashtag:london or foryou")
    hashtags.add_argument("--plot", type=Path, help="also draw the bar chart into this PNG")
    report = commands.add_parser("report", help="every analysis table (CSV) and figure (PNG) of DATA_DIR into OUT_DIR")
    report.add_argument("data_dir", type=Path)
    report.add_argument("out_dir", type=Path)
    report.add_argument("--top", type=int, default=20, help="hashtags in the hashtag tables (default 20)")
    report.add_argument("--percentile", type=float, default=99.0, help="viral: above this percentile of growth per hour (default 99)")
    args = parser.parse_args(argv)
    if args.command in ("hashtags", "report"):
        from tiktok.analysis.commands import run_hashtags, run_report

        return run_hashtags(parser, args) if args.command == "hashtags" else run_report(parser, args)
    if args.command == "export":
        from tiktok.export import network_csv

        if not (args.data_dir / "follows.jsonl").exists():
            parser.error(f"{args.data_dir} has no follows.jsonl: run scrapy crawl research_network first")
        problems: list[str] = []
        counts = network_csv(args.data_dir, args.out_dir, problems)
        print(f"{counts['edges']} edges, {counts['users']} users, {counts['queued']} in the queue: written to {args.out_dir}/")
        for problem in problems:
            print(f"  note: {problem}", file=sys.stderr)
        return 0
    if args.command == "db":
        return run_db(parser, args)
    if args.command == "schema":
        sys.stdout.write(data_dictionary())
    elif args.command == "ocr":
        return run_ocr(parser, args)
    return 0


def run_db(parser: OneLineParser, args: argparse.Namespace) -> int:
    from tiktok import db

    if args.db_command == "build":
        if not args.data_dir.is_dir():
            parser.error(f"{args.data_dir} is not a folder: give the DATA_DIR a crawl wrote")
        notes: list[str] = []
        added = db.build(args.data_dir, notes)
        print(", ".join(f"{n} {name}" for name, n in added.items()) + f" added to {args.data_dir / 'tiktok.db'}")
        for note in notes:
            print(f"  note: {note}", file=sys.stderr)
        return 0
    if not (args.data / "tiktok.db").exists():
        parser.error(f"no {args.data / 'tiktok.db'}: run `python -m tiktok db build {args.data}` first")
    if not args.words.split():
        parser.error("give some words to search for")
    hits = db.search(args.data, args.words, args.limit)
    for hit in hits:
        who = f"@{hit['author']}" if hit["author"] else ""
        print(f"{hit['kind']:7} {hit['id']}  {hit['url'] or ''}  {who}\n        {hit['snippet']}")
    if not hits:
        print(f"nothing matches {args.words!r}")
    return 0


def run_ocr(parser: OneLineParser, args: argparse.Namespace) -> int:
    from tiktok.ocr import ocr_data_dir, tesseract_available

    if not (args.data_dir / "videos.jsonl").exists():
        parser.error(f"{args.data_dir} has no videos.jsonl: give the DATA_DIR a crawl wrote")
    if not tesseract_available():
        parser.error("tesseract is not installed: run make setup (or apt-get install tesseract-ocr)")
    started = time.monotonic()

    def report(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-6)
        bar = "#" * (30 * done // total) + "." * (30 - 30 * done // total)
        end = "\n" if done == total else ""
        print(f"\rOCR [{bar}] {done}/{total} videos, {rate:.1f}/s", end=end, file=sys.stderr, flush=True)

    problems: list[str] = []
    read, failed = ocr_data_dir(args.data_dir, args.workers, args.lang, report, problems)
    print(f"{read} videos with text, {failed} without (reasons in {args.data_dir / 'ocr.jsonl'})")
    for problem in problems:
        print(f"  note: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
