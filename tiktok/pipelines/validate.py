"""Validate: the key is present and well formed, every field has its declared type, counts are not
negative. An invalid item goes to DATA_DIR/rejected.jsonl with its reason and source, and
`validate/rejected/<type>` counts it: nothing is dropped silently.

Settings: TIKTOK_VALIDATE_ENABLED (default True).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from tiktok.run.context import run_context
from tiktok.schema.fields import COUNT, HANDLE, ID, table
from tiktok.schema.items import ITEM_TYPES
from tiktok.storage.store import DataStore, values_getter

# The forms a key takes, by its kind: (pattern, what a bad one is called).
KEY_FORMS = {
    ID: (re.compile(r"^\d{1,25}$"), "is not a string of digits"),
    HANDLE: (re.compile(r"^[\w.\-]{1,64}$", re.UNICODE), "is not a TikTok handle"),
}

Checker = Callable[[Any], bool]
FieldCheck = tuple[str, Any, Checker, frozenset[type], bool]
Plan = tuple[Callable[[Any], tuple[Any, ...]], list[tuple[str, re.Pattern[str], str]], list[FieldCheck]]
PLANS: dict[type, Plan] = {}
PLAIN = (str, int, float, bool)


def type_errors(item: Any) -> list[str]:
    """What is wrong with an item, field by field (empty when it is valid)."""
    cls = type(item)
    plan = PLANS.get(cls) or plan_of(cls)
    if plan is None:
        return [f"not an item of the schema ({cls.__name__})"]
    values, keys, checks = plan
    errors = []
    for name, pattern, bad in keys:
        key = getattr(item, name)
        if not isinstance(key, str) or not pattern.match(key):
            errors.append(f"{name} {key!r} {bad}")
    for value, (name, hint, check, exact, is_count) in zip(values(item), checks, strict=True):
        if value is None or (type(value) in exact and not (is_count and value < 0)):
            continue  # the common case, decided without a call
        if not check(value):
            errors.append(f"{name} has {type(value).__name__} {value!r:.40}, expected {hint}")
        elif is_count and value < 0:
            errors.append(f"{name} is negative ({value})")
    return errors


def plan_of(cls: type) -> Plan | None:
    """How to check an item type, from the field table: a getter of every field in one call, its
    keys' forms, and per field its name, type, a compiled type check, the exact types that pass it
    without a call, and whether it is a count. Built once per type: resolving types for every
    item would cost more than the rest of the chain. None for a type outside the schema."""
    if cls not in ITEM_TYPES.values():
        return None
    rows = table(cls)
    keys = [(r.name, *KEY_FORMS[r.kind]) for r in rows if r.required]
    checks = [(r.name, r.annotation, checker(r.kind.python), plain_types(r.kind.python), r.kind is COUNT) for r in rows]
    PLANS[cls] = (values_getter(tuple(r.name for r in rows)), keys, checks)
    return PLANS[cls]


def plain_types(hint: Any) -> frozenset[type]:
    """The scalar types a hint accepts as they are (str for str); containers need a call."""
    return frozenset({hint}) if hint in PLAIN else frozenset()


def checker(hint: Any) -> Checker:
    """isinstance for the types of the kinds: str, int, bool, list[X], dict[str, str]."""
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
