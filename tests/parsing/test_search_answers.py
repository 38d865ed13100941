"""Search answers (issue 16) parsed: the one real search capture (Zeeschuimer's record of
/api/search/item/full/) as the `item_list` of its answer gives its video, and an answer without
results says the list ended."""

from __future__ import annotations

import json
from pathlib import Path

from tiktok.parsing import Context, parse_any
from tiktok.schema.items import Video


def test_a_real_search_item_in_its_answer(real_fixtures: Path) -> None:
    record = json.loads((real_fixtures / "zeeschuimer/zeeschuimer-decoder_example-item_tiktok.json").read_text())
    answer = {"status_code": 0, "item_list": [record["data"]], "has_more": 1, "cursor": 20}
    result = parse_any(json.dumps(answer), Context(source="search:fosfor"))
    videos = [v for v in result.items if isinstance(v, Video)]
    assert result.format == "web-search-videos" and not result.missing
    assert [v.id for v in videos] == [record["item_id"]] and videos[0].source == "search:fosfor"
    assert result.more is True and result.cursor == "20"


def test_an_answer_without_results_ends_the_list() -> None:
    result = parse_any(json.dumps({"status_code": 0, "cursor": 0, "has_more": 0, "extra": {}, "log_pb": {}}))
    assert result.format == "web-search" and result.items == [] and result.more is False and not result.problems
