"""The seen-set in Redis, for workers on many machines (issue 14), with the single-machine store's
guarantee (tiktok/storage/store.py): a key is reserved before the item goes down the pipelines and
made permanent only after its line is written, so a crash never marks unstored data as seen.

- reserve: the key's 64-bit hash, if not stored, is reserved with SET NX that expires
  (TIKTOK_RESERVATION_TTL) and names the worker. A reservation held by a dead worker (its
  heartbeat tiktok:alive:W gone) is taken over at once: its requests come back to the queue and
  their items must not be refused as on their way.
- commit: the hash goes into the stored set and the reservation is deleted, in one transaction.
- release: the reservation is deleted (the item was dropped and may come again).

Stored keys sit in 65,536 Redis hashes named by the hash's top 16 bits, each field the other 6
bytes: small hashes are kept as compact listpacks (up to hash-max-listpack-entries, 128 by default:
about 8 million keys; raise it for more). Measured with `python -m bench.seen_memory` (Redis 7.0):
17 bytes a key, 16 MiB per million, where a Redis key per item took 104 bytes (100 MiB).
Reservations are keys of their own, but only while items are on their way.
Settings: TIKTOK_RESERVATION_TTL.
"""

from __future__ import annotations

import redis

from tiktok.scale.frontier import PREFIX, alive_key

SEEN = PREFIX + "seen:"
BUCKET_BITS = 16

RESERVE = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local holder = redis.call('GET', KEYS[2])
if holder and (holder == ARGV[2] or redis.call('EXISTS', ARGV[4] .. holder) == 1) then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
"""

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""


def place(h: int) -> tuple[str, bytes, str]:
    """(bucket key, field, reservation key) of a 64-bit key hash."""
    bucket = h >> (64 - BUCKET_BITS)
    return f"{SEEN}{bucket:04x}", (h & ((1 << (64 - BUCKET_BITS)) - 1)).to_bytes(6, "little"), f"{SEEN}r:{h:016x}"


class RedisSeen:
    """Reserve, commit and release key hashes in Redis for one worker."""

    def __init__(self, server: redis.Redis, worker: str, reservation_ttl: float) -> None:
        self.server, self.worker = server, worker
        self.ttl_ms = int(reservation_ttl * 1000)
        self._reserve = server.register_script(RESERVE)
        self._release = server.register_script(RELEASE)
        self.alive_prefix = alive_key("")

    def reserve(self, h: int) -> bool:
        bucket, field, reservation = place(h)
        return bool(self._reserve(keys=[bucket, reservation], args=[field, self.worker, self.ttl_ms, self.alive_prefix]))

    def commit(self, h: int) -> None:
        bucket, field, reservation = place(h)
        with self.server.pipeline() as pipe:  # MULTI/EXEC: stored and unreserved together
            pipe.hset(bucket, field, b"")
            pipe.delete(reservation)
            pipe.execute()

    def release(self, h: int) -> None:
        _, _, reservation = place(h)
        self._release(keys=[reservation], args=[self.worker])
