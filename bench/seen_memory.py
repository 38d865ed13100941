"""Memory of the Redis seen-set per million stored keys (tiktok/scale/seen.py), against a
Redis key per item. Needs a scratch redis-server: `TIKTOK_REDIS_URL=redis://127.0.0.1:6390/15
python -m bench.seen_memory` (it FLUSHDBs that database)."""

from __future__ import annotations

import os
import random
import sys

import redis

from tiktok.scale.seen import place

KEYS = 1_000_000


def used(server: redis.Redis) -> int:
    return int(server.info("memory")["used_memory"])


def main() -> int:
    url = os.environ.get("TIKTOK_REDIS_URL")
    if not url:
        print("set TIKTOK_REDIS_URL to a scratch Redis database (it is flushed)", file=sys.stderr)
        return 2
    server = redis.Redis.from_url(url)
    hashes = [random.getrandbits(64) for _ in range(KEYS)]
    for label, store in (("bucketed hashes (ours)", bucketed), ("one key per item", one_key_each)):
        server.flushdb()
        before = used(server)
        store(server, hashes)
        print(f"{label}: {(used(server) - before) / KEYS:.1f} bytes a key, {(used(server) - before) / 2**20:.0f} MiB per million keys")
    server.flushdb()
    return 0


def bucketed(server: redis.Redis, hashes: list[int]) -> None:
    with server.pipeline(transaction=False) as pipe:
        for n, h in enumerate(hashes, 1):
            bucket, field, _ = place(h)
            pipe.hset(bucket, field, b"")
            if n % 10_000 == 0:
                pipe.execute()
        pipe.execute()


def one_key_each(server: redis.Redis, hashes: list[int]) -> None:
    with server.pipeline(transaction=False) as pipe:
        for n, h in enumerate(hashes, 1):
            pipe.set(place(h)[2], b"")
            if n % 10_000 == 0:
                pipe.execute()
        pipe.execute()


if __name__ == "__main__":
    sys.exit(main())
