"""A real redis-server for tests and benchmarks (never a mock): loopback, a free port, no
snapshots. Given a directory it keeps an append-only file there, so a restart on the same port
keeps the crawl, as `make cluster` runs it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.helpers.sim_process import free_port


class RedisServer:
    def __init__(self, directory: Path | None = None) -> None:
        self.port, self.directory = free_port(), directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        kept = ["--appendonly", "yes", "--dir", str(self.directory)] if self.directory else ["--appendonly", "no"]
        self.proc = subprocess.Popen([*cmd, *kept], stdout=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.terminate()  # SIGTERM: redis-server writes its append-only file and exits
        self.proc.wait(timeout=10)


@contextmanager
def running_redis(directory: Path | None = None) -> Iterator[RedisServer]:
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
