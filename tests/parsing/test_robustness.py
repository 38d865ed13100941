"""Garbled, truncated or unknown input never raises out of a parser; a moved key is named."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiktok.parsing import parse_any
from tiktok.schema.items import Video

SAMPLE_DIR_CANDIDATES = ("web_api_json", "research_api/c4d_tiktok-library", "zeeschuimer")


def samples(root: Path) -> list[bytes]:
    return [p.read_bytes() for d in SAMPLE_DIR_CANDIDATES for p in sorted((root / d).glob("*.json"))]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_samples_never_raise(real_fixtures: Path, data: st.DataObject) -> None:
    raw = data.draw(st.sampled_from(samples(real_fixtures)))
    cut = data.draw(st.integers(0, len(raw)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, max(len(raw) - 1, 0)), st.integers(0, 255)), max_size=5))
    mutated = bytearray(raw[:cut])
    for pos, byte in flips:
        if pos < len(mutated):
            mutated[pos] = byte
    result = parse_any(bytes(mutated))
    assert result.format != "error", result.problems  # handled as data, not by the last-resort guard


KEYS = ["itemList", "itemInfo", "itemStruct", "userInfo", "user", "stats", "statsV2", "id", "author", "data", "error"]
KEYS += ["videos", "comments", "cursor", "challengeInfo", "musicInfo", "textExtra", "challenges", "imagePost"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_arbitrary_json_never_raises(value: object) -> None:
    result = parse_any(json.dumps(value))
    assert result.format != "error", result.problems


def test_a_moved_key_is_reported_by_name(real_fixtures: Path) -> None:
    body = json.loads((real_fixtures / "web_api_json/item_list_2025-01_sherifcodeur_1.json").read_text())
    for item in body["itemList"]:
        item["createdAt"] = item.pop("createTime")  # TikTok renames a key
    result = parse_any(json.dumps(body))
    assert "itemList[0].createTime" in result.missing
    assert all(v.create_time is None for v in result.items if isinstance(v, Video))  # never guessed


def test_truncated_and_unknown_input_give_reasons() -> None:
    assert parse_any(b"").problems == ["empty input (an unsigned or blocked API call answers an empty body)"]
    assert "truncated" in parse_any('{"itemList": [{"id": "1"').problems[0]
    assert "captcha" in parse_any("<html><div id='captcha-verify-container'></div></html>").problems[0]
    assert parse_any("<html><body>hello</body></html>").problems[0].startswith("an HTML page without TikTok's data")
    page = (
        '<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{"__DEFAULT_SCOPE__": {"webapp.app-context": {}}}</script>'
    )
    assert parse_any(page).missing == [
        "__DEFAULT_SCOPE__.<page data: webapp.video-detail | webapp.user-detail | webapp.challenge-detail | webapp.music-detail>"
    ]
