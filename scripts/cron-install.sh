#!/usr/bin/env bash
# make cron-install / make cron-remove: add or remove this project's lines in the user's crontab,
# each tagged "# tiktok-scraper", leaving every other line alone. CRONTAB names the command (tests).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CRONTAB="${CRONTAB:-crontab}"
TAG="# tiktok-scraper"
current="$("$CRONTAB" -l 2>/dev/null || true)"
kept="$(printf '%s\n' "$current" | grep -vF "$TAG" | sed '/^$/d' || true)"
case "${1:-}" in
  install)
    entries="$(grep -v '^#' "$ROOT/cron/tiktok_scraper.cron" | sed '/^$/d' | sed "s|@ROOT@|$ROOT|g; s|\$|  $TAG|")"
    printf '%s\n%s\n' "$kept" "$entries" | sed '/^$/d' | "$CRONTAB" -
    echo "installed in your crontab:"
    printf '%s\n' "$entries"
    if command -v pgrep >/dev/null && ! pgrep -x cron >/dev/null; then
      echo "note: no cron daemon is running here (as root: /usr/sbin/cron)"
    fi
    ;;
  remove)
    printf '%s\n' "$kept" | sed '/^$/d' | "$CRONTAB" -
    echo "removed this project's lines from your crontab"
    ;;
  *)
    echo "usage: scripts/cron-install.sh install|remove" >&2
    exit 2
    ;;
esac
