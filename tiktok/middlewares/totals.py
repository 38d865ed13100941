"""Spider middleware: every hashtag, sound or playlist read with its reported totals adds a Totals row.

Whichever path read them (a hashtag's detail, a sound's page, an imported saved page), the totals
become one observation of that run (issue 16: follow a hashtag's size or a sound's use over
time). The catalogue records (hashtags.jsonl, sounds.jsonl) are stored once, so without this a
hashtag first seen in a feed, without totals, never got them. A hashtag an item merely names
(a video's challenges, its music) carries no totals and adds nothing.

Sits after ObservedTimeMiddleware on the way out (a lower order), so the time is set; the run
id is the run's (set by the dedupe pipeline), or for an import the file's, as its videos'.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy.http import Response

from tiktok.schema.items import Hashtag, Playlist, Sound, Totals


def totals_of(item: Any) -> Totals | None:
    """The totals a hashtag, sound or playlist carries, as a Totals row; None for anything else, or without totals."""
    if isinstance(item, Hashtag) and (item.video_count is not None or item.view_count is not None):
        kind, name, views = "hashtag", item.name, item.view_count
    elif isinstance(item, Sound) and item.video_count is not None:
        kind, name, views = "sound", item.title, None
    elif isinstance(item, Playlist) and item.video_count is not None:
        kind, name, views = "playlist", item.name, None
    else:
        return None
    source = item.source or ""
    return Totals(
        kind=kind,
        id=item.id,
        name=name,
        video_count=item.video_count,
        view_count=views,
        observed_at=item.scraped_at,
        source=item.source,
        collector=item.collector,
        run_id=source if source.startswith("import:") else None,  # an import's run is its file (spiders/importer.py)
    )


def with_totals(items: Iterable[Any]) -> Iterator[Any]:
    for item in items:
        yield item
        if (totals := totals_of(item)) is not None:
            yield totals


class TotalsMiddleware:
    def process_spider_output(self, response: Response | None, result: Iterable[Any]) -> Iterable[Any]:
        return with_totals(result)

    async def process_spider_output_async(self, response: Response | None, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in result:
            for out in with_totals((item,)):
                yield out
