"""Datasette's metadata for tiktok.db, from the data dictionary (tiktok/schema/items.py): a title
and description for every table and view and a description for every column, so what the browser
shows is what docs/SCHEMA.md says; and the facets and canned queries a researcher starts from."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tiktok.browse.queries import canned_queries
from tiktok.schema.fields import row, table
from tiktok.schema.items import ITEM_TYPES, Video

DATABASE = "tiktok"  # Datasette names a database after its file: DATA_DIR/tiktok.db
# Facets on hashtag, creator, sound, run and persona: each table gets those of its columns.
FACETS: list[Any] = [{"array": "hashtag_names"}, "kind", "username", "music_title", "run_id", "persona"]

TITLES = {
    "videos": "Videos, every observation",
    "users": "Creators' profiles, every observation",
    "comments": "Comments and replies",
    "follows": "Follow edges",
    "hashtags": "Hashtags",
    "sounds": "Sounds",
    "user_statuses": "Users asked about (Research API)",
}


def field_description(cls: type, name: str) -> str:
    """A column's meaning, unit and sources, as the data dictionary gives them."""
    spec = row(cls, name)
    sources = [f"{where}: {text}" for where, text in (("web JSON", spec.web_text), ("Research API", spec.research_text)) if text]
    return spec.doc + (f" [{spec.unit}]" if spec.unit else "") + (f" ({'; '.join(sources)})" if sources else "")


def video_columns(*names: str) -> dict[str, str]:
    return {name: field_description(Video, name) for name in names}


def own_tables() -> dict[str, dict[str, Any]]:
    """Every table and view `db build` makes, described."""
    tables: dict[str, dict[str, Any]] = {}
    for name, cls in ITEM_TYPES.items():
        tables[name] = {
            "title": TITLES.get(name, name.replace("_", " ").capitalize()),
            "description": f"{' '.join((cls.__doc__ or '').split())} From {name}.jsonl.",
            "columns": {spec.name: field_description(cls, spec.name) for spec in table(cls)},
        }
    tables["latest_videos"] = {
        "title": "Videos, newest observation of each",
        "description": "One row per video: its most recent observation in videos (the growth between observations is in videos).",
        "columns": {**tables["videos"]["columns"], "observation": "1: the video's newest observation"},
    }
    tables["ocr"] = {
        "title": "Cover text (OCR)",
        "description": "Text read from covers by `python -m tiktok ocr`, from ocr.jsonl.",
        "columns": {"id": field_description(Video, "id"), **video_columns("ocr_text", "ocr_error")},
    }
    tables["search"] = {
        "title": "Full-text index",
        "description": "SQLite FTS5: one document per video (description, hashtags, cover text, transcript, creator) and per comment.",
        "columns": {
            "kind": "video or comment",
            "ref": "the video's or the comment's id",
            "text": "the words indexed: for a video its description, hashtags, cover text, transcript and creator; for a comment its text",
        },
    }
    tables["search_results"] = {
        "title": "Search videos and comments",
        "description": "Type words in the search box: every word must occur in a video's description, hashtags, cover text or"
        " transcript, or in a comment. Each hit shows the video it is about (a comment's video) with its cover.",
        "columns": {
            "document": "the document's number in the full-text index",
            "kind": "video or comment",
            "id": "the video's or the comment's id",
            "video_id": "the video (for a comment: the video commented on)",
            "username": "the video's creator, or the commenter",
            "text": tables["search"]["columns"]["text"],
            **video_columns("url", "hashtag_names", "music_id", "music_title", "run_id"),
            "cover_path": field_description(Video, "cover_path") + "; the newest stored, shown as the image",
        },
        "fts_table": "search",
        "fts_pk": "document",
    }
    tables["_loaded"] = {"hidden": True}
    return tables


def metadata(database: Path) -> dict[str, Any]:
    """The metadata for `database`, with facets only on the columns it has (persona is only there
    where a crawl records one)."""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        present = {
            name: {row[1] for row in con.execute(f'PRAGMA table_info("{name}")')}
            for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        }
    finally:
        con.close()
    tables = own_tables()
    for name in ("videos", "latest_videos", "search_results"):
        tables[name]["facets"] = [f for f in FACETS if (f["array"] if isinstance(f, dict) else f) in present.get(name, set())]
    return {
        "title": f"TikTok data in {database.parent}",
        "description": "Collected by this project's spiders. Start with 'Search videos and comments', or a question under"
        " Queries. Columns are described in the data dictionary (python -m tiktok schema).",
        "databases": {DATABASE: {"tables": tables, "queries": canned_queries()}},
    }
