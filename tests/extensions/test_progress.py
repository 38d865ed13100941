"""The progress line (tiktok/extensions/progress.py): on a terminal only, with what is done, what is
queued and the time it takes at the last interval's pace."""

from __future__ import annotations

import io

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from tiktok.extensions.progress import Progress, progress_line


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Hashtag(Spider):
    name = "hashtag"


STATS = {
    "response_received_count": 340,
    "scheduler/enqueued": 460,
    "scheduler/dequeued": 340,
    "stored/videos": 2100,
    "stored/users": 1,
    "stored/sounds": 0,
}


def test_the_line_gives_done_queued_the_time_left_at_this_pace_and_what_is_stored() -> None:
    line = progress_line("hashtag", 180, STATS, answers_before=250, interval=60)
    assert line == "hashtag, 3 min: 340 answers, 120 queued (about 1 min at 90 a minute); stored 2,100 videos, 1 user"


def test_without_answers_or_a_queue_it_says_so_instead_of_guessing() -> None:
    stalled = progress_line("video", 120, STATS, answers_before=340, interval=60)
    assert "120 queued (no answer in the last 60 s)" in stalled
    idle = progress_line("video", 60, {"response_received_count": 3}, answers_before=0, interval=60)
    assert idle == "video, 1 min: 3 answers, nothing queued; stored nothing yet"


def test_nothing_when_stderr_is_not_a_terminal_and_a_line_per_tick_when_it_is() -> None:
    crawler = get_crawler(Hashtag, {"TIKTOK_PROGRESS_INTERVAL": 60})
    with pytest.raises(NotConfigured):
        Progress.from_crawler(crawler, io.StringIO())
    terminal = Terminal()
    progress = Progress.from_crawler(crawler, terminal)
    crawler.stats = MemoryStatsCollector(crawler)
    crawler.stats.set_stats(dict(STATS))
    progress.tick()
    progress.tick()
    first, second = terminal.getvalue().splitlines()
    assert "340 answers, 120 queued (under a minute at 340 a minute)" in first
    assert "120 queued (no answer in the last 60 s)" in second  # the pace is the last interval's
