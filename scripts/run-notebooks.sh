#!/usr/bin/env bash
# Runs every notebook in notebooks/ on DATA_DIR with papermill, into OUT_DIR (figures and tables in
# the saved notebooks). Usage: scripts/run-notebooks.sh DATA_DIR OUT_DIR  (PY: the venv's python)
set -euo pipefail
PY=${PY:-.venv/bin/python}
DATA=${1:?give the data directory}
OUT=${2:?give the output directory}
[ -d "$DATA" ] || { echo "run-notebooks: $DATA is not a folder: give the DATA_DIR a crawl wrote" >&2; exit 2; }
DATA=$(cd "$DATA" && pwd)
mkdir -p "$OUT"
for NB in notebooks/*.ipynb; do
  # Two lines of the kernel's own are dropped; an error still fails the run (papermill's exit code):
  # - its warning that it talks over local TCP;
  # - "KeyboardInterrupt caught in kernel": jupyter_client 8 sends the kernel SIGINT before every
  #   shutdown (KernelManager._async_shutdown_kernel), and a kernel still handling a message logs it.
  "$PY" -m papermill --no-progress-bar --log-level ERROR -p data_dir "$DATA" --cwd notebooks "$NB" "$OUT/$(basename "$NB")" \
    2> >(grep -v -e "TCP without encryption" -e "KeyboardInterrupt caught in kernel" >&2)
  echo "  $OUT/$(basename "$NB")"
done
