#!/usr/bin/env bash
# make bench: every benchmark in one run, its output teed into one log, then the README's table
# rewritten from that log (bench/readme_table.py). A benchmark that fails is named in the log and
# the table, the others still run, and the exit code is 1.
# Env: PY (the venv's python), BENCH_LOG (default bench/last-run.log), BENCH_ONLY="ocr pipelines" (a subset),
# BENCH_README (default README.md).
set -uo pipefail
PY=${PY:-.venv/bin/python}
LOG=${BENCH_LOG:-bench/last-run.log}
ALL="simulator_throughput pipelines ocr foryou_speed research_efficiency analysis compaction scale personas truth_scenario"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
knobs=$(env | grep -E '^(BENCH|TRUTH_SCENARIO)_' | grep -v -E '^BENCH_(LOG|README)=' | sort | tr '\n' ' ')
{
  echo "BENCH-RUN ${knobs:+with ${knobs% } }started $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname): $(nproc) cores ($cpu), $mem memory, $(. /etc/os-release && echo "$PRETTY_NAME"), Python $("$PY" -c 'import platform; print(platform.python_version())')"
  for name in ${BENCH_ONLY:-$ALL}; do
    echo "== bench.$name"
    "$PY" -m "bench.$name" 2>&1
    rc=$?
    [ "$rc" -eq 0 ] || echo "BENCH-FAILED bench.$name exited $rc"
  done
} | tee "$LOG"
"$PY" -m bench.readme_table "$LOG" "${BENCH_README:-README.md}"
! grep -q '^BENCH-FAILED' "$LOG"
