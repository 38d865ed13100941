"""`python -m tiktok runs DATA_DIR`: the runs DATA_DIR/runs.jsonl records, with their verdicts, and
the runs that never ended (killed) with the rows they left in the data files (issue #13).

runs.jsonl has a `started` line when a run begins and an `ended` line (verdict, items, missing,
fill) when it ends; lines without an `event` are ended runs from before verdicts existed. A paused
and resumed JOBDIR crawl keeps its run id, so one run may start and end twice: its last line says
where it stands.
"""

from __future__ import annotations

import json
import os
import socket
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from tiktok.schema.items import ITEM_TYPES
from tiktok.storage.jsonl import read_jsonl

SHOWN_STATE = {"running": "running (pid {pid})", "never_ended": "never ended (killed?)"}


@attrs.define
class Run:
    run_id: str
    spider: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    state: str = "ended"  # ended, running (its process is alive) or never_ended
    verdict: str | None = None  # None on lines from before verdicts
    purpose: str = "collect"  # "plan": a -a plan=1 run, which estimates and collects nothing
    items: dict[str, int] = attrs.field(factory=dict)
    missing: list[str] = attrs.field(factory=list)
    fill: str | None = None
    pid: int | None = None
    host: str | None = None
    left: dict[str, int] = attrs.field(factory=dict)  # rows per data file, for runs that did not end


def counts(value: Any) -> dict[str, int]:
    return {str(k): v for k, v in value.items() if isinstance(v, int)} if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def read_runs(data_dir: Path, problems: list[str]) -> list[Run]:
    """Every run of DATA_DIR/runs.jsonl in the order they started; runs that did not end carry the
    rows they left. Lines that cannot be read are skipped and described in `problems`."""
    runs: dict[str, Run] = {}
    for n, record in enumerate(read_jsonl(data_dir / "runs.jsonl", problems), 1):
        event = record.get("event", "ended")
        run_id = text(record.get("run_id"))
        if not run_id or event not in ("started", "ended"):
            why = f"an unknown event {event!r}" if run_id else "no run_id"
            problems.append(f"runs.jsonl: record {n} has {why}; skipped")
            continue
        run = runs.setdefault(run_id, Run(run_id))
        run.spider = text(record.get("spider")) or run.spider
        run.purpose = text(record.get("purpose")) or run.purpose
        run.started_at = run.started_at or text(record.get("started_at"))
        if event == "started":
            pid = record.get("pid")
            run.pid, run.host = pid if isinstance(pid, int) else None, text(record.get("host"))
            run.state = "running" if alive(run.pid, run.host) else "never_ended"
        else:
            missing = record.get("missing")
            run.state, run.finished_at, run.verdict = "ended", text(record.get("finished_at")), text(record.get("verdict"))
            run.items, run.fill = counts(record.get("items")), text(record.get("fill"))
            run.missing = [str(m) for m in missing] if isinstance(missing, list) else []
    unended = {r.run_id: r for r in runs.values() if r.state != "ended"}
    if unended:
        for name, per_run in rows_by_run(data_dir, set(unended), problems).items():
            for run_id, rows in per_run.items():
                unended[run_id].left[name] = rows
    return list(runs.values())


def alive(pid: int | None, host: str | None) -> bool:
    """Whether the process that started a run still runs (on this machine; elsewhere it is unknown)."""
    if pid is None or pid <= 0 or host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)  # signal 0 sends nothing: it only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def rows_by_run(data_dir: Path, run_ids: set[str], problems: list[str]) -> dict[str, dict[str, int]]:
    """Rows per data file (by name: videos, users, ...) whose run_id is one of `run_ids`. Item files
    go through the analysis loader, one column only (big files); kinds without run_id are skipped."""
    from tiktok.analysis.load import load_file  # pandas and pyarrow: only when a run did not end

    found: dict[str, dict[str, int]] = {}
    for file in sorted(data_dir.glob("*.jsonl")):
        name = file.stem
        if name == "runs":
            continue
        if name in ITEM_TYPES:
            if "run_id" not in attrs.fields_dict(ITEM_TYPES[name]):
                continue
            values: Iterable[Any] = load_file(file, name, problems, columns=["run_id"])["run_id"].dropna()
        else:
            values = (r.get("run_id") for r in read_jsonl(file, problems))
        per_run = Counter(v for v in values if v in run_ids)
        if per_run:
            found[name] = dict(per_run)
    return found


def stored(amounts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {name}" for name, n in sorted(amounts.items()) if n) or "nothing"


def table(runs: list[Run]) -> list[str]:
    """One row per run, then the lines that say what a run missed and what fills it, then a total."""
    if not runs:
        return ["no runs"]
    rows = [("run", "spider", "started", "finished", "verdict", "stored")]
    notes: dict[int, list[str]] = {}
    for run in runs:
        if run.state == "ended":
            finished, what = run.finished_at or "-", stored(run.items)
        else:
            finished = SHOWN_STATE[run.state].format(pid=run.pid)
            what = f"left {stored(run.left)} in the files"
        verdict = f"{run.verdict} (plan only)" if run.verdict and run.purpose == "plan" else run.verdict or "-"
        rows.append((run.run_id, run.spider or "-", run.started_at or "-", finished, verdict, what))
        notes[len(rows) - 1] = [f"missing: {m}" for m in run.missing] + ([f"fill: {run.fill}"] if run.fill else [])
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[5])
        lines += [f"    {note}" for note in notes.get(n, [])]
    tally = Counter(
        (r.verdict or "without verdict (older)") if r.state == "ended" else SHOWN_STATE[r.state].format(pid=r.pid) for r in runs
    )
    lines.append(f"{len(runs)} run{'s' * (len(runs) > 1)}: " + ", ".join(f"{n} {what}" for what, n in tally.items()))
    return lines


def json_lines(runs: list[Run]) -> list[str]:
    return [json.dumps(attrs.asdict(run), ensure_ascii=False) for run in runs]
