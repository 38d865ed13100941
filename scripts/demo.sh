#!/usr/bin/env bash
# make demo: start the simulator on loopback, tour it with curl, run the main job (the For-You crawl)
# hourly over six simulated hours, a hashtag and a follow network, analyse it all (report and
# notebooks), show where everything is, and keep the simulator up until Ctrl-C.
# DEMO_SECONDS=N stops it N seconds after the tour (0: at once), for tests and unattended runs;
# DEMO_HOURS=N takes N hourly snapshots (default 6); DEMO_DATA and DEMO_REPORT say where output goes.
# It refuses a port that something else holds (it would tour and move the clock of a simulator it
# did not start), and starts from an empty data folder: an old one is moved aside to
# <data>.old-<UTC time>/, never appended to. DEMO_CHECKS_ONLY=1 runs only these checks (for tests).
set -euo pipefail
PORT=${PORT:-8800}
PY=${PY:-.venv/bin/python}
BASE="http://127.0.0.1:$PORT"
DATA=${DEMO_DATA:-data}
REPORT=${DEMO_REPORT:-report}
HOURS=${DEMO_HOURS:-6}
SCRAPY="$(dirname "$PY")/scrapy"

# A bind test as the simulator binds (SO_REUSEADDR): only a socket listening on the port fails it.
if ! "$PY" -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$PORT" 2>/dev/null; then
  echo "make demo: error: port $PORT on 127.0.0.1 is in use by something this demo did not start; stop it, or run make demo PORT=8801" >&2
  exit 2
fi
if [ -e "$DATA" ]; then
  OLD="$DATA.old-$(date -u +%Y%m%dT%H%M%SZ)"
  mv "$DATA" "$OLD"
  echo "The previous $DATA/ is kept as $OLD/; this demo starts from an empty $DATA/."
fi
[ -n "${DEMO_CHECKS_ONLY:-}" ] && exit 0

"$PY" -m tiktok.simulator --port "$PORT" &
SIM=$!
stop() {
  kill -INT "$SIM" 2>/dev/null || true
  wait "$SIM" 2>/dev/null || true
}
trap 'stop; echo "demo stopped"; exit 0' INT TERM

for _ in $(seq 100); do
  kill -0 "$SIM" 2>/dev/null || { echo "the simulator did not start (see the line above)" >&2; exit 1; }
  curl -sf "$BASE/__sim__/" >/dev/null && break
  sleep 0.1
done

step() { printf '\n--- %s\n' "$1"; }
step "Research API: a client token (OAuth client credentials)"
TOKEN_JSON=$(curl -sf "$BASE/v2/oauth/token/" -d client_key=sim-demo-key -d client_secret=sim-demo-secret -d grant_type=client_credentials)
echo "$TOKEN_JSON" | sed 's/"access_token": "[^"]*"/"access_token": "clt.…"/'
TOKEN=$(echo "$TOKEN_JSON" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
step "Research API: videos with #london, 10-30 May 2026"
curl -sf -X POST "$BASE/v2/research/video/query/?fields=id,username,like_count,hashtag_names" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"query": {"and": [{"field_name": "hashtag_name", "operation": "EQ", "field_values": ["london"]}]},
       "start_date": "20260510", "end_date": "20260530", "max_count": 3}'
echo
USER=$(curl -sf "$BASE/__sim__/truth/users" | "$PY" -c 'import json,sys; print(next(u["username"] for u in json.load(sys.stdin) if u["verified"]))')
step "Research API: user info for @$USER"
curl -sf -X POST "$BASE/v2/research/user/info/?fields=display_name,follower_count,likes_count,video_count" \
  -H "Authorization: Bearer $TOKEN" -d "{\"username\": \"$USER\"}"
echo
step "Web: the profile page of @$USER carries its data in __UNIVERSAL_DATA_FOR_REHYDRATION__"
curl -sf "$BASE/@$USER" | grep -o '"statsV2":{[^}]*}'
step "Web: an item list called without the page's cookie and signature answers an empty body"
curl -s -o /dev/null -w 'HTTP %{http_code}, %{size_download} bytes\n' "$BASE/api/recommend/item_list/?count=5"
step "Truth: what a complete crawl of #london must find"
curl -sf "$BASE/__sim__/truth/hashtag/london" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(len(d["video_ids"]), "public videos, newest", d["video_ids"][0])'

