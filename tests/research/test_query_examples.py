"""Every example in queries/ is a valid query file (the checks a crawl runs before any request)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiktok.research.query import load_query_file

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "queries").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_query_is_valid(path: Path) -> None:
    query = load_query_file(str(path))
    assert query.windows() and query.query


def test_the_examples_cover_every_field_kind() -> None:
    used = {c["field_name"] for p in EXAMPLES for conds in load_query_file(str(p)).query.values() for c in conds}
    assert used == {
        "create_date",
        "username",
        "region_code",
        "video_id",
        "hashtag_name",
        "keyword",
        "music_id",
        "effect_id",
        "video_length",
        "view_count",
        "comment_count",
    }
