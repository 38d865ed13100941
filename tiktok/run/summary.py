"""The short block a run ends with on the terminal (issue #16, part 7): what was stored per type,
the spider's own closing lines (coverage, files imported, windows done), the verdict with its exit
code, what is missing and the command that fills it, and where the data and the full log are.

Built from the run's `ended` record (the line RunLog appends to runs.jsonl), so the terminal never
says more than the record does. A pure function: the extension (tiktok/extensions/summary.py)
prints what it returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tiktok.run.verdict import exit_code

MAX_LINES_PER_PART = 10  # a run with 500 gaps or files still fits a screen; runs.jsonl keeps them all


def counted(counts: Mapping[str, int]) -> str:
    """`50 videos, 1 hashtag` from {"videos": 50, "hashtag": 1}, largest first (the stats name
    some kinds in the singular, some in the plural)."""
    parts = []
    for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        plural = kind if kind.endswith("s") else f"{kind}s"
        parts.append(f"{n:,} {plural.removesuffix('s') if n == 1 else plural}")
    return ", ".join(parts)


def capped(lines: Sequence[str], where: str) -> list[str]:
    """The first lines, and how many more there are and where to read them."""
    if len(lines) <= MAX_LINES_PER_PART:
        return list(lines)
    return [*lines[:MAX_LINES_PER_PART], f"  ... and {len(lines) - MAX_LINES_PER_PART} more in {where}"]


def duration(started: str, finished: str) -> str:
    seconds = int((datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds / 3600:.1f} h"


def summary_lines(ended: Mapping[str, Any], data_dir: Path, log_file: str | None, closing: Sequence[str] = ()) -> list[str]:
    """The summary of a run from its `ended` record; `closing` are the lines its spider logged from
    `closed()` (one entry may hold several lines), `log_file` the full log (None: it went to the
    terminal)."""
    verdict, reason = str(ended["verdict"]), str(ended["finish_reason"])
    took = duration(ended["started_at"], ended["finished_at"])
    lines = [f"--- {ended['spider']} run {ended['run_id']} ended after {took}"]
    items = {k: int(v) for k, v in (ended.get("items") or {}).items() if v}
    lines.append(f"  stored: {counted(items)}" if items else "  stored: nothing new")
    skipped = {k: int(v) for k, v in (ended.get("duplicates") or {}).items() if v}
    if skipped:
        lines.append(f"  already stored, not stored again: {counted(skipped)}")
    rejected = {k: int(v) for k, v in (ended.get("rejected") or {}).items() if v}
    if rejected:
        lines.append(f"  rejected as invalid: {counted(rejected)} (reasons in {data_dir}/rejected.jsonl)")
    said = [f"  {line.rstrip()}" for entry in closing for line in entry.splitlines() if line.strip()]
    lines += capped(said, log_file or "the log above")
    code = exit_code(verdict, reason)
    if verdict == "complete":
        lines.append(f"  Verdict: complete (exit {code}): everything the run set out to collect is stored")
    else:
        lines.append(f"  Verdict: {verdict} (exit {code}): {reason}")
    missing = [f"  missing: {m}" for m in ended.get("missing") or []]
    lines += capped(missing, f"{data_dir}/runs.jsonl (python -m tiktok runs {data_dir})")
    if ended.get("fill"):
        lines.append(f"  to fill the gaps, run: {ended['fill']}")
    lines.append(f"  data: {data_dir}/ (this run's record in {data_dir}/runs.jsonl)")
    if log_file:
        lines.append(f"  full log: {log_file}")
    return lines
