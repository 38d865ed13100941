"""The Research API's video query language (TIKTOK-FORMATS.md §3.1), checked and run on the world.

A query is {"and": [...], "or": [...], "not": [...]} of conditions {field_name, operation,
field_values (strings)}. Matching is vectorised over the world's arrays, so a query over the large
world's million videos takes milliseconds. "Approximate string matching" [D-GS] is rendered as
case-insensitive whole-word matching: `keyword` matches a word of the description or a hashtag.
"""

from __future__ import annotations

import calendar
import re
from typing import Any

import numpy as np

from tiktok.simulator import vocabulary as vocab
from tiktok.simulator.world import DAY, World

QUERY_FIELDS = (
    "create_date", "username", "region_code", "video_id", "hashtag_name", "keyword", "music_id",
    "effect_id", "video_length", "view_count", "comment_count",
)  # fmt: skip
OPERATIONS = ("EQ", "IN", "GT", "GTE", "LT", "LTE")
ORDERED_FIELDS = {"create_date", "video_id", "view_count", "comment_count", "music_id", "effect_id"}
LENGTHS = {"SHORT": (0, 15), "MID": (15, 60), "LONG": (60, 300), "EXTRA_LONG": (300, 10**9)}
DATE = re.compile(r"^\d{8}$")


class QueryError(ValueError):
    """An invalid query: the message is what the API puts in error.message."""


def parse_date(value: object, name: str) -> int:
    """YYYYMMDD (UTC) to the Unix time of that day's start."""
    if not isinstance(value, str) or not DATE.match(value):
        raise QueryError(f"{name} must be a string in the format YYYYMMDD")
    try:
        return calendar.timegm((int(value[:4]), int(value[4:6]), int(value[6:]), 0, 0, 0))
    except ValueError:
        raise QueryError(f"{name} {value} is not a valid date") from None


def check_query(query: object) -> list[tuple[str, list[dict[str, Any]]]]:
    """The query's non-empty clause lists, or QueryError naming what is wrong."""
    if not isinstance(query, dict):
        raise QueryError("query is required and must be an object with and/or/not lists")
    unknown = set(query) - {"and", "or", "not"}
    if unknown:
        raise QueryError(f"query has unknown keys: {', '.join(sorted(unknown))}")
    clauses = []
    for key in ("and", "or", "not"):
        conds = query.get(key) or []
        if not isinstance(conds, list):
            raise QueryError(f"query.{key} must be a list of conditions")
        for cond in conds:
            check_condition(cond)
        if conds:
            clauses.append((key, conds))
    if not clauses:
        raise QueryError("query must contain at least one non-empty and, or or not list")
    return clauses


def check_condition(cond: object) -> None:
    if not isinstance(cond, dict):
        raise QueryError("each condition must be an object with field_name, operation and field_values")
    field, op, values = cond.get("field_name"), cond.get("operation"), cond.get("field_values")
    if field not in QUERY_FIELDS:
        raise QueryError(f"field_name {field!r} is not supported; use one of {', '.join(QUERY_FIELDS)}")
    if op not in OPERATIONS:
        raise QueryError(f"operation {op!r} is not supported; use one of {', '.join(OPERATIONS)}")
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise QueryError(f"field_values of {field} must be a non-empty list of strings")
    if op in ("GT", "GTE", "LT", "LTE") and field not in ORDERED_FIELDS:
        raise QueryError(f"operation {op} is not supported for field {field}")
    if field == "create_date":
        for v in values:
            parse_date(v, "create_date")
    if field == "video_length" and not set(values) <= set(LENGTHS):
        raise QueryError(f"video_length must be one of {', '.join(LENGTHS)}")
    if field in ("video_id", "view_count", "comment_count", "music_id", "effect_id") and not all(v.isdigit() for v in values):
        raise QueryError(f"field_values of {field} must be strings of digits")


def _compare(column: np.ndarray, op: str, values: list[int]) -> np.ndarray:
    if op in ("EQ", "IN"):
        return np.isin(column, np.array(values, dtype=column.dtype))
    v = values[0]
    return np.asarray({"GT": column > v, "GTE": column >= v, "LT": column < v, "LTE": column <= v}[op])


