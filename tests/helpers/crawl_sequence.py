"""Several crawls one after another in ONE process, with simulator calls between them: each
`scrapy crawl` subprocess spends about 3 s starting Python and Scrapy, which a test of four crawls
cannot afford (the test budget, issue 16). Same project settings, spiders, pipelines and
extensions as `scrapy crawl`; only the command's argument check and exit code are not involved
(tests of those run the command itself).

`run_sequence(steps, tmp)` runs `python tests/helpers/crawl_sequence.py STEPS.json OUT.json`. A step is one of
  {"crawl": NAME, "args": {...}, "settings": {...}}   -> {"stdout": what the run printed}
  {"post": URL, "body": {...}}                        -> {"answer": the JSON answer}
  {"get": URL}                                        -> {"answer": the JSON answer}
and OUT.json receives one result per step, in order."""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.utils.project import get_project_settings
from scrapy.utils.reactor import install_reactor
from twisted.internet import defer

HTTP11 = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
# For runs that open no page and test data, not politeness: starting Playwright takes 2 s, and
# AutoThrottle's first delays 2 s more.
QUICK = {"DOWNLOAD_HANDLERS": {"http": HTTP11}, "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}
SIM_CREDENTIALS = {"TIKTOK_CLIENT_KEY": "sim-demo-key", "TIKTOK_CLIENT_SECRET": "sim-demo-secret"}


def run_sequence(steps: list[dict[str, Any]], tmp: Path, timeout: float = 300) -> list[dict[str, Any]]:
    """The steps' results; fails with the log's tail when the process fails."""
    (tmp / "steps.json").write_text(json.dumps(steps), encoding="utf-8")
    cmd = [sys.executable, str(Path(__file__)), str(tmp / "steps.json"), str(tmp / "results.json")]
    done = subprocess.run(
        cmd, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=timeout, env={**os.environ, **SIM_CREDENTIALS}
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results: list[dict[str, Any]] = json.loads((tmp / "results.json").read_text(encoding="utf-8"))
    assert len(results) == len(steps), done.stderr[-3000:]
    return results


def call(step: dict[str, Any]) -> Any:
    data = json.dumps(step["body"]).encode() if "post" in step else None
    request = urllib.request.Request(step.get("post") or step["get"], data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.load(resp)


def main(steps_path: str, out_path: str) -> None:
    steps = json.loads(Path(steps_path).read_text(encoding="utf-8"))
    base = get_project_settings()
    install_reactor(base["TWISTED_REACTOR"])  # before the first `import reactor` below picks the default one
    process = CrawlerProcess(base)
    results: list[dict[str, Any]] = []

    @defer.inlineCallbacks
    def run() -> Any:
        try:
            for step in steps:
                if "crawl" not in step:
                    results.append({"answer": call(step)})
                    continue
                settings = base.copy()
                settings.setdict(step.get("settings", {}), priority="cmdline")
                crawler = Crawler(process.spider_loader.load(step["crawl"]), settings)
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    yield process.crawl(crawler, **step.get("args", {}))
                results.append({"stdout": printed.getvalue()})
        finally:
            Path(out_path).write_text(json.dumps(results), encoding="utf-8")
            process.stop()
            reactor.callLater(0, stop)

    reactor: Any = importlib.import_module("twisted.internet.reactor")  # the one installed above

    def stop() -> None:
        reactor.stop()

    reactor.callWhenRunning(run)
    process.start(stop_after_crawl=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
