"""`scrapy crawl NAME -a ...`, checking the spider's arguments before anything starts: a bad
argument is one line on stderr and exit code 2 (Scrapy would log a traceback and exit 1)."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from tiktok.spiders.base import SpiderArgumentError


class Command(ScrapyCrawl):
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
