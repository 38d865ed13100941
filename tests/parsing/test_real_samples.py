"""Every real sample parses to the values read off it by hand (expected/real_samples.json: taken
from the raw files by their documented paths, not from this parser's output)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from tiktok.parsing import Context, parse_any
from tiktok.schema.items import Comment, Hashtag, User, Video

EXPECTED: dict[str, dict[str, Any]] = json.loads((Path(__file__).parent / "expected" / "real_samples.json").read_text())


def subset(item: Any, expected: dict[str, Any]) -> dict[str, Any]:
    return {k: attrs.asdict(item)[k] for k in expected}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_parses_to_its_expected_values(real_fixtures: Path, name: str) -> None:
    expected = EXPECTED[name]
    ctx = Context(source=f"import:{Path(name).name}", subject=expected.get("subject"))
    result = parse_any((real_fixtures / name).read_bytes(), ctx)
    assert result.format == expected["format"]
    assert result.missing == [] and result.problems == expected.get("problems", [])
    videos = [i for i in result.items if isinstance(i, Video)]
    assert len(videos) == expected["videos"]
    by_id = {v.id: v for v in videos}
    for record in expected.get("records", []):
        assert subset(by_id[record["id"]], record) == record
    users = {u.username: u for u in result.items if isinstance(u, User)}
    for record in expected.get("users", []):
        assert subset(users[record["username"]], record) == record
    comments = [c for c in result.items if isinstance(c, Comment)]
    assert [subset(c, r) for c, r in zip(comments, expected.get("comments", []), strict=False)] == expected.get("comments", [])
    if "comments" in expected:
        assert len(comments) == len(expected["comments"])
    hashtags = {h.id: h for h in result.items if isinstance(h, Hashtag)}
    for record in expected.get("hashtags", []):
        assert subset(hashtags[record["id"]], record) == record
    assert all(getattr(i, "source", f"import:{Path(name).name}") == f"import:{Path(name).name}" for i in result.items)


def test_every_sample_has_an_expected_output(real_fixtures: Path) -> None:
    files = {str(p.relative_to(real_fixtures)) for p in real_fixtures.rglob("*") if p.suffix in (".json", ".html")}
    assert files == set(EXPECTED)


def test_twenty_digit_ids_keep_full_precision(real_fixtures: Path) -> None:
    """The test copy of page 2 holds a 20-digit id, beyond int64 (TIKTOK-FORMATS.md §7)."""
    raw = (real_fixtures / "research_api/c4d_tiktok-library/api_videos_response_page_2_of_2.json").read_text()
    result = parse_any(raw)
    assert "73207681965695992750" in raw
    assert "73207681965695992750" in [v.id for v in result.items if isinstance(v, Video)]


def test_nul_characters_are_removed_and_rtl_text_kept(real_fixtures: Path) -> None:
    result = parse_any((real_fixtures / "research_api/c4d_tiktok-library/api_videos_response_unicode_with_null_bytes.json").read_bytes())
    video = result.items[0]
    assert isinstance(video, Video) and video.username is not None
    assert "\x00" not in video.username and video.username.startswith("حموديالباشا")
    assert "👑" in (video.video_description or "")


def test_research_follower_lists_need_their_subject() -> None:
    body = {"data": {"user_followers": [{"display_name": "A", "username": "a1"}], "cursor": 5, "has_more": False}, "error": {"code": "ok"}}
    without = parse_any(json.dumps(body))
    assert without.items == [] and "username it was requested for" in without.problems[0]
    follows = parse_any(json.dumps(body), Context(subject="star")).items
    assert [(f.follower, f.followee, f.via) for f in follows] == [("a1", "star", "followers")]  # type: ignore[union-attr]


def test_user_info_without_its_subject_says_so(real_fixtures: Path) -> None:
    result = parse_any((real_fixtures / "research_api/doc_examples_via_traktok/example_resp_q_user.json").read_bytes())
    assert result.items == [] and "the username it was requested for is needed" in result.problems[0]


def test_research_paging_state_comes_from_the_parser(real_fixtures: Path) -> None:
    """Spiders page with what the parser reports, never by reading the JSON themselves."""
    result = parse_any((real_fixtures / "research_api/c4d_tiktok-library/api_videos_response_page_1_of_2.json").read_bytes())
    assert (result.more, result.cursor, result.search_id) == (True, "100", "7354367454467855403")
    last = parse_any((real_fixtures / "research_api/c4d_tiktok-library/api_videos_response_unicode_with_null_bytes.json").read_bytes())
    assert (last.more, last.cursor) == (False, "1")
