"""`scrapy crawl NAME -a ...`, checking the spider's arguments against its declaration
(tiktok/spiders/params.py) before Scrapy starts, so a bad one is one line on stderr and exit code 2
with no banner before it (Scrapy would log a traceback and exit 1). `-a help=1` lists the
arguments. The data directory is checked and locked before Scrapy starts too: one writer per
directory, a second run refused in one line with exit 2 (tiktok/run/lock.py).

The exit code is the run's verdict (tiktok/run/verdict.py, decided by the RunLog extension):
0 complete, 3 partial, 4 quota, 5 blocked, 6 stopped, 1 failed; 2 when the credentials were
refused, since that is fixed like a bad argument."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.spiderloader import get_spider_loader

from tiktok.run.context import RunRefused
from tiktok.run.lock import DataDirLock, usable_data_dir
from tiktok.run.verdict import exit_code
from tiktok.spiders.params import ArgumentError, argument_table, parse_arguments


def check_spider_arguments(settings: Any, name: str, spargs: Mapping[str, str]) -> str | None:
    """What `scrapy crawl NAME` must print before stopping: the argument table for `-a help=1`,
    or raises ArgumentError (one line) for an unknown spider or a bad argument; None to go on."""
    try:
        spidercls = get_spider_loader(settings).load(name)
    except KeyError:
        raise ArgumentError(f"no spider named {name!r}; `scrapy list` shows them") from None
    if "help" in spargs:
        return argument_table(spidercls)
    parse_arguments(spidercls, spargs)
    return None


class Command(ScrapyCrawl):
    crawler: Any = None

    def _create_crawler(self, spname: Any) -> Any:
        self.crawler = super()._create_crawler(spname)
        return self.crawler

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Runs before the CrawlerProcess (and its banner) exists."""
        super().process_options(args, opts)
        if len(args) != 1:
            return
        try:
            table = check_spider_arguments(self.settings, args[0], opts.spargs)
            if table is None:
                self.take_data_dir(args[0])
        except (ArgumentError, RunRefused) as exc:
            print(f"scrapy crawl {args[0]}: error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        if table is not None:
            print(table)
            raise SystemExit(0)

    def take_data_dir(self, spider: str) -> None:
        """Locks DATA_DIR for this process; the run's extension takes the same lock again (it is
        re-entrant within a process) and the kernel releases it when the process ends."""
        assert self.settings is not None  # cmdline gives every command its settings before process_options
        data_dir = usable_data_dir(self.settings.get("DATA_DIR", "data"))
        self.lock = DataDirLock(data_dir)
        self.lock.acquire({"spider": spider, "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if self.crawler is None or self.exitcode:
            return
        verdict = self.crawler.stats.get_value("run/verdict")
        if verdict is not None:
            self.exitcode = exit_code(verdict, self.crawler.stats.get_value("finish_reason"))
