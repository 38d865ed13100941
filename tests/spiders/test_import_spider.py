"""`scrapy crawl import` as a user runs it: every real sample into one jsonlines file per type,
a summary naming what was not imported and why, and bad arguments as one line with exit code 2;
and the HAR, WARC, WACZ and gzip files of a browser crawl of the simulator, which hold its truth."""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

import attrs
import pytest
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Response as PlaywrightResponse
from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from tests.helpers.sim_process import running_simulator, truth
from tiktok.parsing import Context, parse_any
from tiktok.parsing.containers import unpack
from tiktok.schema.items import Hashtag, Video
from tiktok.settings import PLAYWRIGHT_LAUNCH_OPTIONS

pytestmark = pytest.mark.crawl

ROOT = Path(__file__).resolve().parents[2]


def crawl(*args: str) -> subprocess.CompletedProcess[str]:
    # The full log on stderr: these tests read Scrapy's stats dump.
    cmd = [sys.executable, "-m", "scrapy", "crawl", "import", "-s", "LOG_LEVEL=INFO", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_imports_every_real_sample(real_fixtures: Path, tmp_path: Path) -> None:
    result = crawl("-a", f"path={real_fixtures}", "-s", f"DATA_DIR={tmp_path}")
    assert result.returncode == 0, result.stderr[-2000:]
    files = {p.name for p in tmp_path.glob("*.jsonl")}
    assert files == {"videos.jsonl", "users.jsonl", "comments.jsonl", "hashtags.jsonl", "sounds.jsonl", "totals.jsonl", "runs.jsonl"}
    # no follows; the one saved challenge detail's totals are a reading of that file (issue 16)
    (reading,) = lines(tmp_path / "totals.jsonl")
    assert (reading["kind"], reading["name"], reading["video_count"], reading["view_count"]) == ("hashtag", "duett", 0, 37_100_000_000)
    assert reading["run_id"] == reading["source"] == "import:legacy_challenge_detail_2020-10_drawrowfly_mock.json"
    videos = lines(tmp_path / "videos.jsonl")
    # 12 + 7 + 1 (web lists, detail) + 30 + 1 + 1 (pages) + 1 (Zeeschuimer) + 27 + 27 + 1 + 2 (research),
    # less one: the docs' example answer lists the same video twice.
    assert len(videos) == 109
    assert all(isinstance(v["id"], str) for v in videos) and "73207681965695992750" in {v["id"] for v in videos}
    assert {v["source"] for v in videos} >= {
        "import:item_list_2025-01_sherifcodeur_1.json",
        "import:zeeschuimer-decoder_example-item_tiktok.json",
    }
    # 6 + 1 + 1 + 3 less one: both web comment-list samples hold the same comment.
    assert len(lines(tmp_path / "comments.jsonl")) == 10
    summary = result.stderr[result.stderr.index("Import finished") :]
    assert "24 files read" in summary and "110 videos parsed" in summary and "109 videos" in summary
    assert "PROVENANCE.md: not TikTok data, nor a HAR, WARC, WACZ, gzip or zip holding it (it begins '# Real TikTok" in summary
    assert "invalid_params_invalid_count_or_cursor_2024-10-09.json: Research API error invalid_params: Invalid count or cursor" in summary


def test_unreadable_file_is_logged_and_the_run_goes_on(real_fixtures: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.json").write_bytes((real_fixtures / "web_api_json/item_detail_2022-12_aladynjr_response.json").read_bytes())
    (folder / "garbled.json").write_text('{"itemList": [{"id": "7', encoding="utf-8")
    locked = folder / "locked.json"
    locked.write_text("{}", encoding="utf-8")
    locked.chmod(0)
    result = crawl("-a", f"path={folder}", "-s", f"DATA_DIR={tmp_path / 'out'}")
    assert result.returncode == 0
    assert len(lines(tmp_path / "out" / "videos.jsonl")) == 1
    assert "garbled.json: not JSON or HTML" in result.stderr
    if subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip() != "0":  # root reads anything
        assert "locked.json: unreadable" in result.stderr


def test_a_moved_key_is_logged_and_counted(real_fixtures: Path, tmp_path: Path) -> None:
    body = json.loads((real_fixtures / "web_api_json/item_list_2025-01_sherifcodeur_1.json").read_text(encoding="utf-8"))
    for item in body["itemList"]:
        item["statsV3"] = item.pop("statsV2")
        item["counts"] = item.pop("stats")
    (tmp_path / "drifted.json").write_text(json.dumps(body), encoding="utf-8")
    result = crawl("-a", f"path={tmp_path / 'drifted.json'}", "-s", f"DATA_DIR={tmp_path / 'out'}")
    assert result.returncode == 0
    assert "TikTok's data lacks itemList[0].stats (web-item-list): the format may have changed" in result.stderr
    assert "'parse/missing/itemList[0].stats': 1" in result.stderr  # Scrapy's stats dump at the end
    assert all(v["like_count"] is None and v["counts_exact"] is None for v in lines(tmp_path / "out" / "videos.jsonl"))


# ---- containers made from a simulator crawl (issue #12): HAR, WARC, WACZ, gzip, and a folder of them


Answer = tuple[PlaywrightResponse, bytes]


def record_crawl(base: str, folder: Path) -> None:
    """Scrolls #london to its end in chromium twice, recorded by Playwright's own HAR writer (bodies
    embedded, then attached in its zip form); the first session's answers also go into a WARC, written
    by warcio as a browser-extension recorder does (bodies as decoded, dated by the server's Date)."""
    options: dict[str, Any] = dict(PLAYWRIGHT_LAUNCH_OPTIONS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**options)
        try:
            seen = scroll_to_the_end(browser, base, folder / "crawl.har", "embed")
            write_warc(folder / "crawl.warc", seen, compress=False)
            write_warc(folder / "crawl.warc.gz", seen, compress=True)
            scroll_to_the_end(browser, base, folder / "crawl-attach.zip", "attach")
        finally:
            browser.close()


def scroll_to_the_end(browser: Browser, base: str, har: Path, content: Literal["embed", "attach"]) -> list[Answer]:
    """The hashtag page scrolled until every video is on it; returns the answers, with bodies read."""
    context = browser.new_context(record_har_path=har, record_har_content=content)
    page = context.new_page()
    seen: list[PlaywrightResponse] = []
    page.on("response", lambda response: seen.append(response))
    page.goto(f"{base}/tag/london")
    loaded = len(truth(base, "hashtag/london")["video_ids"])
    for _ in range(100):
        if page.evaluate("document.body.dataset.loaded") == str(loaded):
            break
        page.mouse.wheel(0, 5000)
        page.wait_for_timeout(100)
    answers = [(response, response.body()) for response in seen]  # read while the page is open
    context.close()  # writes the HAR
    return answers


def write_warc(path: Path, answers: list[Answer], compress: bool) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compress)
        for response, body in answers:
            drop = {"content-encoding", "transfer-encoding", "content-length"}  # the body is stored decoded
            headers = [(k, v) for k, v in response.headers.items() if k.lower() not in drop]
            http = StatusAndHeaders(f"{response.status} {response.status_text or 'OK'}", headers, protocol="HTTP/1.1")
            date = parsedate_to_datetime(response.headers["date"]).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            warc_headers = {"WARC-Date": date}
            writer.write_record(
                writer.create_warc_record(
                    response.url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict=warc_headers
                )
            )


def write_wacz(path: Path, warc: Path) -> None:
    """WACZ 1.1: the WARC under archive/, pages/pages.jsonl and datapackage.json (stored, as webrecorder writes them)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as wacz:
        wacz.writestr("archive/data.warc.gz", warc.read_bytes())
        wacz.writestr("pages/pages.jsonl", '{"format": "json-pages-1.0", "id": "pages"}\n{"url": "/tag/london"}\n')
        resources = [{"name": "data.warc.gz", "path": "archive/data.warc.gz", "bytes": warc.stat().st_size}]
        wacz.writestr("datapackage.json", json.dumps({"profile": "data-package", "wacz_version": "1.1.1", "resources": resources}))


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    """A folder mixing every container of one crawl, and the simulator's truth at that time (its clock
    nearly stopped, so counts do not move)."""
    folder = tmp_path_factory.mktemp("captured")
    with running_simulator("--clock-speed", "0.000001") as base:
        record_crawl(base, folder)
        tag = truth(base, "hashtag/london")
        videos = {vid: truth(base, f"video/{vid}") for vid in tag["video_ids"]}
    har = json.loads((folder / "crawl.har").read_text(encoding="utf-8"))
    for entry in har["log"]["entries"]:  # as Chrome's network panel exports some answers
        content = entry["response"]["content"]
        if "text" in content and "encoding" not in content:
            content["text"], content["encoding"] = base64.b64encode(content["text"].encode()).decode(), "base64"
    (folder / "crawl-base64.har").write_text(json.dumps(har), encoding="utf-8")
    write_wacz(folder / "crawl.wacz", folder / "crawl.warc.gz")
    for name in ("crawl.har", "crawl.wacz", "crawl.warc"):
        (folder / f"{name}.gz").write_bytes(gzip.compress((folder / name).read_bytes()))
    (folder / "crawl.warc").rename(folder / "saved.json")  # a name says nothing: the content does
    yield folder, {"hashtag": tag, "videos": videos, "page_times": page_times(folder)}


def page_times(folder: Path) -> dict[str, str]:
    """When each recording saw the hashtag page: its HAR entry's startedDateTime (UTC, as Playwright
    writes it), the WARC's WARC-Date (the simulator's clock: it came from its Date header)."""
    with zipfile.ZipFile(folder / "crawl-attach.zip") as attached:
        hars = {"embed": (folder / "crawl.har").read_bytes(), "attach": attached.read("har.har")}
    times = {}
    for kind, har in hars.items():
        (started,) = [e["startedDateTime"] for e in json.loads(har)["log"]["entries"] if e["request"]["url"].endswith("/tag/london")]
        times[kind] = started[:19] + "Z"
    with (folder / "saved.json").open("rb") as warc:
        (dated,) = [r.rec_headers["WARC-Date"] for r in ArchiveIterator(warc) if r.rec_headers["WARC-Target-URI"].endswith("/tag/london")]
    return {**times, "warc": dated}


def check_truth(videos: list[Video | dict[str, Any]], expected: dict[str, Any]) -> None:
    got = [v if isinstance(v, dict) else attrs.asdict(v) for v in videos]
    assert sorted(v["id"] for v in got) == sorted(expected["hashtag"]["video_ids"])
    for v in got:
        t = expected["videos"][v["id"]]
        counts = t["counts"]
        assert (v["username"], v["create_time"], v["video_description"], v["hashtag_names"], v["music_id"]) == (
            t["author"],
            t["create_time"],
            t["description"],
            t["hashtags"],
            t["music_id"],
        )
        assert (v["view_count"], v["like_count"], v["comment_count"], v["share_count"], v["favorites_count"]) == (
            counts["views"],
            counts["likes"],
            counts["comments"],
            counts["shares"],
            counts["collects"],
        )


CONTAINERS = [
    "crawl.har",
    "crawl-base64.har",
    "crawl-attach.zip",
    "crawl.har.gz",
    "saved.json",
    "crawl.warc.gz",
    "crawl.wacz",
    "crawl.wacz.gz",
]


@pytest.mark.browser
@pytest.mark.parametrize("name", CONTAINERS)
def test_each_container_holds_the_simulators_truth(captured: tuple[Path, dict[str, Any]], name: str) -> None:
    folder, expected = captured
    unpacked = unpack((folder / name).read_bytes())
    parsed = [(record, parse_any(record.body, Context(scraped_at=record.captured_at)).items) for record in unpacked.records]
    # The page and its two list pages; the page's play reports (/api/report/watch/) are answers without data.
    assert unpacked.problems == [] and len([r for r, found in parsed if found]) == 3
    items = [(record, item) for record, found in parsed for item in found]
    check_truth([i for _, i in items if isinstance(i, Video)], expected)
    (page,) = [i for _, i in items if isinstance(i, Hashtag) and i.video_count is not None]
    assert (page.id, page.name, page.video_count) == (expected["hashtag"]["id"], "london", len(expected["hashtag"]["video_ids"]))
    recording = "warc" if "warc" in unpacked.kinds else "attach" if name.endswith(".zip") else "embed"
    assert page.scraped_at == expected["page_times"][recording]


@pytest.mark.browser
def test_a_folder_mixing_containers_imports_the_truth(captured: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    folder, expected = captured
    page = next(
        e
        for e in json.loads((folder / "crawl.har").read_text(encoding="utf-8"))["log"]["entries"]
        if e["request"]["url"].endswith("/london")
    )
    state = re.search(r'id="__UNIVERSAL_DATA_FOR_REHYDRATION__"[^>]*>(.*?)</script>', page["response"]["content"]["text"], re.S)
    assert state
    (folder / "state.json").write_text(state.group(1), encoding="utf-8")  # the page's state saved on its own
    result = crawl("-a", f"path={folder}", "-s", f"DATA_DIR={tmp_path}")
    assert result.returncode == 0, result.stderr[-2000:]
    files = sorted(p.name for p in folder.iterdir())
    summary = result.stderr[result.stderr.index("Import finished") :]
    assert f"{len(files)} files read" in summary and "not imported" not in summary
    videos = lines(tmp_path / "videos.jsonl")
    for name in files:  # videos are kept once per file (its run_id), so each file's are the whole truth
        if name != "state.json":  # a hashtag page's state holds the hashtag only
            check_truth([v for v in videos if v["source"] == f"import:{name}"], expected)
    assert [h["id"] for h in lines(tmp_path / "hashtags.jsonl") if h["name"] == "london"] == [expected["hashtag"]["id"]]
