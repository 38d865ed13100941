"""Validate: the key is present and well formed, every field has its declared type, counts are not
negative. An invalid item goes to DATA_DIR/rejected.jsonl with its reason and source, and
`validate/rejected/<type>` counts it: nothing is dropped silently.

Settings: TIKTOK_VALIDATE_ENABLED (default True).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import attrs
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from tiktok.extensions.runlog import run_context
from tiktok.schema.items import Follow, User, UserStatus
from tiktok.storage.store import FIELD_VALUES, DataStore

DIGITS = re.compile(r"^\d{1,25}$")
HANDLE = re.compile(r"^[\w.\-]{1,64}$", re.UNICODE)


Checker = Callable[[Any], bool]


def type_errors(item: Any) -> list[str]:
    """What is wrong with an item, field by field (empty when it is valid)."""
    cls = type(item)
    if cls not in FIELD_VALUES:
        return [f"not an item of the schema ({cls.__name__})"]
    errors = []
    if isinstance(item, User | Follow | UserStatus):
        for name in ("follower", "followee") if isinstance(item, Follow) else ("username",):
            if not isinstance(getattr(item, name), str) or not HANDLE.match(getattr(item, name)):
                errors.append(f"{name} {getattr(item, name)!r} is not a TikTok handle")
    elif not isinstance(item.id, str) or not DIGITS.match(item.id):
        errors.append(f"id {item.id!r} is not a string of digits")
    for value, (name, hint, check, exact, is_count) in zip(FIELD_VALUES[cls](item), checkers(cls), strict=True):
        if value is None or (type(value) in exact and not (is_count and value < 0)):
            continue  # the common case, decided without a call
        if not check(value):
            errors.append(f"{name} has {type(value).__name__} {value!r:.40}, expected {hint}")
        elif is_count and value < 0:
            errors.append(f"{name} is negative ({value})")
    return errors


FieldCheck = tuple[str, Any, Checker, frozenset[type], bool]
CHECKERS: dict[type, list[FieldCheck]] = {}
PLAIN = (str, int, float, bool)


def checkers(cls: type) -> list[FieldCheck]:
    """Per field: its name, type, a compiled type check, the exact types that pass it without a call,
    and whether it is a count. Built once per class: resolving type hints for every item would cost
    more than the rest of the chain."""
    if cls not in CHECKERS:
        hints = typing.get_type_hints(cls)
        CHECKERS[cls] = [
            (f.name, hints[f.name], checker(hints[f.name]), plain_types(hints[f.name]), f.name.endswith("_count"))
            for f in attrs.fields(cls)
        ]
    return CHECKERS[cls]


def plain_types(hint: Any) -> frozenset[type]:
    """The scalar types a hint accepts as they are (str for `str | None`); containers need a call."""
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union else (hint,)
    return frozenset(t for t in options if t in PLAIN)


def checker(hint: Any) -> Checker:
    """isinstance for the annotations the items use: X | None, list[X], dict[str, str]."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        options = [checker(h) for h in typing.get_args(hint) if h is not type(None)]
        if len(options) == 1:
            return options[0]  # None is never checked: type_errors skips it
        return lambda v: any(check(v) for check in options)
    origin = typing.get_origin(hint)
    if origin is list:
        inner = checker(typing.get_args(hint)[0])
        return lambda v: isinstance(v, list) and all(inner(x) for x in v)
    if origin is dict:
        key_check, value_check = (checker(h) for h in typing.get_args(hint))
        return lambda v: isinstance(v, dict) and all(key_check(a) and value_check(b) for a, b in v.items())
    if hint is int:
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    return lambda v: isinstance(v, hint)


class ValidatePipeline:
    def __init__(self, store: DataStore, stats: Any) -> None:
        self.store, self.stats = store, stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        if not crawler.settings.getbool("TIKTOK_VALIDATE_ENABLED", True):
            raise NotConfigured
        return cls(run_context(crawler).store, crawler.stats)

    def process_item(self, item: Any) -> Any:
        errors = type_errors(item)
        if not errors:
            return item
        kind = type(item).__name__
        self.stats.inc_value(f"validate/rejected/{kind.lower()}")
        adapter = ItemAdapter(item) if ItemAdapter.is_item(item) else None
        self.store.reject(
            {
                "type": kind,
                "reason": "; ".join(errors),
                "source": adapter.get("source") if adapter is not None and "source" in adapter.field_names() else None,
                "rejected_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "item": adapter.asdict() if adapter is not None else repr(item),
            }
        )
        raise DropItem(f"invalid {kind}: {'; '.join(errors)} (kept in rejected.jsonl)")
