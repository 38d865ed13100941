"""Counts as TikTok shows them: exact strings, rounded ints, display text, and the int32 wrap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiktok.parsing.values import clean_text, parse_count, to_int, unwrap_int32


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12.3K", 12_300), ("1.2M", 1_200_000), ("1,234", 1_234), ("1.5B", 1_500_000_000), ("843.4k", 843_400),
        ("9024473", 9_024_473), (412902, 412_902), ("0", 0), (" 7 ", 7), ("12K", 12_000), ("2,5M", 2_500_000),
        ("", None), ("abc", None), (None, None), (True, None), ("1.2.3K", None),
    ],
)  # fmt: skip
def test_parse_count(text: object, value: int | None) -> None:
    assert parse_count(text) == value


def display(n: int) -> str:
    """How TikTok's web app shows a count (the simulator's feed.js does the same)."""
    for size, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "K")):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + suffix
    return str(n)


@given(st.integers(min_value=0, max_value=10**12))
def test_display_text_parses_to_within_its_rounding(n: int) -> None:
    parsed = parse_count(display(n))
    assert parsed is not None
    unit = 1 if n < 10**3 else 10**2 if n < 10**6 else 10**5 if n < 10**9 else 10**8
    assert abs(parsed - n) <= unit // 2 + 1


@given(st.integers(min_value=2**31, max_value=2**32 - 1))
def test_int32_wrap_is_undone(true_likes: int) -> None:
    shown = true_likes - 2**32  # what a signed 32-bit field displays
    assert unwrap_int32(shown) == (true_likes, True)


@given(st.integers(min_value=0, max_value=2**31 - 1))
def test_unwrapped_values_are_left_alone(n: int) -> None:
    assert unwrap_int32(n) == (n, False)


def test_to_int_and_text() -> None:
    assert to_int("-5") == -5 and to_int("12.3K") is None and to_int(3.0) == 3 and to_int(False) is None
    assert clean_text("a\x00b\x00") == "ab" and clean_text(5) is None
