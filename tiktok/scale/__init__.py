"""Many machines, one crawl (issue 14): scrapy-redis's scheduler, queue and dupefilter behind one
switch, TIKTOK_REDIS_URL (a setting or the environment; unset, nothing here is loaded).

- config.py: the switch, the Redis client (password from TIKTOK_REDIS_PASSWORD, never argv), the worker id.
- addon.py: the Scrapy add-on that turns the switch into scrapy-redis settings.
- frontier.py: the crawl's keys in Redis and the atomic steps on them (claim, pop, idle, finish).
- worker.py: the extension and spider middleware of a worker (join, heartbeat, wait, collector).
- seen.py: the item keys reserved and committed in Redis, so workers store each record once.
- network.py: research_network's users known, asked and found, shared in Redis.

Elsewhere, by layer: the shards as one dataset and `merge` in tiktok/storage/shards.py, and the
`work`, `enqueue`, `cluster status` and `merge` commands in tiktok/cli/scale.py.
"""
