"""Cookies a persona imports for a logged-in account: a Netscape cookies.txt (what browser
extensions export) or a Playwright storage-state JSON file. They become Playwright cookies added to
the persona's browser profile; their values are never logged or stored with the data, and an error
names the file and the line, never a value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class CookiesError(ValueError):
    """A cookies file that cannot be read: one line naming the file (exit 2)."""


def load_cookies(path: Path) -> list[dict[str, Any]]:
    """Playwright cookies (name, value, domain, path, expires, httpOnly, secure) from either format."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise CookiesError(f"{path}: cannot be read as a text file") from None
    if text.lstrip().startswith("{"):
        return storage_state(path, text)
    return netscape(path, text)


def storage_state(path: Path, text: str) -> list[dict[str, Any]]:
    try:
        cookies = json.loads(text).get("cookies")
    except (ValueError, AttributeError):
        cookies = None
    if not isinstance(cookies, list) or not all(isinstance(c, dict) and {"name", "value", "domain"} <= c.keys() for c in cookies):
        raise CookiesError(f"{path}: a storage-state file needs a 'cookies' list of objects with name, value and domain")
    keep = ("name", "value", "domain", "path", "expires", "httpOnly", "secure", "sameSite")
    return [{k: c[k] for k in keep if k in c} | {"path": c.get("path", "/")} for c in cookies]


def netscape(path: Path, text: str) -> list[dict[str, Any]]:
    """Tab-separated: domain, include-subdomains, path, secure, expiry, name, value; a line starting
    '#HttpOnly_' is an http-only cookie, other '#' lines are comments."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        http_only = line.startswith("#HttpOnly_")
        if http_only:
            line = line.removeprefix("#HttpOnly_")
        elif not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 7 or not fields[4].strip().lstrip("-").isdigit():
            raise CookiesError(f"{path}: line {number} is not a Netscape cookie line (7 tab-separated fields)")
        domain, _, cookie_path, secure, expires, name, value = fields
        cookie = {"name": name, "value": value, "domain": domain, "path": cookie_path, "secure": secure.upper() == "TRUE"}
        cookie |= {"httpOnly": http_only, "expires": float(expires) if int(expires) > 0 else -1}
        out.append(cookie)
    if not out:
        raise CookiesError(f"{path}: no cookies in the file")
    return out
