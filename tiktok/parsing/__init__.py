"""Parsers: pure functions from TikTok's page text or JSON to items (tiktok.schema.items).

`parse_any(text, Context(...))` takes any format there is and returns a ParseResult: the items,
the key paths that were missing (a format drift), and why anything yielded less than expected.
"""

from tiktok.parsing.detect import parse_any
from tiktok.parsing.result import Context, ParseResult

__all__ = ["Context", "ParseResult", "parse_any"]
