"""The switch and what hangs on it: is Redis on, which Redis (shown without its password), the
client, and who this worker is.

Settings: TIKTOK_REDIS_URL (or the environment variable of that name; unset, a single-machine
crawl), TIKTOK_REDIS_PASSWORD (environment only: a password in a URL on the command line would be
in `ps` and in shell history), TIKTOK_WORKER_ID (default <host>-<pid>), TIKTOK_WORKER_TTL (seconds
without a heartbeat before a worker counts as dead and its in-flight requests go back on the
queue; default 30), TIKTOK_RESERVATION_TTL (seconds an item's key stays reserved without a
commit; default 600), TIKTOK_REDIS_WAIT (environment; seconds a worker waits for a Redis that
stopped answering mid-crawl, a restart say, before it gives up; default 600).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import ConstantBackoff
from redis.retry import Retry

from tiktok.run.context import RunRefused

logger = logging.getLogger(__name__)
PASSWORD_ENV = "TIKTOK_REDIS_PASSWORD"
WORKER_ID = re.compile(r"^[\w.-]{1,100}$")


def redis_url(settings: Any) -> str | None:
    """The switch: the setting, else the environment; None (or empty) keeps one machine."""
    return str(settings.get("TIKTOK_REDIS_URL") or os.environ.get("TIKTOK_REDIS_URL") or "") or None


def shown_url(url: str) -> str:
    """The URL fit for a message: a password in it replaced (connect() refuses such a URL)."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = f"{parts.username or ''}:***@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    except ValueError:  # a port that is not a number
        return url.split("@")[-1]
    return urlunsplit(parts._replace(netloc=netloc))


class WaitForRedis(ConstantBackoff):
    """redis-py's retry backoff (one try a second), saying in the log when a worker starts waiting
    for Redis and when Redis answers again: redis-py retries silently."""

    def __init__(self) -> None:
        super().__init__(1.0)
        self.since: float | None = None

    def compute(self, failures: int) -> float:
        if self.since is None:
            self.since = time.monotonic()
            logger.warning("Redis does not answer (stopped or restarting?): the worker waits for it, up to %d s", redis_wait())
        return float(super().compute(failures))

    def reset(self) -> None:  # redis-py calls it before each command
        if self.since is not None:
            logger.warning("Redis answers again after %.0f s: the worker goes on", time.monotonic() - self.since)
            self.since = None
        super().reset()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated


def redis_wait() -> int:
    return int(os.environ.get("TIKTOK_REDIS_WAIT") or 600)


class EnvPasswordRedis(redis.Redis):
    """redis-py's client with the password from TIKTOK_REDIS_PASSWORD, and commands that wait for a
    Redis that stopped answering (TIKTOK_REDIS_WAIT) rather than fail the crawl: scrapy-redis builds
    its own client from REDIS_URL and REDIS_PARAMS, and both are printed among the overridden settings."""

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> redis.Redis:
        password = os.environ.get(PASSWORD_ENV) or None
        kwargs.setdefault("retry", Retry(WaitForRedis(), redis_wait()))
        kwargs.setdefault("retry_on_error", [redis.ConnectionError, redis.TimeoutError])
        return super().from_url(url, **({"password": password} if password else {}), **kwargs)


def client(url: str, wait: bool = True) -> redis.Redis:
    """A client for `url` (without `wait`, one that fails at once). Bytes in and out: requests are
    pickled (scrapy-redis) and seen-keys are 6-byte fields."""
    extra: dict[str, Any] = {} if wait else {"retry": Retry(ConstantBackoff(0), 0)}
    return EnvPasswordRedis.from_url(url, socket_timeout=30, socket_connect_timeout=5, retry_on_timeout=True, **extra)


def connect(url: str) -> redis.Redis:
    """A client that has answered a PING, or RunRefused with one line naming the URL (the PING does
    not wait: a wrong URL is told at once)."""
    where = shown_url(url)
    if urlsplit(url).password is not None:
        raise RunRefused(f"TIKTOK_REDIS_URL {where!r} carries a password: put it in TIKTOK_REDIS_PASSWORD instead (URLs are logged)")
    try:
        client(url, wait=False).ping()
        server = client(url)
    except ValueError as exc:  # redis-py's URL parser
        raise RunRefused(f"TIKTOK_REDIS_URL {where!r} is not a Redis URL ({exc}); give redis://HOST:PORT/DB") from None
    except redis.AuthenticationError:  # redis-py raises it for NOAUTH (none given) and WRONGPASS alike
        if os.environ.get(PASSWORD_ENV):
            raise RunRefused(f"Redis at {where} refused the password; set TIKTOK_REDIS_PASSWORD to the server's requirepass") from None
        raise RunRefused(f"Redis at {where} wants a password; set TIKTOK_REDIS_PASSWORD (never put it on the command line)") from None
    except redis.ResponseError as exc:
        raise RunRefused(f"Redis at {where} answered with an error ({exc})") from None
    except redis.RedisError as exc:
        raise RunRefused(f"cannot reach Redis at {where} ({exc}); start redis-server there or fix TIKTOK_REDIS_URL") from None
    return server


def worker_id(settings: Any) -> str:
    """This worker's name: its shard directory and its name in Redis. Host and pid by default, so
    two workers on one machine never share a shard."""
    given = str(settings.get("TIKTOK_WORKER_ID") or os.environ.get("TIKTOK_WORKER_ID") or "")
    if given and not WORKER_ID.match(given):
        raise RunRefused(f"TIKTOK_WORKER_ID {given!r}: use letters, digits, '.', '-' and '_' (it names a directory)")
    return given or f"{socket.gethostname()}-{os.getpid()}"


def worker_ttl(settings: Any) -> float:
    return float(settings.getfloat("TIKTOK_WORKER_TTL", 30.0))


def reservation_ttl(settings: Any) -> float:
    return float(settings.getfloat("TIKTOK_RESERVATION_TTL", 600.0))
