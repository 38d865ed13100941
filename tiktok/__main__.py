"""`python -m tiktok COMMAND`: the project's commands besides the spiders (`scrapy crawl NAME`).

Arguments are checked by the `type=` functions of tiktok/cli/checks.py: a bad one is one line on
stderr and exit 2. A failure while working (a full disk) is one line and exit 1."""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from tiktok.cli import checks as check
from tiktok.cli import scale
from tiktok.enrich.ocr import language
from tiktok.schema.dictionary import data_dictionary
from tiktok.schema.items import ITEM_TYPES
from tiktok.storage import shards

PROG = "python -m tiktok"
MAX_ROWS = 10_000  # --top and --limit: more is no longer a look at the data but a dump of it
MAX_WORKERS = 64  # each OCR worker is a tesseract process; past the cores they only queue


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> OneLineParser:
    main_parser = OneLineParser(prog=PROG, description="Commands of the tiktok research collector.")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    schema = command(commands, "schema", run_schema, "print the data dictionary (every field, type, unit and source)")
    schema.add_argument("--arguments", action="store_true", help="print every spider's -a arguments instead (as -a help=1 does)")
    ocr = command(commands, "ocr", run_ocr, "read the text on stored covers and images into DATA_DIR/ocr.jsonl (skips what is done)")
    ocr.add_argument("data_dir", type=check.writable_data_dir, help="a data directory (with videos.jsonl and media/)")
    ocr.add_argument("--workers", type=check.whole_number(1, MAX_WORKERS), default=2, help="tesseract processes (default 2)")
    ocr.add_argument("--lang", type=language, default="eng", help="tesseract language(s), e.g. eng or eng+deu (default eng)")
    db = commands.add_parser("db", help="SQLite for quick looks and full-text search: db build DATA_DIR | db search WORDS")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="build|search")
    db_build = command(db_commands, "build", run_db_build, "load what DATA_DIR's files gained into DATA_DIR/tiktok.db")
    db_build.add_argument("data_dir", type=check.writable_data_dir)
    db_search = command(db_commands, "search", run_db_search, "videos and comments matching all the words, best first (BM25)")
    db_search.add_argument("words", type=check.words)
    db_search.add_argument("--data", type=check.data_dir, default="data", help="the data directory (default data/)")
    db_search.add_argument("--limit", type=check.whole_number(1, MAX_ROWS), default=20, help="at most this many hits (default 20)")
    export = commands.add_parser("export", help="export collected data for other tools: export table|network-csv DATA_DIR OUT_DIR")
    export_kinds = export.add_subparsers(dest="kind", required=True, metavar="table|network-csv")
    table = command(
        export_kinds,
        "table",
        run_export_table,
        "each kind of data as OUT_DIR/<kind>.<format> with codebook column names, and media_archive.txt",
    )
    table.add_argument("data_dir", type=check.data_dir)
    table.add_argument("out_dir", type=check.out_dir)
    table.add_argument("--format", choices=["csv", "parquet", "xlsx"], required=True, help="the files' format")
    table.add_argument(
        "--type", type=check.item_types, help=f"kinds to export, comma-separated (default every one found): {', '.join(ITEM_TYPES)}"
    )
    table.add_argument("--since", type=check.day, help="only records posted (videos, comments; else observed) on or after this day, UTC")
    table.add_argument("--until", type=check.day, help="... on or before this day, UTC")
    table.add_argument("--pseudonymise", action="store_true", help="people's usernames, ids and names as keyed hashes (videos keep theirs)")
    table.add_argument(
        "--key-file",
        type=check.path,
        help="the pseudonym key, made once when missing (default DATA_DIR/pseudonym.key; TIKTOK_PSEUDONYM_KEY wins)",
    )
    network = command(
        export_kinds, "network-csv", run_export, "a network crawl as network.csv, parsing_list.csv, queue.csv, time_stamps.csv"
    )
    network.add_argument("data_dir", type=check.data_dir)
    network.add_argument("out_dir", type=check.out_dir)
    hashtags = command(
        commands,
        "hashtags",
        lazy("tiktok.cli.analysis", "run_hashtags"),
        "the top hashtags of a videos.jsonl with their share of posts (table, bar chart)",
    )
    hashtags.add_argument("videos", type=check.records_file("videos"), help="a videos.jsonl a crawl wrote")
    hashtags.add_argument("--top", type=check.whole_number(1, MAX_ROWS), default=20, help="how many hashtags (default 20)")
    hashtags.add_argument("--source", help="only videos collected by this source, e.g. hashtag:london or foryou")
    hashtags.add_argument("--plot", type=check.png_file, help="also draw the bar chart into this PNG (its folder must exist)")
    report = command(
        commands,
        "report",
        lazy("tiktok.cli.analysis", "run_report"),
        "every analysis table (CSV) and figure (PNG) of DATA_DIR into OUT_DIR",
    )
    report.add_argument("data_dir", type=check.data_dir)
    report.add_argument("out_dir", type=check.out_dir)
    report.add_argument("--top", type=check.whole_number(1, MAX_ROWS), default=20, help="hashtags in the hashtag tables (default 20)")
    audit = command(
        commands,
        "audit",
        lazy("tiktok.cli.audit", "run_audit"),
        "the For-You audit of DATA_DIR's persona runs: interest share against the control, narrowing, diversity, overlap",
    )
    audit.add_argument("data_dir", type=check.data_dir, help="a DATA_DIR of persona runs (scrapy crawl foryou -a persona=NAME)")
    audit.add_argument("--out", type=check.out_dir, default="audit", help="where the CSVs and PNGs go (default audit/)")
    audit.add_argument("--control", default="control", help="the baseline persona's name (default control)")
    audit.add_argument("--window", type=check.whole_number(1, MAX_ROWS), default=20, help="videos shown per window (default 20)")
    audit.add_argument("--threshold", type=check.number(0, 1), default=0.5, help="narrowing: a window's share above this (default 0.5)")
    audit.add_argument("--personas", type=check.path, help="the persona files' folder (default $TIKTOK_PERSONAS_DIR, else personas/)")
    browse = command(
        commands,
        "browse",
        run_browse,
        "build or update DATA_DIR/tiktok.db and browse it in Datasette (search, facets, covers, study queries)",
    )
    browse.add_argument("data_dir", type=check.writable_data_dir)
    browse.add_argument("--port", type=check.whole_number(1, 65_535), default=8001, help="port to listen on (default 8001)")
    browse.add_argument("--host", type=check.host, default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    runs = command(commands, "runs", run_runs, "the runs of DATA_DIR with their verdicts, and those that never ended (killed)")
    runs.add_argument("data_dir", type=check.data_dir)
    runs.add_argument("--json", action="store_true", help="one JSON object per run instead of the table")
    compact = command(
        commands,
        "compact",
        lazy("tiktok.cli.compact", "run_compact"),
        "add what DATA_DIR's jsonl gained to its Parquet copy (DATA_DIR/parquet/)",
    )
    compact.add_argument("data_dir", type=check.writable_data_dir)
    # Many machines (issue 14, tiktok/scale/): a crawl shared through Redis (TIKTOK_REDIS_URL).
    work = command(commands, "work", lazy("tiktok.cli.scale", "run_work"), "a worker of the crawl in Redis (no -a: join it)")
    scale.add_crawl_arguments(work)
    enqueue = command(commands, "enqueue", lazy("tiktok.cli.scale", "run_enqueue"), "put a crawl's seeds in Redis for workers")
    scale.add_crawl_arguments(enqueue)
    merge = command(commands, "merge", lazy("tiktok.cli.scale", "run_merge"), "the worker shards of DATA_DIR as one deduplicated copy")
    merge.add_argument("data_dir", type=check.data_dir)
    merge.add_argument("out_dir", type=check.out_dir)
    cluster = commands.add_parser("cluster", help="the crawls in Redis: cluster status")
    cluster_commands = cluster.add_subparsers(dest="cluster_command", required=True, metavar="status")
    command(cluster_commands, "status", lazy("tiktok.cli.scale", "run_cluster_status"), "queues, workers, items and errors")
    return main_parser


def command(commands: Any, name: str, run: Callable[..., int], about: str) -> OneLineParser:
    """A subcommand, which runs `run(its parser, args)`: errors found after parsing name it too."""
    sub: OneLineParser = commands.add_parser(name, help=about)
    sub.set_defaults(run=run, command_parser=sub)
    return sub


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(args.run(args.command_parser, args))
        sys.stdout.flush()  # here, where a closed pipe is caught, not at exit
        return code
    except BrokenPipeError:  # `... | head` stopped reading: stop quietly, as other Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"{args.command_parser.prog}: failed: {exc.strerror or exc}{where}; fix that and run the same command again", file=sys.stderr)
        return 1


def lazy(module: str, name: str) -> Callable[..., int]:
    """A command whose module is imported only when it runs (pandas and matplotlib take seconds)."""
    return lambda *args: int(getattr(importlib.import_module(module), name)(*args))


def run_schema(parser: OneLineParser, args: argparse.Namespace) -> int:
    if not args.arguments:
        sys.stdout.write(data_dictionary())
        return 0
    from scrapy.spiderloader import get_spider_loader
    from scrapy.utils.project import get_project_settings

    from tiktok.spiders.params import argument_table

    loader = get_spider_loader(get_project_settings())
    print("\n\n".join(argument_table(loader.load(name)) for name in sorted(loader.list())))
    return 0


def run_export(parser: OneLineParser, args: argparse.Namespace) -> int:
    from tiktok.analysis.export import DamagedFrontier, network_csv

    if not (args.data_dir / "follows.jsonl").is_file():
        parser.error(f"{args.data_dir} has no follows.jsonl: run scrapy crawl research_network first")
    if check.same_path(args.out_dir, args.data_dir):
        parser.error(f"{args.out_dir} is the data directory: write the export elsewhere (e.g. out/)")
    problems: list[str] = []
    try:
        counts = network_csv(args.data_dir, args.out_dir, problems)
    except DamagedFrontier as exc:
        parser.error(str(exc))
    print(f"{counts['edges']} edges, {counts['users']} users, {counts['queued']} in the queue: written to {args.out_dir}/")
    check.notes(problems)
    return 0


def run_export_table(parser: OneLineParser, args: argparse.Namespace) -> int:
    from tiktok.analysis.export_table import KEY_ENV, KEY_FILE, MIN_KEY_CHARS, TooManyRows, Window, export_tables, pseudonym_key

    if check.same_path(args.out_dir, args.data_dir):
        parser.error(f"{args.out_dir} is the data directory: write the export elsewhere (e.g. out/)")
    if args.since and args.until and args.since > args.until:
        parser.error(f"--until {args.until} is before --since {args.since}")
    found = [kind for kind in ITEM_TYPES if (args.data_dir / f"{kind}.jsonl").is_file()]
    kinds = args.type or found
    if missing := [kind for kind in kinds if kind not in found]:
        parser.error(
            f"{args.data_dir} has no {missing[0]}.jsonl: give --type with some of {', '.join(found) or 'nothing: no crawl wrote there'}"
        )
    key = None
    if args.pseudonymise:
        key_file = args.key_file or args.data_dir / KEY_FILE
        if key_file.resolve().is_relative_to(args.out_dir.resolve()):
            parser.error(f"--key-file {key_file} is inside the export: keep the key apart from what you share")
        key = pseudonym_key(key_file)
        if len(key) < MIN_KEY_CHARS:
            where = KEY_ENV if os.environ.get(KEY_ENV) else str(key_file)
            parser.error(f"the pseudonym key in {where} is shorter than {MIN_KEY_CHARS} characters: give a longer one")
    problems: list[str] = []
    try:
        written = export_tables(args.data_dir, args.out_dir, kinds, args.format, Window(args.since, args.until), key, problems)
    except TooManyRows as exc:
        parser.error(str(exc))
    downloaded = written.pop("media_archive.txt", None)
    print(", ".join(f"{n} {kind}" for kind, n in written.items()) + f" written to {args.out_dir}/ as {args.format}")
    if downloaded is not None:
        print(f"media_archive.txt: {downloaded} downloaded videos (yt-dlp --download-archive)")
    if key:
        where = f"${KEY_ENV}" if os.environ.get(KEY_ENV) else str(args.key_file or args.data_dir / KEY_FILE)
        print(f"people pseudonymised with the key in {where}: keep it apart from the export")
    check.notes(problems)
    return 0


def run_browse(parser: OneLineParser, args: argparse.Namespace) -> int:
    from tiktok.browse.serve import cannot_listen, serve

    if problem := cannot_listen(args.host, args.port):
        parser.error(f"cannot listen on {args.host} port {args.port} ({problem}): give another --port")
    run_db_build(parser, args)
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"browse at http://{shown_host}:{args.port}/tiktok (Ctrl-C stops)", flush=True)
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"  note: listening on {args.host}: anyone who can reach this machine can read the data", file=sys.stderr)
    serve(args.data_dir, args.host, args.port)
    return 0


