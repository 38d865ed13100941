"""DATA_DIR/tiktok.db: the jsonlines files in SQLite for quick looks and full-text search.

A table per item type (lists and objects as JSON text), `latest_videos` (each video's newest
observation), `ocr` (from ocr.jsonl), and an FTS5 index `search`, one document per video
(description, hashtags, cover text, transcript) and per comment, ranked with BM25, with the view
`search_results` that joins each document to its video (what `browse` searches). Building is
incremental: each file is read from where the last build stopped, inside one transaction, so an
interrupted build leaves the database as it was. A file with a Parquet copy (`python -m tiktok
compact`) is read from it up to its offset, and from the jsonl past it: the same rows either way.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from tiktok.schema.fields import RECORDS, table
from tiktok.schema.items import ITEM_TYPES, Video
from tiktok.storage.jsonl import read_from
from tiktok.storage.parquet import OFFSET, read_latest, records_text
from tiktok.storage.shards import data_files

EXTRA_FILES = {"ocr": ("id", "ocr_text", "ocr_error")}


def columns(cls: type) -> list[tuple[str, str]]:
    """Each field's name and SQLite type, from its kind in the field table."""
    return [(r.name, r.kind.sqlite) for r in table(cls)]


def connect(data_dir: Path) -> sqlite3.Connection:
    con = sqlite3.connect(data_dir / "tiktok.db")
    con.execute("PRAGMA journal_mode=WAL")
    return con


