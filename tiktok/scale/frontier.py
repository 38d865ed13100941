"""One crawl's state in Redis and the atomic steps on it (Lua scripts run whole on the server, so
two workers never see half a step).

Keys, for spider S (one crawl per spider name at a time):
- tiktok:S:requests     scrapy-redis's priority queue (a sorted set of pickled requests)
- tiktok:S:dupefilter   the request fingerprints (a hash: fingerprint -> the token that claimed it)
- tiktok:S:crawl        the crawl: its arguments (their one home: a joining worker reads them
                        here), its run id (shared, so a video is one row per run whatever worker
                        saw it), who is still pushing seeds
- tiktok:S:workers      the workers that took part; tiktok:S:inflight:W what worker W has popped
                        and not finished ("score|pickled request" by a number)
- tiktok:S:stats        each worker's counts (items per type, errors), as JSON by worker id
- tiktok:S:shared        what a spider's callbacks share besides the queue (research_network's
                        users known, asked and found: tiktok/scale/network.py)
- tiktok:S:finished      the run id of the crawl that last ended (a day): a crawl record gone
                        without it was lost (a Redis restarted without persistence)
- tiktok:alive:W        worker W's heartbeat, with a time to live: gone means dead

scrapy-redis's queue loses a request once popped; here the pop also files the request under the
worker (one script), and a dead worker's requests go back on the queue, so a kill -9 loses nothing.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import redis

PREFIX = "tiktok:"
# Request meta: the request was not done (the daily quota stopped it before it was sent), so it
# stays filed under its worker and goes back on the queue when the worker leaves.
REQUEUE = "tiktok_requeue"
# Request meta: while a worker holds such a request unfinished it takes nothing else from the queue
# (a For-You persona's visit: one browser, one persona at a time per worker).
EXCLUSIVE = "tiktok_exclusive"


def key(spider: str, what: str) -> str:
    return f"{PREFIX}{spider}:{what}"


def alive_key(worker: str) -> str:
    return f"{PREFIX}alive:{worker}"


def canonical(arguments: dict[str, Any]) -> str:
    """The arguments as stored and compared: the -a values as given, in a fixed order."""
    return json.dumps({k: str(v) for k, v in arguments.items()}, sort_keys=True)


# A worker with arguments starts the crawl when there is none; with the same arguments it joins;
# with none it joins whatever is there. Returns {verdict, run id or the other arguments}.
CLAIM = """
local args = redis.call('HGET', KEYS[1], 'arguments')
if not args then
  if ARGV[1] == '' then return {'none', ''} end
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  redis.call('HSET', KEYS[1], 'arguments', ARGV[1], 'run_id', ARGV[2], 'seeding', ARGV[3], 'started_at', ARGV[4])
  return {'seed', ARGV[2]}
end
if ARGV[1] ~= '' and ARGV[1] ~= args then return {'other', args} end
return {'join', redis.call('HGET', KEYS[1], 'run_id')}
"""

# The queue's lowest score, popped and filed under the worker in one step. ARGV[1] is a token made
# once per pop: the call sent again (its answer lost while Redis restarted, the client retrying)
# returns the request the first one filed, instead of filing a second that no one would take.
POP = """
local last = redis.call('GET', KEYS[4])
if last then
  local cut = string.find(last, '|', 1, true)
  if string.sub(last, 1, cut - 1) == ARGV[1] then
    local n = string.sub(last, cut + 1)
    local held = redis.call('HGET', KEYS[2], n)
    if not held then return false end
    return {tonumber(n), string.sub(held, string.find(held, '|', 1, true) + 1)}
  end
end
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
local n = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], n, found[2] .. '|' .. found[1])
redis.call('SET', KEYS[4], ARGV[1] .. '|' .. n)
return {n, found[1]}
"""

# What is left to do: the queue, a live seeder, the in-flight requests of live workers. A dead
# worker's in-flight requests go back on the queue first. With ARGV[2] = '1' and nothing left, the
# crawl ends: its record, queue, dupefilter and shared state go, so the next crawl of this spider starts afresh.
PENDING = """
local prefix = ARGV[1]
local pending = redis.call('ZCARD', KEYS[1])
local requeued = 0
local seeding = redis.call('HGET', KEYS[3], 'seeding')
if seeding and seeding ~= '' and redis.call('EXISTS', prefix .. 'alive:' .. seeding) == 1 then pending = pending + 1 end
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local inflight = KEYS[4] .. w
  if redis.call('EXISTS', prefix .. 'alive:' .. w) == 1 then
    pending = pending + redis.call('HLEN', inflight)
  else
    local held = redis.call('HGETALL', inflight)
    for i = 2, #held, 2 do
      local cut = string.find(held[i], '|', 1, true)
      redis.call('ZADD', KEYS[1], string.sub(held[i], 1, cut - 1), string.sub(held[i], cut + 1))
      requeued = requeued + 1
      pending = pending + 1
    end
    redis.call('DEL', inflight)
    redis.call('SREM', KEYS[2], w)
  end
