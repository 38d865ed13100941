"""A page's embedded state saved on its own parses exactly as the page (every era, real and simulator
pages); containers open by their content, keep each answer's URL and capture time, and say what
they could not read (issue #12). HAR, WARC and WACZ files of a real browser crawl are checked against
the simulator's truth in tests/spiders/test_import_spider.py."""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from tests.simclient import Sim
from tiktok.parsing import Context, ParseResult, parse_any
from tiktok.parsing.containers import Record, unpack
from tiktok.schema.items import Hashtag, Item, Video

SCRIPT = r'<script[^>]*\bid="{}"[^>]*>(.*?)</script>'
ERA_SCRIPT = {"universal": "__UNIVERSAL_DATA_FOR_REHYDRATION__", "sigi": "SIGI_STATE", "next": "__NEXT_DATA__"}


def saved_states(html: str, era: str) -> dict[str, str]:
    """The page's data script as people save it: minified and pretty-printed; universal data also
    without its __DEFAULT_SCOPE__ wrapper."""
    match = re.search(SCRIPT.format(ERA_SCRIPT[era]), html, re.S)
    assert match, f"no {ERA_SCRIPT[era]} script"
    state = json.loads(match.group(1))
    states = {"as-is": match.group(1), "minified": json.dumps(state, separators=(",", ":")), "pretty": json.dumps(state, indent=2)}
    if era == "universal":
        states["unwrapped"] = json.dumps(state["__DEFAULT_SCOPE__"], indent=1, ensure_ascii=False)
    return states


def assert_same_as_page(html: str) -> None:
    page = parse_any(html, Context(source="import:x"))
    era = page.format.removeprefix("web-html-")
    assert page.items and era in ERA_SCRIPT
    for how, text in saved_states(html, era).items():
        saved = parse_any(text.encode("utf-8"), Context(source="import:x"))
        assert saved.format == f"web-state-{era}", how
        assert [attrs.asdict(i) for i in saved.items] == [attrs.asdict(i) for i in page.items], how
        assert (saved.missing, saved.problems) == (page.missing, page.problems), how


@pytest.mark.parametrize("name", ["sigi_state", "universal_2025-08", "universal_2025-07", "next_data"])
def test_a_real_pages_state_saved_alone_parses_as_the_page(real_fixtures: Path, name: str) -> None:
    (page,) = [p for p in (real_fixtures / "web_html").glob("*.html") if name in p.name]
    assert_same_as_page(page.read_text(encoding="utf-8"))


async def test_a_simulator_pages_state_saved_alone_parses_as_the_page(sim: Sim) -> None:
    user = next(u for u in await sim.truth("users") if not u["private"])["username"]
    vid = (await sim.truth(f"user/{user}"))["video_ids"][0]
    music = (await sim.truth(f"video/{vid}"))["music_id"]
    for path in (f"/@{user}", f"/@{user}/video/{vid}", "/tag/london", f"/music/a-sound-{music}"):
        resp = await sim.client.get(path)
        assert_same_as_page(await resp.text())


def test_universal_state_without_page_data_says_so_as_the_page_does(real_fixtures: Path) -> None:
    """The 2023-02 SIGI page also carries a universal blob with app context only (§8.1)."""
    html = next((real_fixtures / "web_html").glob("*sigi_state*.html")).read_text(encoding="utf-8")
    saved = parse_any(saved_states(html, "universal")["pretty"])
    assert saved.items == [] and saved.problems == [
        "the page's universal data holds no page data (keys: webapp.app-context, webapp.i18n-translation)"
    ]


# ---- containers, built here with the real writers' shapes around real and simulator answers

LIST_FILE = "web_api_json/item_list_2025-01_sherifcodeur_1.json"  # extra.now = 1736547582000 (2025-01-10T22:19:42Z)


def items(records: list[Record]) -> list[Item]:
    return [i for r in records for i in parse_any(r.body, Context(scraped_at=r.captured_at)).items]


def as_dicts(found: Sequence[Item]) -> list[dict[str, Any]]:
    return [attrs.asdict(i) for i in found]


def har(*entries: dict[str, Any]) -> bytes:
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "test"}, "entries": list(entries)}}, indent=2).encode()


def entry(url: str, content: dict[str, Any], started: str = "2024-03-05T08:07:08.512+02:00", status: int = 200) -> dict[str, Any]:
    return {"startedDateTime": started, "request": {"method": "GET", "url": url}, "response": {"status": status, "content": content}}