def create(con: sqlite3.Connection) -> None:
    for name, cls in ITEM_TYPES.items():
        cols = ", ".join(f'"{c}" {kind}' for c, kind in columns(cls))
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({cols})")
    ocr = ", ".join(f'"{c}" {kind}' for c, kind in columns(Video) if c in EXTRA_FILES["ocr"])  # its rows hold Video fields
    con.execute(f"CREATE TABLE IF NOT EXISTS ocr ({ocr})")
    con.execute("CREATE INDEX IF NOT EXISTS videos_id ON videos (id)")
    con.execute("CREATE INDEX IF NOT EXISTS ocr_id ON ocr (id)")
    con.execute("CREATE TABLE IF NOT EXISTS _loaded (file TEXT PRIMARY KEY, offset INTEGER)")
    con.execute(
        "CREATE VIEW IF NOT EXISTS latest_videos AS SELECT * FROM (SELECT v.*, row_number() OVER "
        "(PARTITION BY id ORDER BY scraped_at DESC, rowid DESC) AS observation FROM videos v) WHERE observation = 1"
    )
    con.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(kind UNINDEXED, ref UNINDEXED, text,"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    con.execute("CREATE INDEX IF NOT EXISTS comments_id ON comments (id)")
    # What `browse` searches and facets: each document with the video it is about (a comment's
    # video), looked up by index per row rather than through latest_videos' window over all rows;
    # scalar subqueries, not LEFT JOINs, so Datasette's hashtag facet (json_each) sees the values.
    of_video = ", ".join(
        f"(SELECT {c} FROM videos WHERE rowid = video_row) AS {c}" for c in ("url", "hashtag_names", "music_id", "music_title", "run_id")
    )
    con.execute(
        "CREATE VIEW IF NOT EXISTS search_results AS SELECT document, kind, id, video_id, CASE kind WHEN 'comment' THEN commenter"
        f" ELSE (SELECT username FROM videos WHERE rowid = video_row) END AS username, text, {of_video},"
        " (SELECT cover_path FROM videos WHERE id = video_id AND cover_path IS NOT NULL ORDER BY scraped_at DESC LIMIT 1) AS cover_path"
        " FROM (SELECT *, (SELECT rowid FROM videos WHERE id = d.video_id ORDER BY scraped_at DESC, rowid DESC LIMIT 1) AS video_row"
        " FROM (SELECT s.rowid AS document, s.kind, s.ref AS id, s.text, CASE s.kind WHEN 'video' THEN s.ref"
        " ELSE (SELECT video_id FROM comments WHERE id = s.ref LIMIT 1) END AS video_id, CASE s.kind WHEN 'comment'"
        " THEN (SELECT username FROM comments WHERE id = s.ref LIMIT 1) END AS commenter FROM search s) d)"
    )


def cell(value: Any, records: bool = False) -> Any:
    """A value as its column holds it: lists and objects as JSON text; a list of objects
    (`records`) as the text the Parquet copy holds, so both sources give the same table."""
    if records and isinstance(value, list):
        with contextlib.suppress(ValueError):
            return records_text(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def new_lines(path: Path, offset: int, notes: list[str] | None = None) -> tuple[list[dict[str, Any]], int]:
    """Records after `offset`, and the offset after them. An unfinished last line (being written,
    or cut by a crash) is left for the next build and noted."""
    lines = read_from(path, offset, notes)
    if lines.unfinished and notes is not None:
        notes.append(f"{path.name}: an unfinished last line ({lines.unfinished} bytes) was left for the next build")
    return lines.records, lines.end


def new_records(path: Path, name: str, offset: int, notes: list[str] | None = None) -> tuple[list[dict[str, Any]], int]:
    """Records after `offset` (see new_lines): from the file's Parquet copy as far as it reaches."""
    copy, start = read_latest(path, name, since=offset) if name in ITEM_TYPES else (None, offset)
    records = copy.drop_columns([OFFSET]).to_pylist() if copy is not None else []
    tail, end = new_lines(path, start, notes)
    return records + tail, end


def video_document(con: sqlite3.Connection, vid: str) -> str:
    row = con.execute(
        "SELECT video_description, hashtag_names, ocr_text, transcript, username FROM latest_videos WHERE id = ?", (vid,)
    ).fetchone()
    ocr = con.execute("SELECT ocr_text FROM ocr WHERE id = ? AND ocr_text IS NOT NULL ORDER BY rowid DESC", (vid,)).fetchone()
    parts = [p for p in (row or ()) if p]
    if row and row[1]:
        parts[parts.index(row[1])] = " ".join(json.loads(row[1]))
    if ocr and ocr[0] not in parts:
        parts.append(ocr[0])
    return " ".join(str(p) for p in parts)


def build(data_dir: Path, notes: list[str] | None = None) -> dict[str, int]:
    """Loads what the files gained since the last build; returns new rows per table. Lines it
    could not load are described in `notes`."""
    con = connect(data_dir)
    added: dict[str, int] = {}
    try:
        create(con)
        tables = {
            **{name: [c for c, _ in columns(cls)] for name, cls in ITEM_TYPES.items()},
            **{k: list(v) for k, v in EXTRA_FILES.items()},
        }
        records_columns = {name: {r.name for r in table(cls) if r.kind is RECORDS} for name, cls in ITEM_TYPES.items()}
        # The top file and each worker shard's (DATA_DIR/<worker id>/, issue 14), by relative path.
        files = [(name, cols, path) for name, cols in tables.items() for path in data_files(data_dir, name) or [data_dir / f"{name}.jsonl"]]
        for name, cols, path in files:
            loaded_as = path.relative_to(data_dir).as_posix()
            row = con.execute("SELECT offset FROM _loaded WHERE file = ?", (loaded_as,)).fetchone()
            records, end = new_records(path, name, row[0] if row else 0, notes)
            kinds = [c in records_columns.get(name, ()) for c in cols]
            with con:  # one transaction per file: all of it or none of it
                placeholders = ", ".join("?" for _ in cols)
                quoted = ", ".join(f'"{c}"' for c in cols)
                values = [[cell(r.get(c), k) for c, k in zip(cols, kinds, strict=True)] for r in records]
                con.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({placeholders})", values)
                con.execute("INSERT OR REPLACE INTO _loaded VALUES (?, ?)", (loaded_as, end))
                if name in ("videos", "ocr"):
                    for vid in {str(r["id"]) for r in records if isinstance(r.get("id"), str)}:
                        con.execute("DELETE FROM search WHERE kind = 'video' AND ref = ?", (vid,))
                        con.execute("INSERT INTO search VALUES ('video', ?, ?)", (vid, video_document(con, vid)))
                if name == "comments":
                    rows = [("comment", r["id"], r.get("text") or "") for r in records if isinstance(r.get("id"), str) and r.get("text")]
                    con.executemany("INSERT INTO search VALUES (?, ?, ?)", rows)
            added[name] = added.get(name, 0) + len(records)
    finally:
        con.close()
    return added


def fts_query(words: str) -> str:
    """User words as an FTS5 query: every word must match (quoted, so no word is an operator)."""
    terms = ['"' + w.replace('"', '""') + '"' for w in words.split()]
    return " ".join(terms)


def search(data_dir: Path, words: str, limit: int = 20) -> list[dict[str, Any]]:
    con = connect(data_dir)
    try:
        rows = con.execute(
            "SELECT s.kind, s.ref, snippet(search, 2, '[', ']', '…', 12), bm25(search) AS score,"
            " coalesce(v.url, cv.url), coalesce(v.username, c.username), c.video_id"
            " FROM search s LEFT JOIN latest_videos v ON s.kind = 'video' AND v.id = s.ref"
            " LEFT JOIN comments c ON s.kind = 'comment' AND c.id = s.ref"
            " LEFT JOIN latest_videos cv ON cv.id = c.video_id"
            " WHERE search MATCH ? ORDER BY score LIMIT ?",
            (fts_query(words), limit),
        ).fetchall()
    finally:
        con.close()
    return [
        {
            "kind": k,
            "id": ref,
            "snippet": snip,
            "score": score,
            "url": url,
            "author": author,
            "video_id": video_id or (ref if k == "video" else None),
        }
        for k, ref, snip, score, url, author, video_id in rows
    ]
