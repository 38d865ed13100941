"""Search over what videos say and show: their description, the text OCR read on their covers, and
their transcript. For ranked full-text search over a big collection, `python -m tiktok db` builds
SQLite FTS5; this is the pandas way for a notebook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tiktok.enrich.ocr import batch_results

TEXT_FIELDS = ("video_description", "ocr_text", "transcript")


def video_texts(videos: pd.DataFrame, data_dir: Path | str | None = None, problems: list[str] | None = None) -> pd.DataFrame:
    """One row per video with its texts (the latest non-empty of each); cover text the crawl left
    unread comes from `python -m tiktok ocr`'s output (batch_results, its one reader)."""
    texts = videos[["id", "username", "url", "scraped_at", *TEXT_FIELDS]].sort_values("scraped_at", kind="stable")
    per = texts.groupby("id").agg({"username": "last", "url": "last", **dict.fromkeys(TEXT_FIELDS, "last")})
    if data_dir is not None:
        read = {vid: text for vid, (text, _) in batch_results(Path(data_dir), problems).items() if text}
        per["ocr_text"] = per["ocr_text"].fillna(pd.Series(read, dtype="string"))
    return per.reset_index()


def search(texts: pd.DataFrame, words: str, fields: tuple[str, ...] = TEXT_FIELDS) -> pd.DataFrame:
    """Videos whose texts hold every word (case-insensitive), with the fields each word was found in."""
    terms = words.lower().split()
    if not terms:
        raise ValueError("give some words to search for")
    lowered = {f: texts[f].fillna("").astype(str).str.lower() for f in fields}
    found = pd.Series(True, index=texts.index)
    for term in terms:
        found &= pd.concat([lowered[f].str.contains(term, regex=False) for f in fields], axis=1).any(axis=1)
    hits = texts.loc[found].copy()
    hits["found_in"] = [", ".join(f for f in fields if any(t in lowered[f].loc[i] for t in terms)) for i in hits.index]
    return hits.reset_index(drop=True)
