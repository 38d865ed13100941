"""Research API video queries: query files (YAML or JSON), inline queries, and their checks.

The field names, operations and rules are the documented ones (TIKTOK-FORMATS.md §3.1): a query
has and/or/not lists of conditions {field_name, operation, field_values (strings)}; a date range
longer than 30 days is split into windows of at most 30 days (start + 29 days), as TikTok's own
wrapper does. Every problem is reported naming the field, before any request.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import attrs
import yaml

from tiktok.schema.fields import research_names, table
from tiktok.schema.items import Video

QUERY_FIELDS = tuple(r.query for r in table(Video) if r.query)
OPERATIONS = ("EQ", "IN", "GT", "GTE", "LT", "LTE")
DEFAULT_FIELDS = research_names(Video)  # every field the API returns that the schema keeps
# Fields the API also returns (§3.1) that no item keeps: a query file may still ask for them.
UNKEPT_FIELDS = ("is_stem_verified", "hashtag_info_list", "sticker_info_list", "effect_info_list", "video_label", "video_tag")
VIDEO_FIELDS = DEFAULT_FIELDS + UNKEPT_FIELDS
LENGTHS = ("SHORT", "MID", "LONG", "EXTRA_LONG")
WINDOW_DAYS = 30


class _DatesAsText(yaml.SafeLoader):
    """YAML without its timestamp type: a date stays text, so a bad one is reported by field name."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class QueryError(ValueError):
    """What is wrong with a query, naming the field: shown as one line, exit code 2."""


@attrs.frozen
class VideoQuery:
    name: str
    query: dict[str, list[dict[str, Any]]]
    start: date
    end: date
    fields: tuple[str, ...] = DEFAULT_FIELDS
    max_count: int = 100
    is_random: bool = False

    def windows(self) -> list[tuple[date, date]]:
        """[start, end] cut into windows of at most 30 days, both ends inclusive."""
        out, day = [], self.start
        while day <= self.end:
            last = min(day + timedelta(days=WINDOW_DAYS - 1), self.end)
            out.append((day, last))
            day = last + timedelta(days=1)
        return out

    def body(self, window: tuple[date, date]) -> dict[str, Any]:
        return {
            "query": self.query,
            "start_date": window[0].strftime("%Y%m%d"),
            "end_date": window[1].strftime("%Y%m%d"),
            "max_count": self.max_count,
            "is_random": self.is_random,
        }


def parse_day(value: Any, name: str) -> date:
    text = str(value).replace("-", "")
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise QueryError(f"{name}: {value!r} is not a date; write YYYY-MM-DD or YYYYMMDD") from None


def check_condition(cond: Any, where: str) -> dict[str, Any]:
    if not isinstance(cond, dict):
        raise QueryError(f"{where}: a condition is an object with field_name, operation and field_values")
    unknown = set(cond) - {"field_name", "operation", "field_values"}
    if unknown:
        raise QueryError(f"{where}: unknown key {sorted(unknown)[0]!r}; a condition has field_name, operation, field_values")
    field, op, values = cond.get("field_name"), cond.get("operation"), cond.get("field_values")
    if field not in QUERY_FIELDS:
        raise QueryError(f"{where}.field_name: {field!r} is not a field the API searches; use one of {', '.join(QUERY_FIELDS)}")
    if op not in OPERATIONS:
        raise QueryError(f"{where}.operation: {op!r} is not an operation; use one of {', '.join(OPERATIONS)}")
    if isinstance(values, str | int):
        values = [values]
    if not isinstance(values, list) or not values:
        raise QueryError(f"{where}.field_values: give a non-empty list of values")
    values = [str(v) for v in values]  # the API takes every value as a string (§3.1)
    if field == "create_date":
        values = [parse_day(v, f"{where}.field_values").strftime("%Y%m%d") for v in values]
    if field == "video_length" and not set(values) <= set(LENGTHS):
        raise QueryError(f"{where}.field_values: video_length takes {', '.join(LENGTHS)}")
    numeric = ("video_id", "music_id", "effect_id", "view_count", "comment_count")
    if field in numeric and not all(v.isdigit() for v in values):
        raise QueryError(f"{where}.field_values: {field} takes whole numbers")
    return {"field_name": field, "operation": op, "field_values": values}


