"""Server-side check of the web app's request signature (the page computes it in static/sign.js).

TikTok's item-list endpoints need the msToken cookie and a signature the page's JavaScript
computes (X-Bogus); without them they answer 200 with an empty body. Ours is a plain FNV-1a over
the raw query and the token: what matters for a collector is that only a real page can produce it.
"""

from __future__ import annotations

import secrets
from collections.abc import Container
from urllib.parse import parse_qs

FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193


def fnv1a(text: str) -> str:
    h = FNV_OFFSET
    for byte in text.encode():
        h = ((h ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return f"{h:08x}"


def x_bogus(query: str, ms_token: str) -> str:
    return fnv1a(f"{query}|{ms_token}") + fnv1a(f"{ms_token}|{query}")


def new_ms_token() -> str:
    """A token of the real length (about 107 URL-safe characters)."""
    return secrets.token_urlsafe(80)[:107]


def signed_ok(raw_query: str, cookie_token: str | None, issued: Container[str]) -> bool:
    """True when the query ends in a valid X-Bogus for an issued msToken that matches the cookie.

    `raw_query` is the query string exactly as sent, still percent-encoded: signers sign what they
    send (values such as `browser_version=Mozilla%2F5.0...`), so decoding first would break them."""
    query, sep, bogus = raw_query.rpartition("&X-Bogus=")
    if not sep or not cookie_token or cookie_token not in issued:
        return False
    if parse_qs(query).get("msToken") != [cookie_token]:
        return False
    return secrets.compare_digest(bogus, x_bogus(query, cookie_token))
