"""Runs of resumable spiders that did not end complete, by their command: the same command started
again continues the same run (its id), as a JOBDIR resume does. Items are kept once per run, so the
page that was in flight at a kill -9, asked again, is not stored twice (issue #13). Only spiders
whose settings say TIKTOK_RESUMABLE (the Research API spiders, which save their cursor after every
page) continue a run: an hourly For-You run must stay a new observation every hour.

Kept in DATA_DIR/state/unfinished-runs.json, written whole and renamed; the data directory's lock
makes its run the only writer."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FILE = "unfinished-runs.json"
NOT_PART_OF_THE_COMMAND = ("reset",)  # -a reset=1 starts over: it names no other collection


def command_of(spider: str, arguments: dict[str, Any]) -> str:
    kept = {k: str(v) for k, v in sorted(arguments.items()) if k not in NOT_PART_OF_THE_COMMAND}
    return json.dumps([spider, kept])


class UnfinishedRuns:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / FILE
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or damaged: a run then starts afresh, which loses nothing
            loaded = {}
        self.runs: dict[str, str] = {k: v for k, v in loaded.items() if isinstance(v, str)} if isinstance(loaded, dict) else {}

    def run_of(self, command: str) -> str | None:
        return self.runs.get(command)

    def started(self, command: str, run_id: str) -> None:
        self.runs[command] = run_id
        self.save()

    def ended_complete(self, command: str) -> None:
        if self.runs.pop(command, None) is not None:
            self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.runs, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)
