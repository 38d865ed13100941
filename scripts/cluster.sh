#!/usr/bin/env bash
# make cluster N=3: a local redis-server (loopback, an append-only file and no snapshots, a free port), the simulator, and
# N workers of one `video -a comments=all` crawl sharing it through Redis (tiktok/scale/); shows
# `python -m tiktok cluster status` every few seconds, merges the shards when the crawl is done, and
# stops everything it started on Ctrl-C. CLUSTER_SPIDER_ARGS replaces the crawl's arguments;
# CLUSTER_DATA says where the shards go (default data-cluster/).
set -euo pipefail
N=${N:-3}
PY=${PY:-.venv/bin/python}
DATA=${CLUSTER_DATA:-data-cluster}
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
REDIS_PORT=$(free_port)
SIM_PORT=$(free_port)
BASE="http://127.0.0.1:$SIM_PORT"
export TIKTOK_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
PIDS=()

stop() {
  for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap 'stop; echo "cluster stopped"; exit 0' INT TERM

command -v redis-server >/dev/null || { echo "redis-server is not installed: run make setup" >&2; exit 2; }
# No snapshots, but an append-only file (in a directory of this run's): a redis-server restarted
# on the same port and directory keeps the frontier, and the workers wait for it meanwhile.
REDIS_DIR=$(mktemp -d)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly yes --dir "$REDIS_DIR" >/dev/null &
PIDS+=($!)
"$PY" -m tiktok.simulator --port "$SIM_PORT" >/dev/null &
PIDS+=($!)
for _ in $(seq 100); do curl -sf "$BASE/__sim__/" >/dev/null && break; sleep 0.1; done

if [ -z "${CLUSTER_SPIDER_ARGS:-}" ]; then  # a dozen public videos of the simulator, every comment
  IDS=$("$PY" - "$BASE" <<'PYEOF'
import json, sys, urllib.request
base = sys.argv[1] + "/__sim__/truth/"
get = lambda path: json.load(urllib.request.urlopen(base + path))
ids = [v for u in get("users")[:40] if not u["private"] for v in get("user/" + u["username"])["video_ids"][:2]]
print(",".join(ids[:12]))
PYEOF
)
  CLUSTER_SPIDER_ARGS="-a ids=$IDS -a comments=all"
fi
SETTINGS=(-s "DATA_DIR=$DATA" -s "TIKTOK_WEB_URL=$BASE" -s TIKTOK_MEDIA_ENABLED=False)
mkdir -p "$DATA"
echo "Redis $TIKTOK_REDIS_URL, simulator $BASE, $N workers writing $DATA/<worker>/ (logs in $DATA/*.log)"
# The seeds go in once; every worker then joins with no arguments (they are read from Redis).
# shellcheck disable=SC2086  # the arguments are words on purpose
"$PY" -m tiktok enqueue video $CLUSTER_SPIDER_ARGS "${SETTINGS[@]}" 2>"$DATA/enqueue.log"
WORKERS=()
for i in $(seq 1 "$N"); do
  "$PY" -m tiktok work video "${SETTINGS[@]}" >"$DATA/worker-$i.log" 2>&1 &
  WORKERS+=($!)
done
PIDS=("${WORKERS[@]}" "${PIDS[@]}")
alive() { for pid in "${WORKERS[@]}"; do kill -0 "$pid" 2>/dev/null && return 0; done; return 1; }
while alive; do
  sleep 3
  "$PY" -m tiktok cluster status || true
done
for pid in "${WORKERS[@]}"; do wait "$pid" || true; done
"$PY" -m tiktok merge "$DATA" "$DATA-merged"
stop
