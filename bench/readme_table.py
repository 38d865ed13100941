"""The README's benchmark table, regenerated from the output of one `make bench` run.

`scripts/bench.sh` tees every benchmark's output into one log that starts with a `BENCH-RUN` line
(when, on what machine) and holds each figure's `RESULT` line (format: bench/results.py) and a
`BENCH-FAILED` line for each benchmark that exited non-zero. This writes them as a markdown table
between the README's two `bench-table` markers, so the table cannot mix figures of different runs.

    python -m bench.readme_table LOG [README]      (exit 1 when the log holds no RESULT line)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

RESULT = re.compile(r"^RESULT (\S+): ([^()]*) \(baseline: ([^;]*); ratio ([0-9.]+) x(?:; goal ([^:]*): (met|MISSED))?\)$")
BEGIN = "<!-- bench-table: written by `make bench` (bench/readme_table.py) from one run; do not edit by hand -->"
END = "<!-- /bench-table -->"


def table(log: str) -> str:
    """The markdown block for one run's log: its header, one row per RESULT line, and failures."""
    lines = log.splitlines()
    run = next((line.removeprefix("BENCH-RUN ") for line in lines if line.startswith("BENCH-RUN ")), "at an unrecorded time")
    rows = [m.groups() for line in lines if (m := RESULT.match(line.strip()))]
    if not rows:
        raise SystemExit("bench.readme_table: the log holds no RESULT line: run `make bench` first")
    head = ["| figure | measured | baseline (same run) | ratio | goal |", "|---|---|---|---|---|"]
    out = [BEGIN, f"One `make bench` run, {run}:", "", *head]
    for name, figure, baseline, ratio, goal, met in rows:
        judged = f"{goal}: **{met}**" if goal else ""
        out.append(f"| `{name}` | {figure.strip()} | {baseline.strip()} | {float(ratio):.2f} x | {judged} |")
    failed = [line.removeprefix("BENCH-FAILED ") for line in lines if line.startswith("BENCH-FAILED ")]
    if failed:
        out += ["", "Benchmarks that exited non-zero in this run: " + "; ".join(failed) + "."]
    return "\n".join([*out, END])


def replace_block(readme: str, block: str) -> str:
    """The README with the block between the markers replaced (the markers must be there once)."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start or readme.count(BEGIN) != 1:
        raise SystemExit("bench.readme_table: README.md lacks one pair of bench-table markers; put them back in '## Benchmarks'")
    return readme[:start] + block + readme[end + len(END) :]


def main(argv: list[str]) -> None:
    if not 1 <= len(argv) <= 2:
        raise SystemExit("usage: python -m bench.readme_table LOG [README]")
    log, readme = Path(argv[0]), Path(argv[1] if len(argv) > 1 else "README.md")
    if not log.is_file():
        raise SystemExit(f"bench.readme_table: {log} is not a file: give the log `make bench` wrote")
    readme.write_text(replace_block(readme.read_text(encoding="utf-8"), table(log.read_text(encoding="utf-8"))), encoding="utf-8")
    print(f"bench.readme_table: {readme} has the table of {log}")


if __name__ == "__main__":
    main(sys.argv[1:])
