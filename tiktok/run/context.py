"""The run context: one object per crawl, made by the RunLog extension (tiktok/extensions/runlog.py)
and reached with `run_context(crawler)` here. Pipelines, extensions and spiders read the run id, data
directory, store and arguments here, never from spider attributes (issue #11), and report what the
run knows it could not collect with `gap()`, which makes the run's verdict `partial` (issue #13)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import attrs

from tiktok.storage.store import DataStore


class RunRefused(Exception):
    """A run that cannot start (its data directory is unusable or in use): the message is the one
    line the user sees, and the crawl exits 2."""


@attrs.define
class RunContext:
    spider: str
    data_dir: Path
    store: DataStore
    arguments: dict[str, Any]
    started_at: str
    run_id: str | None = None  # set when the spider opens: a JOBDIR resume keeps the paused run's id
    purpose: str = "collect"  # "plan" for a run that only estimates (-a plan=1): not a collection run
    gaps: list[str] = attrs.field(factory=list)
    fills: list[str] = attrs.field(factory=list)
    ended: dict[str, Any] | None = None  # the run's `ended` record once it closed, for its summary (tiktok/run/summary.py)

    def gap(self, what: str, fill: str | None = None) -> None:
        """Something the run knows exists but did not collect, in one line ("#london: 40 of 120
        videos TikTok reports (scrolling stopped)"); `fill` is the command that collects it, when it
        is not simply the same command again."""
        self.gaps.append(what)
        if fill and fill not in self.fills:
            self.fills.append(fill)

    def fill_command(self, shown_arguments: dict[str, Any]) -> str:
        """The command that fills the gaps: the ones given, else this run's own command again
        (every resumable spider carries on where it stopped)."""
        if self.fills:
            return " ; ".join(self.fills)
        args = " ".join(f"-a {shlex.quote(f'{k}={v}')}" for k, v in shown_arguments.items())
        return f"scrapy crawl {self.spider}" + (f" {args}" if args else "")


def run_context(crawler: Any) -> RunContext:
    """The crawl's run context, held by the extension that made it (RunLog, enabled in settings.py).
    Found by what it holds, so components below the extensions never import them."""
    for extension in crawler.extensions.middlewares:
        if isinstance(getattr(extension, "context", None), RunContext):
            return extension.context  # type: ignore[no-any-return]
    raise RuntimeError("no run context: enable tiktok.extensions.runlog.RunLog in EXTENSIONS")
