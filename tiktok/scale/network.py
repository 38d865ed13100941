"""research_network's frontier when workers share the crawl (issue 14). On one machine the spider
keeps its queue, statuses and half-read lists in memory and DATA_DIR/state/; with many workers a
list's pages are read by whichever worker pops them, so what the lists found, who is known (and at
which hop) and who was asked live in one Redis hash, tiktok:research_network:shared, changed in
atomic steps:

- k:<name> a user's hop: the shortest path from a seed any finished list gave (known),
  s:<name> the status of an asked user, f:<name> the users found on the stored pages of a list
  (newline-separated; kept once it ends); `known` and `asked` count them.
- A user is requested by the worker whose step made it known within `depth`, or brought it within
  `depth` from beyond (a list that ends later can find a user closer than the one that found it
  first), so no user is asked twice; a list's next page is requested by the worker that read the
  page before (the cursor travels with the request on the shared queue).
- A user brought closer after its own list was read brings its list's users closer too, from its
  kept f: list: workers cannot wait for a hop to be final as one machine does, so hops are mended.
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

# ARGV: name, status, depth, max users. Records the status and gives the list's users the list's
# hop + 1 where that is shorter than what they had (the list's own hop is read here, not taken from
# the request: it may have shrunk since). Returns name, hop pairs to request: users brought within
# depth now (newly known, or known only beyond depth before), or, for a list finished before, its
# users within depth not asked yet (the worker that got them may have died before requesting them).
FINISH = """
local name, depth, most = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4])
local again = redis.call('HEXISTS', KEYS[1], 's:' .. name) == 1
if not again then redis.call('HINCRBY', KEYS[1], 'asked', 1) end
redis.call('HSET', KEYS[1], 's:' .. name, ARGV[2])
if ARGV[2] == 'error' then
  redis.call('HDEL', KEYS[1], 'f:' .. name)
  return {}
end
local out, requested = {}, {}
local function request(other, hop)
  if not requested[other] then
    requested[other] = true
    table.insert(out, other)
    table.insert(out, hop)
  end
end
-- the list that ended, then every read list whose user was brought closer, breadth-first
local lists, i = {name}, 1
while i <= #lists do
  local list = lists[i]
  i = i + 1
  local hop = tonumber(redis.call('HGET', KEYS[1], 'k:' .. list)) + 1
  for other in string.gmatch(redis.call('HGET', KEYS[1], 'f:' .. list) or '', '[^\\n]+') do
    local was = redis.call('HGET', KEYS[1], 'k:' .. other)
    local asked = redis.call('HEXISTS', KEYS[1], 's:' .. other) == 1
    if not was then
      if most == 0 or tonumber(redis.call('HGET', KEYS[1], 'known') or '0') < most then
        redis.call('HSET', KEYS[1], 'k:' .. other, hop)
        redis.call('HINCRBY', KEYS[1], 'known', 1)
        if hop < depth then request(other, hop) end
      end
    elseif hop < tonumber(was) then
      redis.call('HSET', KEYS[1], 'k:' .. other, hop)
      -- known only beyond depth before, so never requested; one requested and unread reads the new hop
      if tonumber(was) >= depth and hop < depth and not asked then request(other, hop) end
      if asked then table.insert(lists, other) end
    elseif again and list == name and tonumber(was) == hop and hop < depth and not asked then
      request(other, hop)
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

    def finish(self, name: str, status: str, users: list[str], depth: int) -> list[tuple[str, int]]:
        """`name`'s list has ended (or failed: status error, and its users are dropped, as on one
        machine); returns the users within `depth`, with their hops, that this worker requests."""
        self.found(name, users)
        out = self._finish(keys=[self.key], args=[name, status, depth, self.most])
        return [(bytes(out[i]).decode(), int(out[i + 1])) for i in range(0, len(out), 2)]

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