end
local exists = redis.call('EXISTS', KEYS[3])
if pending == 0 and ARGV[2] == '1' and exists == 1 then
  redis.call('SET', KEYS[7], redis.call('HGET', KEYS[3], 'run_id'), 'EX', 86400)
  redis.call('DEL', KEYS[3], KEYS[5], KEYS[1], KEYS[6])
  return {0, requeued, 'finished'}
end
return {pending, requeued, exists == 1 and 'running' or 'none'}
"""


class Frontier:
    """The Redis side of one spider's crawl, as one worker sees it."""

    def __init__(self, server: redis.Redis, spider: str, worker: str) -> None:
        self.server, self.spider, self.worker = server, spider, worker
        self.queue_key = key(spider, "requests")
        self.dupefilter_key = key(spider, "dupefilter")
        self.crawl_key = key(spider, "crawl")
        self.workers_key = key(spider, "workers")
        self.inflight_key = key(spider, f"inflight:{worker}")
        self.stats_key = key(spider, "stats")
        self.shared_key = key(spider, "shared")
        self.finished_key = key(spider, "finished")
        self.about: dict[str, Any] = {}
        self._claim = server.register_script(CLAIM)
        self._pop = server.register_script(POP)
        self._pending = server.register_script(PENDING)

    def claim(self, arguments: str, run_id: str, started_at: str) -> tuple[str, str]:
        """('seed', run id) for the worker that starts the crawl, ('join', run id), ('none', '')
        when there is no crawl to join, ('other', its arguments) when another crawl runs."""
        keys = [self.crawl_key, self.dupefilter_key, self.stats_key, self.shared_key]
        verdict, value = self._claim(keys=keys, args=[arguments, run_id, self.worker, started_at])
        return verdict.decode(), value.decode()

    def arguments(self) -> dict[str, str] | None:
        """The running crawl's arguments, None when no crawl of this spider is in Redis."""
        raw = self.server.hget(self.crawl_key, "arguments")
        return None if raw is None else dict(json.loads(raw))

    def seeded(self) -> None:
        """The seeds are all on the queue: this worker no longer holds the crawl open alone."""
        self.server.hset(self.crawl_key, "seeding", "")

    def pop(self) -> tuple[int, bytes] | None:
        """The next request (pickled) and its number among this worker's in-flight ones."""
        keys = [self.queue_key, self.inflight_key, self.inflight_key + ":n", self.inflight_key + ":last"]
        found = self._pop(keys=keys, args=[uuid.uuid4().hex])
        return None if found is None else (int(found[0]), bytes(found[1]))

    def queued(self) -> int:
        """Requests on the queue, waiting for a worker."""
        return int(self.server.zcard(self.queue_key))

    def done(self, numbers: list[int]) -> None:
        if numbers:
            self.server.hdel(self.inflight_key, *numbers)

    def pending(self, finish: bool = False) -> tuple[int, int, str]:
        """(requests left anywhere, requests taken back from dead workers, crawl state)."""
        keys = [self.queue_key, self.workers_key, self.crawl_key, key(self.spider, "inflight:"), self.dupefilter_key, self.shared_key]
        keys.append(self.finished_key)
        left, requeued, state = self._pending(keys=keys, args=[PREFIX, "1" if finish else "0"])
        return int(left), int(requeued), state.decode()

    def enter(self, ttl: float, about: dict[str, Any]) -> None:
        """This worker is alive (for `ttl` seconds unless it beats again) and takes part."""
        self.about = {"spider": self.spider, **about}
        self.beat(ttl, None)

    def beat(self, ttl: float, counts: dict[str, Any] | None) -> None:
        """Alive for `ttl` seconds more. The heartbeat is written whole each time, not only
        extended: after an outage of Redis longer than `ttl` the worker counts as alive again."""
        with self.server.pipeline() as pipe:
            pipe.set(alive_key(self.worker), json.dumps(self.about), px=int(ttl * 1000))
            pipe.sadd(self.workers_key, self.worker)
            if counts is not None:
                pipe.hset(self.stats_key, self.worker, json.dumps(counts))
            pipe.execute()

    def lost(self, run_id: str) -> bool:
        """Whether the crawl `run_id` vanished from Redis without ending: its record gone, and not
        because the last worker ended it (that leaves its run id under `finished`)."""
        with self.server.pipeline() as pipe:
            pipe.exists(self.crawl_key)
            pipe.get(self.finished_key)
            exists, finished = pipe.execute()
        return not exists and (finished.decode() if isinstance(finished, bytes) else finished) != run_id

    def finished_run(self) -> str | None:
        """The run id of the crawl of this spider that last ended here, if it ended within a day."""
        raw = self.server.get(self.finished_key)
        return None if raw is None else raw.decode() if isinstance(raw, bytes) else str(raw)

    def leave(self, counts: dict[str, Any]) -> int:
        """This worker stops: what it took and did not finish (a Ctrl-C drops queued downloads) goes
        back on the queue as a dead worker's would. Returns how many requests went back."""
        with self.server.pipeline() as pipe:
            pipe.hset(self.stats_key, self.worker, json.dumps(counts))
            pipe.delete(alive_key(self.worker), self.inflight_key + ":n", self.inflight_key + ":last")
            pipe.execute()
        return self.pending()[1]
