#!/usr/bin/env bash
# One crawl for cron: cron/run.sh SPIDER [scrapy crawl arguments...], e.g. cron/run.sh foryou -a count=100
#
# If the previous run of the same spider is still going when this one starts, it is stopped first:
# SIGTERM (Scrapy finishes what is in flight and writes the run's end, verdict `stopped`, in
# runs.jsonl), then SIGKILL after TIKTOK_CRON_GRACE seconds (default 60). The script exits with the
# crawl's own exit code, its verdict: 0 complete, 3 partial, 4 quota, 5 blocked, 6 stopped, 1 failed. Output goes to logs/SPIDER-<UTC time>.log.
# After the crawl, `python -m tiktok compact` adds its lines to DATA_DIR/parquet/ (a failure is logged only).
# Cron gives a bare environment: every path here is absolute, from this script's own place.
# TIKTOK_DATA_DIR, TIKTOK_WEB_URL and TIKTOK_LOG_DIR may be set on the crontab line.
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SPIDER="${1:?usage: cron/run.sh SPIDER [scrapy crawl arguments]}"
shift
STATE_DIR="${TIKTOK_DATA_DIR:-$ROOT/data}/state"
LOG_DIR="${TIKTOK_LOG_DIR:-$ROOT/logs}"
GRACE="${TIKTOK_CRON_GRACE:-60}"
PIDFILE="$STATE_DIR/cron-$SPIDER.pid"
mkdir -p "$STATE_DIR" "$LOG_DIR"

exec 9>"$PIDFILE.lock"
flock 9  # one starter at a time: two overlapping starts cannot both think the old run is gone
if [ -s "$PIDFILE" ]; then
  old="$(cat "$PIDFILE")"
  if kill -0 "$old" 2>/dev/null; then
    echo "$(date -u +%FT%TZ) previous $SPIDER run (pid $old) still going: stopping it"
    kill -TERM "$old"
    for _ in $(seq "$GRACE"); do
      kill -0 "$old" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$old" 2>/dev/null; then
      echo "$(date -u +%FT%TZ) it did not stop within ${GRACE}s: killing it"
      kill -KILL "$old"
    fi
  fi
fi

cd "$ROOT" || exit 1
LOG="$LOG_DIR/$SPIDER-$(date -u +%Y%m%dT%H%M%SZ).log"
# -s LOG_FILE: Scrapy's full log into this run's log too (by default it goes to DATA_DIR/logs/),
# beside the warnings and the run's summary, which come on stderr.
"$ROOT/.venv/bin/scrapy" crawl "$SPIDER" -s "LOG_FILE=$LOG" "$@" >>"$LOG" 2>&1 9>&- &
pid=$!
echo "$pid" >"$PIDFILE"
flock -u 9
wait "$pid"
rc=$?
[ "$(cat "$PIDFILE" 2>/dev/null)" = "$pid" ] && rm -f "$PIDFILE"
# The Parquet copy gains this run's lines (README "Compact to Parquet"), unless the crawl was refused.
# Its failure is logged and printed, but the exit code stays the crawl's: the jsonl holds the data.
DATA_DIR="${TIKTOK_DATA_DIR:-$ROOT/data}"
if [ "$rc" != 2 ] && [ -d "$DATA_DIR" ] && ! "$ROOT/.venv/bin/python" -m tiktok compact "$DATA_DIR" >>"$LOG" 2>&1; then
  echo "$(date -u +%FT%TZ) compact $DATA_DIR failed (the crawl's data is safe in its jsonl); see $LOG" | tee -a "$LOG"
fi
# The crawl's exit code is its verdict (README "Every run ends with a verdict"); cron mails what is printed.
case "$rc" in
  0) verdict=complete ;; 3) verdict=partial ;; 4) verdict=quota ;; 5) verdict=blocked ;; 6) verdict=stopped ;;
  2) verdict="refused (bad arguments, credentials, or the data directory is in use)" ;; *) verdict=failed ;;
esac
echo "$(date -u +%FT%TZ) $SPIDER run ended: $verdict (exit $rc); log: $LOG" | tee -a "$LOG"
exit "$rc"
