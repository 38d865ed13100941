"""`python -m tiktok COMMAND`: the project's commands besides the spiders (`scrapy crawl NAME`)."""

from __future__ import annotations

import argparse
import sys
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
    args = parser.parse_args(argv)
    if args.command == "schema":
        sys.stdout.write(data_dictionary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
