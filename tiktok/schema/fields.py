"""The field table: per field of every item, its kind, unit, meaning, web path(s) and Research API
name, declared once beside the field in items.py (`field(...)`) and read from here by the parsers,
the validator, the SQLite and Arrow column types, the data dictionary and the Research API field
lists (issue #11: "a field is described once").

A kind says what a value is (an id, a count, a time, ...) and so how every tool stores it: its
Python type, its SQLite column type and its Arrow type live in KINDS and nowhere else. Web paths
are dotted keys in TikTok's JSON, relative to the object named in WEB_ROOTS; when a path is given,
the web parser reads the field from it (the first path that holds a value wins, yt-dlp's
traverse_obj style); `web_note` describes a field the parser has to work out by hand.
"""

from __future__ import annotations

import functools
import typing
from typing import Any

import attrs


@attrs.frozen
class Kind:
    """What a value is, and so how it is typed in Python, SQLite and Arrow."""

    name: str
    python: Any  # the annotation a field of this kind has, without `| None`
    sqlite: str
    arrow: str | None  # a pyarrow type alias (arrow_type builds it); None: left to pyarrow's inference
    doc: str


ID = Kind("id", str, "TEXT", "string", "digits as a string (full precision)")
HANDLE = Kind("handle", str, "TEXT", "string", "a TikTok handle")
NAME = Kind("name", str, "TEXT", "string", "a name, label, code or path; an empty one is null")
TEXT = Kind("text", str, "TEXT", "string", "text as written")
URL = Kind("url", str, "TEXT", "string", "an address")
COUNT = Kind("count", int, "INTEGER", "int64", "a count, never negative")
NUMBER = Kind("number", int, "INTEGER", "int64", "a whole number")
UNIX_TIME = Kind("unix_time", int, "INTEGER", "int64", "a time in Unix seconds (a UTC timestamp in pandas)")
ISO_TIME = Kind("iso_time", str, "TEXT", "string", "a time in ISO 8601 (a UTC timestamp in pandas)")
FLAG = Kind("flag", bool, "INTEGER", "bool", "true or false")
LIST = Kind("list", list[str], "TEXT", "list<string>", "a list of strings (JSON text in SQLite)")
IDS = Kind("ids", list[str], "TEXT", "list<string>", "a list of ids (JSON text in SQLite)")
RECORDS = Kind("records", list[dict[str, str]], "TEXT", None, "a list of objects (JSON text in SQLite)")
KINDS = {k.name: k for k in (ID, HANDLE, NAME, TEXT, URL, COUNT, NUMBER, UNIX_TIME, ISO_TIME, FLAG, LIST, IDS, RECORDS)}

# What the web paths of each item type start from: the object a detail answer carries; the web
# parser hands an embedded one (an item's author, music or challenges) over in the same shape.
WEB_ROOTS = {
    "Video": "an item struct (itemList[], ItemModule.<id>, itemInfo.itemStruct)",
    "User": "userInfo {user, stats, statsV2} (for an item's author: {author, authorStats, authorStatsV2})",
    "Comment": "a comment of /api/comment/list/ (comments[], their reply_comment[])",
    "Hashtag": "challengeInfo {challenge, stats, statsV2} (for an item's challenges[]: {challenge})",
    "Sound": "musicInfo {music, stats} (for an item's music: {music})",
    "Playlist": "mixInfo of /api/mix/detail/ {id, name, videoCount, creator, cover}",
}


@attrs.frozen
class Field:
    """One row of the table."""

    doc: str
    kind: Kind
    unit: str = ""
    web: tuple[str, ...] = ()  # dotted paths the web parser reads, in order of preference
    web_note: str = ""  # how a field the parser works out by hand is found (shown in the dictionary)
    research: tuple[str, ...] = ()  # the Research API's name for it, then other spellings answers use
    research_note: str = ""
    query: str = ""  # the field_name a Research API video query searches it by
    in_user_lists: bool = True  # the liked, pinned and reposted lists return it under research[0] (§3.5)
    required: bool = False
    name: str = ""  # filled in by table()

    @property
    def annotation(self) -> Any:
        """The type hint the field must have: its kind's type, `| None` unless it is a key."""
        return self.kind.python if self.required else self.kind.python | None

    @property
    def research_name(self) -> str:
        return self.research[0] if self.research else ""

    @property
    def web_text(self) -> str:
        """The web source as the data dictionary shows it."""
        return "; ".join(p for p in (" or ".join(self.web), self.web_note) if p)

    @property
    def research_text(self) -> str:
        named = self.research[0] + "".join(f" (or {r})" for r in self.research[1:]) if self.research else ""
        lists = "" if self.in_user_lists or not self.research else "not asked of the liked, pinned and reposted lists"
        parts = [named, self.research_note, f"queried as {self.query}" if self.query else "", lists]
        return "; ".join(p for p in parts if p)


@functools.cache
def table(cls: type) -> tuple[Field, ...]:
    """The rows of an item type, in field order. Checks that each annotation is its kind's type,
    so the annotation mypy reads and the column types cannot drift apart."""
    hints = typing.get_type_hints(cls)
    rows = []
    for f in attrs.fields(cls):
        spec = attrs.evolve(f.metadata["field"], name=f.name)
        if hints[f.name] != spec.annotation:
            raise TypeError(
                f"{cls.__name__}.{f.name} is annotated {hints[f.name]}, but its kind {spec.kind.name} makes it {spec.annotation}"
            )
        rows.append(spec)
    return tuple(rows)


def row(cls: type, name: str) -> Field:
    return next(f for f in table(cls) if f.name == name)


def research_names(cls: type, *, user_lists: bool = False) -> tuple[str, ...]:
    """The Research API names of the fields an item type keeps: what a request asks for."""
    return tuple(f.research_name for f in table(cls) if f.research and (f.in_user_lists or not user_lists))


def arrow_type(kind: Kind) -> Any:
    """The pyarrow type of a kind, or None (imported here only when asked: crawls never need it)."""
    import pyarrow as pa

    if kind.arrow is None:
        return None
    if kind.arrow == "list<string>":
        return pa.list_(pa.string())
    return pa.type_for_alias(kind.arrow)