async def page_html(sim: Sim) -> str:
    resp = await sim.client.get("/tag/london")
    return await resp.text()


async def test_a_har_gives_its_pages_and_json_with_their_times(sim: Sim, real_fixtures: Path) -> None:
    html = await page_html(sim)
    answer = (real_fixtures / LIST_FILE).read_bytes()
    data = har(
        entry("https://www.tiktok.com/tag/london", {"size": len(html), "mimeType": "text/html; charset=utf-8", "text": html}),
        entry("https://www.tiktok.com/", {"size": 0, "mimeType": "text/html", "text": ""}, status=302),
        entry("https://sf16.tiktokcdn.com/a.js", {"size": 9, "mimeType": "application/javascript", "text": "var a = 1"}),
        entry("https://p16.tiktokcdn.com/c.jpeg", {"size": 4, "mimeType": "image/jpeg", "text": "/9j/4A==", "encoding": "base64"}),
        entry(
            "https://www.tiktok.com/api/post/item_list/?count=35",
            {"size": len(answer), "mimeType": "application/json", "text": base64.b64encode(answer).decode(), "encoding": "base64"},
        ),
        entry("https://www.tiktok.com/api/comment/list/", {"size": 812, "mimeType": "application/json"}),  # body not kept
    )
    unpacked = unpack(data)
    assert unpacked.format == "har"
    assert [(r.url, r.captured_at) for r in unpacked.records] == [
        ("https://www.tiktok.com/tag/london", "2024-03-05T06:07:08Z"),
        ("https://www.tiktok.com/api/post/item_list/?count=35", "2024-03-05T06:07:08Z"),
    ]
    assert unpacked.problems == ["1 answers were saved without their body; export the HAR with content"]
    found = items(unpacked.records)
    page = [i for i in found if isinstance(i, Hashtag) and i.video_count is not None]
    assert [h.scraped_at for h in page] == ["2024-03-05T06:07:08Z"]  # a page has no time of its own
    videos = [i for i in found if isinstance(i, Video)]
    assert videos and {v.scraped_at for v in videos} == {"2025-01-10T22:19:42Z"}  # the answer's extra.now wins
    assert as_dicts(videos) == as_dicts([i for i in parse_any(answer).items if isinstance(i, Video)])


