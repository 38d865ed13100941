#!/usr/bin/env bash
# Daily, after the Research API's quota resets at 00:00 UTC: run every query in queries/ again.
# Each goes on from its saved progress; a finished query sends nothing. Credentials come from the
# environment or from the checkout's .env (cron's environment has neither unless you add them).
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
for query in "$ROOT"/queries/*.yaml "$ROOT"/queries/*.json; do
  [ -e "$query" ] || continue
  "$ROOT/cron/run.sh" research_videos -a query="$query"
done