step "The simulated clock moves to 10:00, when some videos are going viral"
curl -sf -X POST "$BASE/__sim__/clock" -d '{"advance": 36000}' >/dev/null
for HOUR in $(seq "$HOURS"); do
  step "The main job, hour $HOUR of $HOURS: scrapy crawl foryou -a count=40 (a browser scrolls the feed), into $DATA/"
  if [ "$HOUR" = 1 ]; then MEDIA=(); else MEDIA=(-s TIKTOK_MEDIA_ENABLED=False -s TIKTOK_OCR_ENABLED=False); fi
  # Each crawl ends with its summary on the terminal (its full log is in $DATA/logs/); after the
  # first hour, only its verdict and what it stored, and any warning or error.
  if [ "$HOUR" = 1 ]; then SHOW='.'; else SHOW='Verdict:|stored:|WARNING|ERROR|error:'; fi
  TIKTOK_WEB_URL="$BASE" "$SCRAPY" crawl foryou -a count=40 -s DATA_DIR="$DATA" "${MEDIA[@]}" 2>&1 | grep -E "$SHOW" || true
  curl -sf -X POST "$BASE/__sim__/clock" -d '{"advance": 3600}' >/dev/null  # as the hourly cron would, an hour later
done
step "A hashtag: scrapy crawl hashtag -a hashtags=london -a limit=20"
TIKTOK_WEB_URL="$BASE" "$SCRAPY" crawl hashtag -a hashtags=london -a limit=20 -s DATA_DIR="$DATA" 2>&1 || echo "(exit $?: the verdict above says why)"
SEEDS=$(curl -sf "$BASE/__sim__/truth/users" | "$PY" -c 'import json,sys; print(",".join(u["username"] for u in json.load(sys.stdin) if u["verified"]))')
step "A follow network through the Research API: scrapy crawl research_network -a seeds=<the verified users> -a depth=2"
TIKTOK_CLIENT_KEY=sim-demo-key TIKTOK_CLIENT_SECRET=sim-demo-secret TIKTOK_API_URL="$BASE" \
  "$SCRAPY" crawl research_network -a seeds="$SEEDS" -a depth=2 -s DATA_DIR="$DATA" 2>&1 || echo "(exit $?: the verdict above says why)"
step "The analysis: python -m tiktok report $DATA $REPORT"
"$PY" -m tiktok report "$DATA" "$REPORT"
step "The notebooks, run on $DATA by papermill into $REPORT/notebooks/"
PY="$PY" bash scripts/run-notebooks.sh "$DATA" "$REPORT/notebooks"
step "Where it is"
count() { [ -f "$1" ] && wc -l <"$1" | tr -d ' ' || echo 0; }
echo "  videos:   $DATA/videos.jsonl ($(count "$DATA/videos.jsonl") lines; one per video per run)"
echo "  users:    $DATA/users.jsonl ($(count "$DATA/users.jsonl")), hashtags, sounds, comments: $DATA/*.jsonl"
echo "  covers:   $DATA/media/cover/ ($(ls "$DATA/media/cover" 2>/dev/null | wc -l | tr -d ' ') files, their text in ocr_text)"
echo "  crawl logs: $DATA/logs/ (each crawl's full Scrapy log; the summaries above name them)"
echo "  run log:  $DATA/runs.jsonl ($(grep -c '"event": "ended"' "$DATA/runs.jsonl" 2>/dev/null || echo 0) runs, each with its verdict)"
echo "  follows:  $DATA/follows.jsonl ($(count "$DATA/follows.jsonl") edges)"
echo "  search:   $PY -m tiktok db build $DATA && $PY -m tiktok db search \"london\" --data $DATA"
echo "  analysis: $REPORT/ (tables as CSV, charts as PNG, network.gexf for Gephi), $REPORT/notebooks/ (run notebooks)"

printf '\nThe simulator is running at %s (open %s/foryou in a browser). Ctrl-C stops it.\n' "$BASE" "$BASE"
if [ -n "${DEMO_SECONDS:-}" ]; then
  sleep "$DEMO_SECONDS"
  stop
  exit 0
fi
wait "$SIM"
