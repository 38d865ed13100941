"""Pure helpers for TikTok's values: safe lookups, counts, the int32 wrap, text and times."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

INT32 = 2**31
DISPLAY_COUNT = re.compile(r"^\s*(\d+(?:[.,]\d+)*)\s*([kKmMbB]?)\s*$")
MULTIPLIERS = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def get(obj: Any, *path: str | int) -> Any:
    """obj[path[0]][path[1]]..., or None where any step is missing or of the wrong kind."""
    for step in path:
        if isinstance(obj, dict) and isinstance(step, str):
            obj = obj.get(step)
        elif isinstance(obj, list) and isinstance(step, int) and -len(obj) <= step < len(obj):
            obj = obj[step]
        else:
            return None
    return obj


def to_int(value: Any) -> int | None:
    """An exact integer from an int or a string of digits ("9024473", "-5"); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def parse_count(value: Any) -> int | None:
    """A count from display text as TikTok renders it: "12.3K", "1.2M", "1,234", "1.5B", "843"."""
    exact = to_int(value)
    if exact is not None:
        return exact
    if not isinstance(value, str):
        return None
    match = DISPLAY_COUNT.match(value)
    if not match:
        return None
    number, suffix = match.groups()
    if suffix:
        number = number.replace(",", ".") if number.count(",") == 1 and "." not in number else number.replace(",", "")
        try:
            return round(float(number) * MULTIPLIERS[suffix.lower()])
        except ValueError:
            return None
    digits = number.replace(",", "").replace(".", "")  # "1,234" and "1.234" are thousands separators
    return int(digits)


def unwrap_int32(value: int | None) -> tuple[int | None, bool]:
    """A count shown in a signed 32-bit field that wrapped past 2^31 comes out negative; the true
    value is derivable (add 2^32) as long as it is below 2^32. Returns (value, corrected)."""
    if value is not None and -INT32 <= value < 0:
        return value + 2 * INT32, True
    return value, False


def clean_text(value: Any) -> str | None:
    """A string without NUL characters (seen in real usernames); emoji and RTL text kept."""
    if not isinstance(value, str):
        return None
    return value.replace("\x00", "")


def text_or_none(value: Any) -> str | None:
    text = clean_text(value)
    return text if text else None


def id_string(value: Any) -> str | None:
    """Ids as strings of digits, from JSON numbers (full precision) or strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit() and value.strip() != "0":
        return value.strip()
    return None


def iso_from_unix(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_from_log_id(log_id: Any) -> str | None:
    """Research API log ids start with the UTC time of the answer: YYYYMMDDhhmmss."""
    if not isinstance(log_id, str) or not re.match(r"^\d{14}", log_id):
        return None
    try:
        moment = datetime.strptime(log_id[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def as_list(value: Any) -> list[Any]:
    """A list to iterate, or [] when TikTok sent null, a scalar or an object instead."""
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    """An object to read, or {} when TikTok sent something else."""
    return value if isinstance(value, dict) else {}
