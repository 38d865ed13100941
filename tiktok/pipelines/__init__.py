"""The item pipelines, in the order settings.ITEM_PIPELINES runs them: validate, deduplicate,
(media, OCR, captions), write. Each switches off with its TIKTOK_<NAME>_ENABLED setting."""

from __future__ import annotations

from typing import Any

from tiktok.storage.store import DataStore


def store_for(crawler: Any) -> DataStore:
    """The crawl's one DataStore, shared by the pipelines that check and commit keys."""
    store = getattr(crawler, "_tiktok_store", None)
    if store is None:
        from pathlib import Path

        store = DataStore(Path(crawler.settings.get("DATA_DIR", "data")))
        crawler._tiktok_store = store
    return store