def test_playwright_attach_bodies_are_read_from_its_zip(real_fixtures: Path) -> None:
    answer = (real_fixtures / LIST_FILE).read_bytes()
    content = {"size": len(answer), "mimeType": "application/json", "_file": "3f2a.json"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("har.har", har(entry("https://www.tiktok.com/api/post/item_list/", content)))
        z.writestr("3f2a.json", answer)
    unpacked = unpack(buffer.getvalue())
    assert unpacked.format == "zip+har" and [r.body for r in unpacked.records] == [answer]
    alone = unpack(har(entry("https://www.tiktok.com/api/post/item_list/", content)))  # the .har without its files
    assert alone.records == [] and "1 answers were saved without their body" in alone.problems[0]


def warc(*records: tuple[str, str, bytes, list[tuple[str, str]] | None], compress: bool = True) -> bytes:
    """WARC records (url, type, payload, HTTP headers or None for a resource) written by warcio."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress)
    for n, (url, kind, payload, headers) in enumerate(records):
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1") if headers is not None else None
        warc_headers = {"WARC-Date": f"2024-03-05T06:07:0{n}Z"}
        if kind == "resource":
            warc_headers["Content-Type"] = "application/json"
        writer.write_record(
            writer.create_warc_record(url, kind, payload=io.BytesIO(payload), http_headers=http, warc_headers_dict=warc_headers)
        )
    return out.getvalue()


async def test_a_warc_gives_responses_and_resources_decoded_with_their_dates(sim: Sim, real_fixtures: Path) -> None:
    html = (await page_html(sim)).encode()
    answer = (real_fixtures / LIST_FILE).read_bytes()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(gzip.compress(answer)), gzip.compress(answer))
    data = warc(
        ("https://www.tiktok.com/tag/london", "response", html, [("Content-Type", "text/html")]),
        (
            "https://www.tiktok.com/api/post/item_list/",
            "response",
            chunked,
            [("Content-Type", "application/json"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
        ),
        ("https://sf16.tiktokcdn.com/a.js", "response", b"var a = 1", [("Content-Type", "text/javascript")]),
        ("https://www.tiktok.com/api/item/detail/", "request", b"GET / HTTP/1.1\r\n\r\n", None),
        ("urn:saved:item_list.json", "resource", answer, None),
    )
    for blob, kinds in ((data, ["gzip", "warc"]), (gzip.decompress(data), ["warc"])):
        unpacked = unpack(blob)
        assert unpacked.kinds == kinds and unpacked.problems == []
        assert [(r.url, r.captured_at) for r in unpacked.records] == [
            ("https://www.tiktok.com/tag/london", "2024-03-05T06:07:00Z"),
            ("https://www.tiktok.com/api/post/item_list/", "2024-03-05T06:07:01Z"),
            ("urn:saved:item_list.json", "2024-03-05T06:07:04Z"),
        ]
        assert [r.body for r in unpacked.records] == [html, answer, answer]


def test_a_wacz_gives_the_warcs_under_archive(real_fixtures: Path) -> None:
    answer = (real_fixtures / LIST_FILE).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        z.writestr(
            "archive/data.warc.gz",
            warc(("https://www.tiktok.com/api/post/item_list/", "response", answer, [("Content-Type", "application/json")])),
        )
        z.writestr("pages/pages.jsonl", '{"format": "json-pages-1.0", "id": "pages"}\n')
        z.writestr("datapackage.json", json.dumps({"profile": "data-package", "resources": []}))
    unpacked = unpack(gzip.compress(buffer.getvalue()))
    assert unpacked.kinds == ["gzip", "wacz", "warc"] and unpacked.problems == []
    assert [r.body for r in unpacked.records] == [answer]


def test_a_zip_of_saved_files_gives_each_file(real_fixtures: Path) -> None:
    answer = (real_fixtures / LIST_FILE).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("saved/list.json", answer)
        z.writestr("saved/list.json.gz", gzip.compress(answer))
    unpacked = unpack(buffer.getvalue())
    assert [r.body for r in unpacked.records] == [answer, answer] and unpacked.problems == []


def test_plain_data_is_one_answer_without_url_or_time(real_fixtures: Path) -> None:
    for path in sorted(real_fixtures.rglob("*.json")) + sorted(real_fixtures.rglob("*.html")):
        data = path.read_bytes()
        assert unpack(data).records == [Record(data)] and unpack(data).problems == []
        assert unpack(gzip.compress(data)).records == [Record(data)]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not TikTok data, nor a HAR, WARC, WACZ, gzip or zip holding it (it begins '\ufffdPNG"),
        (
            b'# notes\nThe page has `<script id="SIGI_STATE">`.\n',
            "not TikTok data, nor a HAR, WARC, WACZ, gzip or zip holding it (it begins '# notes",
        ),
        (b'{"log": {"entries": [{"startedDateTime": ', "a HAR file that is not valid JSON"),
        (b'{"log": {"version": "1.2"}}', "a HAR file without log.entries"),
        (b"PK\x03\x04 not really a zip", "a damaged zip archive"),
    ],
)
def test_what_cannot_be_opened_says_why(data: bytes, problem: str) -> None:
    unpacked = unpack(data)
    assert unpacked.records == [] and unpacked.problems[0].startswith(problem)


def test_a_cut_container_gives_what_came_before_the_cut(real_fixtures: Path) -> None:
    answer = (real_fixtures / LIST_FILE).read_bytes()
    url = "https://www.tiktok.com/api/post/item_list/"
    for compress in (False, True):  # a WARC, a WARC.gz: cut in the middle of the second record
        data = warc(*[(url, "response", answer, [("Content-Type", "application/json")])] * 3, compress=compress)
        cut = unpack(data[: len(data) // 2])
        assert [r.body for r in cut.records] == [answer]
        assert cut.problems[-1] == "the WARC is cut short or damaged after 2 records (the last record is incomplete)"
        assert compress == (cut.problems[0] == "the gzip data is cut short or damaged; read what came before")


def test_the_parser_still_explains_a_truncated_answer() -> None:
    result: ParseResult = parse_any(unpack(b'{"itemList": [{"id": "7').records[0].body)
    assert result.items == [] and result.problems[0].startswith("not JSON or HTML")


def test_containers_nested_too_deep_are_not_opened() -> None:
    data = b'{"itemList": []}'
    for _ in range(6):
        data = gzip.compress(data)
    unpacked = unpack(data)
    assert unpacked.records == [] and unpacked.problems[-1] == "containers nested more than 4 deep; not opened"
