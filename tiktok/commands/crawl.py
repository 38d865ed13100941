"""`scrapy crawl NAME -a ...`, checking the spider's arguments against its declaration
(tiktok/spiders/params.py) before Scrapy starts, so a bad one is one line on stderr and exit code 2
with no banner before it (Scrapy would log a traceback and exit 1). `-a help=1` lists the
arguments. The data directory is checked and locked before Scrapy starts too: one writer per
directory, a second run refused in one line with exit 2 (tiktok/run/lock.py).

The exit code is the run's verdict (tiktok/run/verdict.py, decided by the RunLog extension):
0 complete, 3 partial, 4 quota, 5 blocked, 6 stopped, 1 failed; 2 when the credentials were
refused, since that is fixed like a bad argument.

Where the output goes (issue #16, part 7): Scrapy's full log (banner, settings, per-minute stats,
the stats dump) into DATA_DIR/logs/<spider>-<UTC time>.log, and on the terminal only warnings,
errors and the run's summary (tiktok/extensions/summary.py). `-s LOG_LEVEL=INFO` (or `-L`, or any
level given on the command line) shows the log on the terminal at that level as Scrapy does, and
still writes the file; `-s LOG_FILE=...` (`--logfile`) and `--nolog` keep Scrapy's own meaning."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spiderloader import get_spider_loader

from tiktok.run.context import RunRefused
from tiktok.run.lock import DataDirLock, usable_data_dir
from tiktok.run.verdict import exit_code
from tiktok.scale.config import redis_url, worker_id
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


def shared_arguments(settings: Any, name: str, spargs: dict[str, str]) -> dict[str, str]:
    """With TIKTOK_REDIS_URL and no -a, the arguments of the crawl in Redis (their one home), so
    `scrapy crawl NAME` joins it as `python -m tiktok work NAME` does; else the -a values as given."""
    url = redis_url(settings)
    if url is None or spargs:
        return spargs
    from tiktok.scale.config import connect
    from tiktok.scale.frontier import Frontier

    return Frontier(connect(url), name, worker_id(settings)).arguments() or spargs


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
            opts.spargs = shared_arguments(self.settings, args[0], opts.spargs)
            table = check_spider_arguments(self.settings, args[0], opts.spargs)
            if table is None:
                self.take_data_dir(args[0])
        except (ArgumentError, RunRefused) as exc:
            print(f"scrapy crawl {args[0]}: error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        if table is not None:
            print(table)
            raise SystemExit(0)
        self.log_to_file(args[0])

    def log_to_file(self, spider: str) -> None:
        """The full log into DATA_DIR/logs/, the terminal at WARNING unless the user gave a level.
        Runs before the CrawlerProcess configures logging, so the banner reaches the file too."""
        assert self.settings is not None
        given = SETTINGS_PRIORITIES["cmdline"]
        if (self.settings.getpriority("LOG_FILE") or 0) >= given or not self.settings.getbool("LOG_ENABLED"):
            return  # Scrapy's meaning: everything into the file the user named, or no log at all
        logs = usable_data_dir(self.settings.get("DATA_DIR", "data")) / "logs"
        logs.mkdir(exist_ok=True)
        self.settings.set("LOG_FILE", str(logs / f"{spider}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"), priority="cmdline")
        terminal = logging.StreamHandler(sys.stderr)  # a StreamHandler outlives configure_logging's reset
        level_given = (self.settings.getpriority("LOG_LEVEL") or 0) >= given
        terminal.setLevel(self.settings.get("LOG_LEVEL") if level_given else logging.WARNING)
        terminal.setFormatter(logging.Formatter(self.settings.get("LOG_FORMAT"), self.settings.get("LOG_DATEFORMAT")))
        logging.getLogger().addHandler(terminal)
        # A log file on a full disk would print a traceback for every line it cannot write; the
        # terminal still gets the warnings and errors, and the run reports the full disk itself.
        logging.raiseExceptions = False

    def take_data_dir(self, spider: str) -> None:
        """Locks DATA_DIR for this process (with TIKTOK_REDIS_URL, the worker's shard
        DATA_DIR/<worker id>/, as `python -m tiktok work` does: several workers may share DATA_DIR);
        the run's extension takes the same lock again (it is re-entrant within a process) and the
        kernel releases it when the process ends."""
        assert self.settings is not None  # cmdline gives every command its settings before process_options
        data_dir = usable_data_dir(self.settings.get("DATA_DIR", "data"))
        if redis_url(self.settings) is not None:
            data_dir = usable_data_dir(str(data_dir / worker_id(self.settings)))
        self.lock = DataDirLock(data_dir)
        self.lock.acquire({"spider": spider, "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if self.crawler is None or self.exitcode:
            return
        verdict = self.crawler.stats.get_value("run/verdict")
        if verdict is not None:
            self.exitcode = exit_code(verdict, self.crawler.stats.get_value("finish_reason"))
