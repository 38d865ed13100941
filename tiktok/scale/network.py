"""research_network's frontier when workers share the crawl (issue 14). On one machine the spider
keeps its queue, statuses and half-read lists in memory and DATA_DIR/state/; with many workers a
list's pages are read by whichever worker pops them, so what the lists found, who is known (and at
which hop) and who was asked live in one Redis hash, tiktok:research_network:shared, changed in
atomic steps:

- k:<name> the hop a user was found at (known), s:<name> the status of an asked user,
  f:<name> the users found on the stored pages of an unfinished list (newline-separated);
  `known` and `asked` count them.
- A user is requested by the worker whose step made it known, so no user is asked twice; a list's
  next page is requested by the worker that read the page before (the cursor travels with the
  request on the shared queue).
- A page read twice (its worker died before it was marked done) adds its users twice to f:, which
  `finish` reads once; a finished list read again returns its users that are known and not asked,
  so none is left unrequested.

The hash is part of the crawl: it goes when the crawl ends (tiktok/scale/frontier.py).
"""

from __future__ import annotations

from typing import Any

import redis

from tiktok.scale.frontier import key

# ARGV: max users (0: no limit), then name, hop pairs. Returns the names made known by this call.
ADD = """
local added = {}
local most = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local name = ARGV[i]
  if redis.call('HEXISTS', KEYS[1], 'k:' .. name) == 0 then
    if most == 0 or tonumber(redis.call('HGET', KEYS[1], 'known') or '0') < most then
      redis.call('HSET', KEYS[1], 'k:' .. name, ARGV[i + 1])
      redis.call('HINCRBY', KEYS[1], 'known', 1)
      table.insert(added, name)
    end
  end
end
return added
"""

# ARGV: name, status, the found users' hop, max users. Records the status, makes the list's users
# known; returns the users to request: those made known now, or, for a list finished before, its
# users at that hop not asked yet.
FINISH = """
local name, hop, most = ARGV[1], ARGV[3], tonumber(ARGV[4])
local again = redis.call('HEXISTS', KEYS[1], 's:' .. name) == 1
if not again then redis.call('HINCRBY', KEYS[1], 'asked', 1) end
redis.call('HSET', KEYS[1], 's:' .. name, ARGV[2])
if ARGV[2] == 'error' then
  redis.call('HDEL', KEYS[1], 'f:' .. name)
  return {}
end
local found = redis.call('HGET', KEYS[1], 'f:' .. name) or ''
local out, seen = {}, {}
for other in string.gmatch(found, '[^\\n]+') do
  if not seen[other] then
    seen[other] = true
    if redis.call('HEXISTS', KEYS[1], 'k:' .. other) == 0 then
      if most == 0 or tonumber(redis.call('HGET', KEYS[1], 'known') or '0') < most then
        redis.call('HSET', KEYS[1], 'k:' .. other, hop)
        redis.call('HINCRBY', KEYS[1], 'known', 1)
        table.insert(out, other)
      end
    elseif again and redis.call('HGET', KEYS[1], 'k:' .. other) == hop and redis.call('HEXISTS', KEYS[1], 's:' .. other) == 0 then
      table.insert(out, other)
    end
  end
end
return out
"""

APPEND = """
local field = 'f:' .. ARGV[1]
redis.call('HSET', KEYS[1], field, (redis.call('HGET', KEYS[1], field) or '') .. ARGV[2])
return 0
"""


class SharedNetwork:
    """The follow-graph frontier of one research_network crawl, shared by its workers."""

    def __init__(self, server: redis.Redis, spider: str, max_users: int | None) -> None:
        self.server, self.key, self.most = server, key(spider, "shared"), max_users or 0
        self._add = server.register_script(ADD)
        self._finish = server.register_script(FINISH)
        self._append = server.register_script(APPEND)

    def seed(self, names: list[str]) -> list[str]:
        """The seeds (hop 0) not known yet; every seed counts, whatever max_users says."""
        pairs = [v for name in names for v in (name, 0)]
        return [bytes(n).decode() for n in self._add(keys=[self.key], args=[0, *pairs])]

    def found(self, name: str, users: list[str]) -> None:
        """Users found on a stored page of `name`'s list, which goes on."""
        if users:
            self._append(keys=[self.key], args=[name, "".join(f"{u}\n" for u in users)])

    def finish(self, name: str, status: str, users: list[str], hop: int) -> list[str]:
        """`name`'s list has ended (or failed: status error, and its users are dropped, as on one
        machine); returns the users found at `hop` that this worker requests."""
        self.found(name, users)
        out = self._finish(keys=[self.key], args=[name, status, hop, self.most])
        return [bytes(n).decode() for n in out]

    def counts(self) -> dict[str, int]:
        known, asked = self.server.hmget(self.key, ["known", "asked"])
        return {"known": int(known or 0), "asked": int(asked or 0)}


def shared_network(crawler: Any, max_users: int | None) -> SharedNetwork | None:
    """The shared frontier when the crawl runs through Redis (TIKTOK_REDIS_URL); None on one machine."""
    from tiktok.scale import config

    url = config.redis_url(crawler.settings)
    if url is None:
        return None
    from tiktok.scale.worker import worker_of

    return SharedNetwork(worker_of(crawler).frontier.server, crawler.spidercls.name, max_users)
