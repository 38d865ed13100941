"""`python -m tiktok work|enqueue|merge|cluster status`: the commands of a crawl shared through Redis
(README "Many machines"). Bad input is one line and exit 2, Redis included: an unreachable server
or a refused password is named before any request is sent."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any, NoReturn

import redis

from tiktok.cli import checks as check
from tiktok.run.context import RunRefused
from tiktok.scale import config
from tiktok.scale.frontier import PREFIX, Frontier, key
from tiktok.schema.items import ITEM_TYPES
from tiktok.storage import shards

Fail = Callable[[str], NoReturn]
PROG_ENQUEUE = "python -m tiktok enqueue"


def name_value(text: str) -> tuple[str, str]:
    """`NAME=VALUE`, as scrapy's -a and -s take them."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise check.Refused(f"{check.shown(text)}: give NAME=VALUE")
    return name.strip(), value


def add_crawl_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spider", help="the spider (scrapy list shows them)")
    parser.add_argument(
        "-a", dest="arguments", action="append", type=name_value, default=[], metavar="NAME=VALUE", help="a spider argument"
    )
    parser.add_argument("-s", dest="settings", action="append", type=name_value, default=[], metavar="NAME=VALUE", help="a setting")


def prepare(fail: Fail, args: argparse.Namespace, enqueue_only: bool) -> tuple[Any, type, dict[str, str]]:
    """Settings, spider class and arguments of a worker, every check done: the crawl's own stored
    arguments when none are given."""
    from scrapy.spiderloader import get_spider_loader
    from scrapy.utils.project import get_project_settings

    from tiktok.spiders.params import ArgumentError, parse_arguments

    settings = get_project_settings()
    for name, value in args.settings:
        settings.set(name, value, priority="cmdline")
    settings.set("TIKTOK_SCALE_ENQUEUE_ONLY", enqueue_only, priority="cmdline")
    if enqueue_only:  # seeds only: nothing is downloaded, so nothing is stored (and no run is recorded)
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    url = config.redis_url(settings)
    if url is None:
        fail("set TIKTOK_REDIS_URL (environment, or -s TIKTOK_REDIS_URL=redis://HOST:PORT/0): the crawl is shared through Redis")
    try:
        spidercls = get_spider_loader(settings).load(args.spider)
    except KeyError:
        fail(f"no spider named {args.spider!r}; `scrapy list` shows them")
    try:
        frontier = Frontier(config.connect(url), args.spider, config.worker_id(settings))
    except RunRefused as exc:
        fail(str(exc))
    arguments = dict(args.arguments)
    if not arguments and not enqueue_only:
        stored = frontier.arguments()
        if stored is None:
            fail(
                f"no crawl of {args.spider} in Redis at {config.shown_url(url)}: start it with its arguments (-a ...), or enqueue it first"
            )
        arguments = stored
    if "help" in arguments:
        fail(f"see `scrapy crawl {args.spider} -a help=1` for the spider's arguments")
    try:
        parse_arguments(spidercls, arguments)
    except ArgumentError as exc:
        fail(str(exc))
    return settings, spidercls, arguments


