"""The Scrapy add-on behind the switch: with TIKTOK_REDIS_URL set (a setting, -s, or the
environment), the crawl runs on scrapy-redis's scheduler, priority queue and dupefilter on the
crawl's keys, with the queue kept between runs (SCHEDULER_PERSIST), and the worker's extension and
spider middleware on. Unset, it changes nothing.

An add-on runs after every settings source, -s included, and before any component is built."""

from __future__ import annotations

from typing import Any

from tiktok.scale import config
from tiktok.scale.frontier import key


class ScaleAddon:
    def update_settings(self, settings: Any) -> None:
        url = config.redis_url(settings)
        if url is None:
            return
        settings.set("REDIS_URL", url, priority="addon")
        settings.set("SCHEDULER", "scrapy_redis.scheduler.Scheduler", priority="addon")
        settings.set("DUPEFILTER_CLASS", "tiktok.scale.dupefilter.RetrySafeDupeFilter", priority="addon")
        settings.set("SCHEDULER_QUEUE_CLASS", "tiktok.scale.worker.TrackedQueue", priority="addon")
        settings.set("SCHEDULER_QUEUE_KEY", key("%(spider)s", "requests"), priority="addon")
        settings.set("SCHEDULER_DUPEFILTER_KEY", key("%(spider)s", "dupefilter"), priority="addon")
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        # A worker takes from Redis only what it can download now (its per-site slots): requests
        # held in its own downloader queue would wait there while idle workers had nothing to do.
        settings.set("CONCURRENT_REQUESTS", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), priority="addon")
        # scrapy-redis makes its own client: this class adds the password from the environment.
        settings.set(
            "REDIS_PARAMS", {**settings.getdict("REDIS_PARAMS"), "redis_cls": "tiktok.scale.config.EnvPasswordRedis"}, priority="addon"
        )
        settings["EXTENSIONS"] = {**settings.getdict("EXTENSIONS"), "tiktok.scale.worker.Worker": 100}
        settings["SPIDER_MIDDLEWARES"] = {**settings.getdict("SPIDER_MIDDLEWARES"), "tiktok.scale.worker.WorkerMiddleware": 50}