class Matcher:
    """Evaluates conditions over a set of candidate video rows at time t."""

    def __init__(self, world: World, rows: np.ndarray, t: float) -> None:
        self.w, self.rows, self.t = world, rows, t
        self._counts: dict[str, np.ndarray] | None = None

    def counts(self) -> dict[str, np.ndarray]:
        if self._counts is None:
            self._counts = self.w.counts(self.rows, self.t)
        return self._counts

    def condition(self, cond: dict[str, Any]) -> np.ndarray:
        w, rows = self.w, self.rows
        field, op, values = cond["field_name"], cond["operation"], cond["field_values"]
        if field == "create_date":
            days = [parse_date(v, field) // DAY for v in values]
            return _compare(w.v_create[rows] // DAY, op, days)
        if field == "username":
            users = [u for u in (w.user_by_name(v) for v in values) if u is not None]
            return np.isin(w.v_author[rows], users)
        if field == "region_code":
            codes = [vocab.REGIONS.index(v.upper()) for v in values if v.upper() in vocab.REGIONS]
            return np.isin(w.v_region[rows], codes)
        if field == "video_id":
            ids = (w.v_create[rows].astype(np.int64) << 32) | rows.astype(np.int64)
            return _compare(ids, op, [min(int(v), 2**63 - 1) for v in values])
        if field == "hashtag_name":
            tags = [h for h in (w.hashtag_by_name(v) for v in values) if h is not None]
            return np.asarray(np.isin(w.v_tags[rows], tags).any(axis=1))
        if field == "keyword":
            return self._keyword(values)
        if field == "music_id":
            sounds = [s for s in (w.sound_by_id(v) for v in values) if s is not None]
            if op in ("EQ", "IN"):
                return np.isin(w.v_sound[rows], sounds)
            ids = w.music_id(0) + w.v_sound[rows].astype(np.int64) * (w.music_id(1) - w.music_id(0))
            return _compare(ids, op, [int(v) for v in values])
        if field == "effect_id":
            effects = w.v_effect[rows]
            ids = np.where(effects >= 0, int(w.effect_id(0)) + effects, -1)
            return _compare(ids, op, [int(v) for v in values])
        if field == "video_length":
            d = w.v_duration[rows]
            return np.any([(d >= LENGTHS[v][0]) & (d < LENGTHS[v][1]) for v in values], axis=0)
        column = self.counts()["views" if field == "view_count" else "comments"]
        return _compare(column, op, [int(v) for v in values])

    def _keyword(self, values: list[str]) -> np.ndarray:
        w, rows = self.w, self.rows
        words = {v.lower() for v in values}
        word_ids = [i for i, word in enumerate(vocab.DESCRIPTION_WORDS) if word in words]
        tag_ids = [h for h in (w.hashtag_by_name(v) for v in words) if h is not None]
        return np.asarray(np.isin(w.v_words[rows], word_ids).any(axis=1) | np.isin(w.v_tags[rows], tag_ids).any(axis=1))


def run_query(world: World, query: dict[str, Any], start: int, end: int, t: float) -> np.ndarray:
    """Rows of public videos created in [start, end] (whole days, UTC), at least 48 h old,
    matching the query, in decreasing order of video id as the API returns them."""
    clauses = check_query(query)
    lag = t - 2 * DAY  # new videos take up to 48 h to reach the Research API (§6)
    lo, hi = np.searchsorted(world.create_sorted, [start, min(end + DAY, lag)])
    rows = world.create_order[lo:hi] if hi > lo else np.array([], dtype=np.int64)
    rows = rows[world.public_mask(rows, t)]
    m = Matcher(world, rows, t)
    keep = np.ones(len(rows), dtype=bool)
    for key, conds in clauses:
        masks = np.array([m.condition(c) for c in conds])
        if key == "and":
            keep &= masks.all(axis=0)
        elif key == "or":
            keep &= masks.any(axis=0)
        else:
            keep &= ~masks.any(axis=0)
    rows = rows[keep]
    return rows[np.argsort(-((world.v_create[rows].astype(np.int64) << 32) | rows))]