def crawl(fail: Fail, settings: Any, spidercls: type, arguments: dict[str, str]) -> Any:
    """Runs the crawl in this process; its crawler (with its stats) once it has ended."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spidercls)
    refused: list[str] = []

    def refusal(failure: Any) -> Any:
        if failure.check(RunRefused):  # the shard is locked, Redis holds another crawl of this spider
            refused.append(str(failure.value))
            return None
        return failure

    process.crawl(crawler, **arguments).addErrback(refusal)
    process.start()
    if refused:
        fail(refused[0])
    return crawler


def run_work(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from tiktok.run.verdict import EXIT_CODES

    settings, spidercls, arguments = prepare(parser.error, args, enqueue_only=False)
    crawler = crawl(parser.error, settings, spidercls, arguments)
    verdict = crawler.stats.get_value("run/verdict")
    if crawler.stats.get_value("finish_reason") == "credentials_rejected":
        return 2
    return EXIT_CODES[verdict] if verdict is not None else 1


def run_enqueue(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    settings, spidercls, arguments = prepare(parser.error, args, enqueue_only=True)
    if not arguments:
        parser.error(
            f"give the crawl's arguments (-a NAME=VALUE ...): they are its seeds; `scrapy crawl {args.spider} -a help=1` lists them"
        )
    crawler = crawl(parser.error, settings, spidercls, arguments)
    queued = crawler.stats.get_value("scheduler/enqueued/redis", 0)
    reason = crawler.stats.get_value("finish_reason")
    if reason != "finished":
        if not queued:  # nothing went in: the crawl's record goes too, so that the same command starts it afresh
            config.connect(str(config.redis_url(settings))).delete(key(args.spider, "crawl"))
        print(
            f"{PROG_ENQUEUE}: the seeds of {args.spider} were not all queued ({queued} were; closed: {reason}); see the log above",
            file=sys.stderr,
        )
        return 1
    if queued:
        print(f"{queued} seed request(s) of {args.spider} queued; start workers with `python -m tiktok work {args.spider}`")
    else:
        print(f"the crawl of {args.spider} with these arguments was already queued: nothing added")
    return 0


def run_merge(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if check.same_path(args.out_dir, args.data_dir) or args.out_dir.resolve().is_relative_to(args.data_dir.resolve()):
        parser.error(f"{args.out_dir} is inside the data directory: write the merged copy elsewhere (e.g. merged/)")
    if not any(shards.data_files(args.data_dir, name) for name in ITEM_TYPES):
        parser.error(f"{args.data_dir} has no data files, at its top or in worker shards: {check.DATA_DIR_HINT}")
    problems: list[str] = []
    written = shards.merge(args.data_dir, args.out_dir, problems)
    print(f"{shards.describe(written)} written to {args.out_dir}/ from {len(shards.shards(args.data_dir))} shard(s)")
    check.notes(problems)
    return 0


def run_cluster_status(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from scrapy.utils.project import get_project_settings

    url = config.redis_url(get_project_settings())
    if url is None:
        parser.error("set TIKTOK_REDIS_URL to the crawl's Redis (redis://HOST:PORT/0)")
    try:
        server = config.connect(url)
    except RunRefused as exc:
        parser.error(str(exc))
    for line in status_lines(server, config.shown_url(url)):
        print(line)
    return 0


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def status_lines(server: redis.Redis, where: str) -> list[str]:
    """Per spider with a crawl or a queue in Redis: its queue, workers, items per type and errors."""
    spiders = {text(k)[len(PREFIX) : -len(":crawl")] for k in server.scan_iter(f"{PREFIX}*:crawl")}
    spiders |= {text(k)[len(PREFIX) : -len(":stats")] for k in server.scan_iter(f"{PREFIX}*:stats")}
    alive: dict[str, dict[str, Any]] = {}
    for k in server.scan_iter(f"{PREFIX}alive:*"):
        raw = server.get(k)
        if raw is not None:
            alive[text(k)[len(PREFIX + "alive:") :]] = json.loads(raw)
    lines = [f"Redis {where}: {len(alive)} worker(s) alive"]
    for spider in sorted(spiders):
        frontier = Frontier(server, spider, "status")
        crawl_info = {text(k): text(v) for k, v in server.hgetall(frontier.crawl_key).items()}
        queued = server.zcard(frontier.queue_key)
        members = sorted(text(m) for m in server.smembers(frontier.workers_key))
        in_flight = {w: server.hlen(key(spider, f"inflight:{w}")) for w in members}
        counts: Counter[str] = Counter()
        for raw in server.hvals(frontier.stats_key):
            counts.update(json.loads(raw))
        state = f"running, run {crawl_info.get('run_id')}" if crawl_info else "finished (or not started)"
        lines.append(f"{spider}: {state}; queue {queued}, in flight {sum(in_flight.values())}")
        if crawl_info:
            lines.append(f"  arguments: {crawl_info.get('arguments')}")
        for w in members:
            mark = "alive" if w in alive else "dead (its requests go back on the queue when a worker is idle)"
            lines.append(f"  worker {w}: {mark}, {in_flight[w]} in flight")
        items = {k.removeprefix("stored/"): v for k, v in sorted(counts.items()) if k.startswith("stored/")}
        errors = {k: v for k, v in sorted(counts.items()) if not k.startswith(("stored/", "dedupe/", "validate/"))}
        lines.append("  items: " + (", ".join(f"{v} {k}" for k, v in items.items()) or "none yet"))
        lines.append("  errors: " + (", ".join(f"{k} {v}" for k, v in errors.items()) or "none"))
    return lines
