"""`scrapy crawl NAME -a ...`, checking the spider's arguments before anything starts: a bad
argument is one line on stderr and exit code 2 (Scrapy would log a traceback and exit 1). A crawl
that stopped because it could not store its data (a full disk) exits 1, so cron sees it; one
whose credentials were refused exits 2."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl

from tiktok.spiders.base import SpiderArgumentError

FAILED_STORAGE = ("disk_full", "write_error")


class Command(ScrapyCrawl):
    crawler: Any = None

    def _create_crawler(self, spname: Any) -> Any:
        self.crawler = super()._create_crawler(spname)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                print(f"scrapy crawl: error: no spider named {args[0]!r}; `scrapy list` shows them", file=sys.stderr)
                self.exitcode = 2
                return
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:
                try:
                    check(**opts.spargs)
                except SpiderArgumentError as exc:
                    print(f"scrapy crawl {args[0]}: error: {exc}", file=sys.stderr)
                    self.exitcode = 2
                    return
        super().run(args, opts)
        reason = self.crawler.stats.get_value("finish_reason") if self.crawler is not None else None
        if reason in FAILED_STORAGE:
            self.exitcode = 1
        elif reason == "credentials_rejected":
            self.exitcode = 2