def check_query(query: Any) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(query, dict):
        raise QueryError("query: give an object with and/or/not lists of conditions")
    unknown = set(query) - {"and", "or", "not"}
    if unknown:
        raise QueryError(f"query: unknown key {sorted(unknown)[0]!r}; use and, or, not")
    out = {}
    for key in ("and", "or", "not"):
        conds = query.get(key) or []
        if not isinstance(conds, list):
            raise QueryError(f"query.{key}: give a list of conditions")
        if conds:
            out[key] = [check_condition(c, f"query.{key}[{i}]") for i, c in enumerate(conds)]
    if not out:
        raise QueryError("query: the and, or and not lists are all empty; give at least one condition")
    return out


def from_mapping(spec: Any, default_name: str) -> VideoQuery:
    if not isinstance(spec, dict):
        raise QueryError("the query file must hold one object (name, query, start, end, ...)")
    unknown = set(spec) - {"name", "query", "start", "end", "fields", "max_count", "is_random"}
    if unknown:
        raise QueryError(f"unknown key {sorted(unknown)[0]!r}; a query file has name, query, start, end, fields, max_count, is_random")
    for key in ("query", "start", "end"):
        if key not in spec:
            raise QueryError(f"{key}: missing; a query file needs query, start and end")
    start, end = parse_day(spec["start"], "start"), parse_day(spec["end"], "end")
    if end < start:
        raise QueryError(f"end: {end} is before start {start}")
    fields = spec.get("fields", list(DEFAULT_FIELDS))
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",")]
    bad = [f for f in fields if f not in VIDEO_FIELDS]
    if bad:
        raise QueryError(f"fields: {bad[0]!r} is not a video field; use any of {', '.join(VIDEO_FIELDS)}")
    if "id" not in fields:
        fields = ["id", *fields]
    max_count = spec.get("max_count", 100)
    if not isinstance(max_count, int) or not 1 <= max_count <= 100:
        raise QueryError(f"max_count: {max_count!r}; the API takes 1 to 100")
    name = str(spec.get("name") or default_name)
    if not name.replace("-", "").replace("_", "").isalnum():
        raise QueryError(f"name: {name!r}; use letters, digits, - and _ (it names the saved progress)")
    return VideoQuery(
        name=name,
        query=check_query(spec["query"]),
        start=start,
        end=end,
        fields=tuple(fields),
        max_count=max_count,
        is_random=bool(spec.get("is_random", False)),
    )


def load_query_file(path: str) -> VideoQuery:
    file = Path(path).expanduser()
    if not file.is_file():
        raise QueryError(f"-a query={path}: no such file")
    text = file.read_text(encoding="utf-8")
    try:
        spec = json.loads(text) if file.suffix == ".json" else yaml.load(text, Loader=_DatesAsText)  # _DatesAsText is a SafeLoader
    except (ValueError, yaml.YAMLError) as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        raise QueryError(
            f"{path} does not parse as {'JSON' if file.suffix == '.json' else 'YAML'}{at}: {str(exc).splitlines()[0]}"
        ) from None
    return from_mapping(spec, file.stem)


def inline_query(hashtags: str = "", keywords: str = "", region: str = "", start: str = "", end: str = "", name: str = "") -> VideoQuery:
    """The simple cases from -a arguments: hashtags OR keywords, optionally in one region."""
    if not start or not end:
        raise QueryError("-a start=YYYY-MM-DD and -a end=YYYY-MM-DD are needed with -a hashtags or -a keywords")
    conditions: dict[str, list[dict[str, Any]]] = {}
    any_of = []
    if hashtags:
        any_of.append(
            {
                "field_name": "hashtag_name",
                "operation": "IN",
                "field_values": [h.strip().lstrip("#") for h in hashtags.split(",") if h.strip()],
            }
        )
    if keywords:
        any_of.append({"field_name": "keyword", "operation": "IN", "field_values": [k.strip() for k in keywords.split(",") if k.strip()]})
    if not any_of:
        raise QueryError("give -a query=FILE, or -a hashtags=... / -a keywords=... with -a start and -a end")
    conditions["or"] = any_of
    if region:
        conditions["and"] = [{"field_name": "region_code", "operation": "EQ", "field_values": [region.upper()]}]
    label = name or "-".join(h.strip().lstrip("#") for h in (hashtags or keywords).split(",") if h.strip())[:60]
    return from_mapping({"name": label, "query": conditions, "start": start, "end": end}, "inline")
