"""Fields read straight from the field table (tiktok/schema/fields.py): each field with web paths
or a Research API name is read from there and converted by its kind, yt-dlp's traverse_obj style,
so a new field in the table is parsed without a parser change. What needs judgement (hashtags in
caption order, the 32-bit like wrap, SIGI's flat author) stays in web.py and research.py."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from tiktok.parsing.values import clean_text, get, id_string, parse_count, text_or_none, to_int
from tiktok.schema import fields as f
from tiktok.schema.fields import table


def flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def each(read: Callable[[Any], Any]) -> Callable[[Any], list[Any] | None]:
    """A list's readable elements; None when the value is not a list."""
    return lambda value: [x for x in map(read, value) if x] if isinstance(value, list) else None


READ: dict[f.Kind, Callable[[Any], Any]] = {
    f.ID: id_string,
    f.HANDLE: text_or_none,
    f.NAME: text_or_none,
    f.TEXT: clean_text,
    f.URL: text_or_none,
    f.COUNT: parse_count,  # exact numbers as they are; display text ("12.3K") rounded
    f.NUMBER: to_int,
    f.UNIX_TIME: to_int,
    f.ISO_TIME: text_or_none,
    f.FLAG: flag,
    f.LIST: each(text_or_none),
    f.IDS: each(id_string),
}

WebRow = tuple[str, Callable[[Any], Any], tuple[tuple[str, ...], ...], bool]


@functools.cache
def web_rows(cls: type) -> tuple[WebRow, ...]:
    """(name, reader, paths split into keys, is a count) of every field with web paths."""
    return tuple((r.name, READ[r.kind], tuple(tuple(p.split(".")) for p in r.web), r.kind is f.COUNT) for r in table(cls) if r.web)


def from_web(cls: type, root: Any) -> tuple[dict[str, Any], set[str]]:
    """The table's web fields of `cls` read from `root` (the first path that gives a value wins),
    and the counts that are rounded: read from a later path (stats, not statsV2) or display text."""
    values: dict[str, Any] = {}
    rounded: set[str] = set()
    for name, read, paths, is_count in web_rows(cls):
        values[name] = None
        for i, steps in enumerate(paths):
            raw = get(root, *steps)
            value = read(raw)
            if value is not None:
                values[name] = value
                if is_count and (i > 0 or to_int(raw) is None):
                    rounded.add(name)
                break
    return values, rounded


def all_exact(values: dict[str, Any], rounded: set[str], names: list[str]) -> bool | None:
    """Whether all the named counts that were found are exact; None when none was found."""
    found = [n for n in names if values.get(n) is not None]
    return not rounded.intersection(found) if found else None


@functools.cache
def research_rows(cls: type) -> tuple[tuple[str, Callable[[Any], Any], tuple[str, ...]], ...]:
    return tuple((r.name, READ[r.kind], r.research) for r in table(cls) if r.research)


def from_research(cls: type, obj: dict[str, Any]) -> dict[str, Any]:
    """The table's Research API fields of `cls` read from an answer's object (the first of a
    field's spellings that gives a value wins)."""
    values: dict[str, Any] = {}
    for name, read, keys in research_rows(cls):
        values[name] = next((v for v in (read(obj.get(k)) for k in keys) if v is not None), None)
    return values
