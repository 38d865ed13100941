"""A crawler for in-process tests of pipelines, extensions and spiders: the project's RunLog
extension is on, so `run_context(crawler)` works as in a real crawl."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler

RUNLOG = {"tiktok.extensions.runlog.RunLog": 500}


def crawler_with_run(data_dir: Path, spidercls: Any = None, **settings: Any) -> Any:
    return get_crawler(spidercls, settings_dict={"DATA_DIR": str(data_dir), "EXTENSIONS": RUNLOG, **settings})
