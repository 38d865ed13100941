"""Checking spider arguments before any request: each problem is one sentence saying what is wrong
and what to give instead (the crawl command prints it and exits 2)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tiktok.spiders.base import SpiderArgumentError

HASHTAG = re.compile(r"^\w{1,100}$", re.UNICODE)
USERNAME = re.compile(r"^[\w.]{1,64}$", re.UNICODE)
VIDEO_ID = re.compile(r"^\d{15,25}$")
VIDEO_URL = re.compile(r"^https?://[^/]+/@([\w.]*)/video/(\d{15,25})")


def whole_number(name: str, value: Any, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SpiderArgumentError(f"-a {name}={value}: give a whole number from 1 to {high}") from None
    if not 1 <= number <= high:
        raise SpiderArgumentError(f"-a {name}={value}: give a whole number from 1 to {high}")
    return number


def flag(name: str, value: Any) -> bool:
    if value in (None, "", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise SpiderArgumentError(f"-a {name}={value}: give 1 or 0")


def read_list(path: str, column: str) -> list[str]:
    """Values from a file: one per line, or the `column` column of a CSV with a header."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise SpiderArgumentError(f"-a file={path}: no such file")
    text = file.read_text(encoding="utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if lines and "," in lines[0]:
        rows = list(csv.DictReader(lines))
        if not rows or column not in rows[0]:
            raise SpiderArgumentError(f"-a file={path}: a CSV needs a '{column}' column")
        return [r[column].strip() for r in rows if r[column].strip()]
    return [line.strip() for line in lines]


def checked_list(name: str, values: list[str], valid: Callable[[str], str | None], what: str) -> list[str]:
    """Each value normalised by `valid` (None when invalid); the first invalid one is the error."""
    if not values:
        raise SpiderArgumentError(f"-a {name}: give at least one {what}")
    out = []
    for value in values:
        normal = valid(value.strip())
        if normal is None:
            raise SpiderArgumentError(f"-a {name}: {value!r} is not a valid {what}")
        out.append(normal)
    return list(dict.fromkeys(out))


def hashtag(value: str) -> str | None:
    value = value.lstrip("#")
    return value.lower() if HASHTAG.match(value) else None


def username(value: str) -> str | None:
    value = value.lstrip("@")
    return value.lower() if USERNAME.match(value) else None


def video_id(value: str) -> str | None:
    if VIDEO_ID.match(value):
        return value
    match = VIDEO_URL.match(value)
    return match.group(2) if match else None


def one_source(kwargs: dict[str, Any], names: tuple[str, ...]) -> str:
    given = [n for n in names if kwargs.get(n)]
    if len(given) != 1:
        raise SpiderArgumentError("give exactly one of " + ", ".join(f"-a {n}=..." for n in names))
    return given[0]
