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
    args = parser.parse_args(argv)
    if args.command == "schema":
        sys.stdout.write(data_dictionary())
    elif args.command == "ocr":
        return run_ocr(parser, args)
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

    read, failed = ocr_data_dir(args.data_dir, args.workers, args.lang, report)
    print(f"{read} videos with text, {failed} without (reasons in {args.data_dir / 'ocr.jsonl'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