def run_db_build(parser: OneLineParser, args: argparse.Namespace) -> int:
    """`db build`, and the first step of `browse`: DATA_DIR's files (shards too) into tiktok.db."""
    from tiktok.storage import db

    if not any(shards.data_files(args.data_dir, name) for name in [*ITEM_TYPES, *db.EXTRA_FILES]):
        parser.error(f"{args.data_dir} has no videos.jsonl or other file a crawl writes: give the DATA_DIR a crawl wrote (e.g. data/)")
    problems: list[str] = []
    try:
        added = db.build(args.data_dir, problems)
    except sqlite3.DatabaseError as exc:
        not_ours(parser, args.data_dir, exc)
    print(", ".join(f"{n} {name}" for name, n in added.items()) + f" added to {args.data_dir / 'tiktok.db'}")
    check.notes(problems)
    return 0


def run_db_search(parser: OneLineParser, args: argparse.Namespace) -> int:
    from tiktok.storage import db

    if not (args.data / "tiktok.db").is_file():
        parser.error(f"no {args.data / 'tiktok.db'}: run `{PROG} db build {args.data}` first")
    try:
        hits = db.search(args.data, args.words, args.limit)
    except sqlite3.DatabaseError as exc:
        not_ours(parser, args.data, exc)
    for hit in hits:
        who = f"@{hit['author']}" if hit["author"] else ""
        print(f"{hit['kind']:7} {hit['id']}  {hit['url'] or ''}  {who}\n        {hit['snippet']}")
    if not hits:
        print(f"nothing matches {args.words!r}")
    return 0


def not_ours(parser: OneLineParser, data_dir: Path, exc: sqlite3.DatabaseError) -> NoReturn:
    """tiktok.db is not a database `db build` made (another file of that name, or a damaged one)."""
    parser.error(f"{data_dir / 'tiktok.db'} is not a database db build made ({exc}): move it aside, then run `{PROG} db build {data_dir}`")


def run_ocr(parser: OneLineParser, args: argparse.Namespace) -> int:
    from tiktok.enrich.ocr import ocr_data_dir, tesseract_available

    if not (args.data_dir / "videos.jsonl").is_file():
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
    check.notes(problems)
    return 0


def run_runs(parser: OneLineParser, args: argparse.Namespace) -> int:
    from tiktok.cli.runs import json_lines, read_runs, table

    if not (args.data_dir / "runs.jsonl").is_file():
        parser.error(f"{args.data_dir} has no runs.jsonl: no crawl has written there; give the DATA_DIR a crawl wrote (e.g. data/)")
    problems: list[str] = []
    runs = read_runs(args.data_dir, problems)
    for line in json_lines(runs) if args.json else table(runs):
        print(line)
    check.notes(problems)
    return 0


if __name__ == "__main__":
    sys.exit(main())
