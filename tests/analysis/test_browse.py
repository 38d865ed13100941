"""`browse`: tiktok.db in Datasette with the data dictionary as metadata, the study's questions as
canned queries that answer as the study functions do, and, in the real chromium, a search, a
hashtag facet and a cover image on a crawl of the simulator."""

from __future__ import annotations

import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pytest

from tests.helpers.crawl import crawl
from tests.helpers.sim_process import ROOT, free_port, running_simulator, truth, wait_for
from tiktok.analysis import study
from tiktok.analysis.load import load
from tiktok.browse.metadata import metadata
from tiktok.browse.queries import SQL
from tiktok.browse.serve import datasette
from tiktok.storage import db

HOUR = 3600


def snapshots(data: Path) -> None:
    """Three creators over three hourly snapshots, every figure distinct so rankings have no ties."""
    rows = []
    for hour in range(3):
        at = f"2026-06-01T{hour:02d}:00:00Z"
        for n, (user, followers, posted) in enumerate([("ann", 100, 5), ("bo", 2_000, 40), ("cy", 50, 7)]):
            for v in range(n + 1 + (hour > 0 and n == 2)):  # cy posts a video after the first snapshot
                rows.append(
                    {
                        "id": f"76{n}{v}",
                        "username": user,
                        "music_id": f"73{(n + v) % 2}",
                        "like_count": (n + 1) * 100 + v * 7 + hour * (n + 2) * 11,
                        "view_count": 1000 + hour,
                        "comment_count": hour,
                        "share_count": v,
                        "author_follower_count": followers + hour * (3 - n) * 13,
                        "author_video_count": posted,
                        "hashtag_names": ["fyp", user],
                        "run_id": f"run-{hour}",
                        "source": "foryou",
                        "scraped_at": at,
                    }
                )
    (data / "videos.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (data / "comments.jsonl").write_text(json.dumps({"id": "9", "video_id": "7600", "text": "lovely", "username": "zed"}) + "\n")
    (data / "ocr.jsonl").write_text(json.dumps({"id": "7600", "ocr_text": "SALE"}) + "\n")


def test_metadata_describes_every_table_and_column(tmp_path: Path) -> None:
    snapshots(tmp_path)
    db.build(tmp_path)
    described = metadata(tmp_path / "tiktok.db")["databases"]["tiktok"]["tables"]
    con = sqlite3.connect(tmp_path / "tiktok.db")
    names = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite%'")]
    shown = [n for n in names if not re.fullmatch(r"search_(data|idx|content|docsize|config)", n)]  # FTS5's own tables
    for name in shown:
        if described[name].get("hidden"):
            continue
        assert described[name]["title"] and described[name]["description"], name
        cols = [row[1] for row in con.execute(f'PRAGMA table_info("{name}")')]
        assert all(described[name]["columns"].get(c) for c in cols), (name, [c for c in cols if not described[name]["columns"].get(c)])
    assert (
        described["videos"]["columns"]["like_count"]
        == "likes [count] (web JSON: statsV2.diggCount or stats.diggCount; Research API: like_count)"
    )
    facets = described["search_results"]["facets"]
    assert facets == [{"array": "hashtag_names"}, "kind", "username", "music_title", "run_id"]  # no persona column: no persona facet


def plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as Datasette's JSON gives them: times as the ISO text they were stored as, no NaN, and
    floats to 9 places (SQLite and pandas sum in different orders)."""

    def value(v: Any) -> Any:
        if isinstance(v, pd.Timestamp):
            return v.strftime("%Y-%m-%dT%H:%M:%SZ")
        if v is None or v is pd.NA or v != v:
            return None
        return round(v, 9) if isinstance(v, float) else v

    return [{k: value(v) for k, v in row.items()} for row in rows]


async def test_canned_queries_answer_as_the_study_functions(tmp_path: Path) -> None:
    snapshots(tmp_path)
    db.build(tmp_path)
    ds = datasette(tmp_path)
    await ds.invoke_startup()
    videos = load(tmp_path, "videos")
    for name in SQL:
        path = f"/tiktok/{name}.json?_shape=array" + ("&video_id=7611" if name == "engagement_over_time" else "")
        response = await ds.client.get(path)
        assert response.status_code == 200, (name, response.text)
        got = plain(response.json())
        table = study.engagement_over_time(videos, ["7611"]) if name == "engagement_over_time" else getattr(study, name)(videos)
        assert got == plain(table.to_dict("records")), name
        assert len(got) > 1, name
    hits = (await ds.client.get("/tiktok/ranked_search.json?_shape=array&words=sale")).json()
    assert [(h["kind"], h["id"]) for h in hits] == [("video", "7600")]  # cover text from ocr.jsonl is searched
    page = (await ds.client.get("/tiktok/search_results.json?_search=lovely&_shape=objects")).json()
    assert [(r["kind"], r["username"], r["video_id"]) for r in page["rows"]] == [("comment", "zed", "7600")]


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def documents(data: Path) -> dict[tuple[str, str], tuple[set[str], list[str]]]:
    """Each searchable document of a crawl, (kind, id) -> (its words, its video's hashtags)."""
    videos: dict[str, dict[str, Any]] = {}
    for line in (data / "videos.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        videos[record["id"]] = record
    docs = {}
    for vid, v in videos.items():
        text = " ".join(
            [v.get("video_description") or "", " ".join(v.get("hashtag_names") or []), v.get("transcript") or "", v["username"]]
        )
        docs[("video", vid)] = (words(text), v.get("hashtag_names") or [])
    for line in (data / "comments.jsonl").read_text(encoding="utf-8").splitlines():
        c = json.loads(line)
        docs[("comment", c["id"])] = (words(c.get("text") or ""), videos.get(c["video_id"], {}).get("hashtag_names") or [])
    return docs


@pytest.mark.crawl
@pytest.mark.browser
def test_browse_in_chromium_searches_facets_and_shows_covers(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tiktok.settings import PLAYWRIGHT_LAUNCH_OPTIONS

    data = tmp_path / "data"
    with running_simulator("--clock-speed", "0.000001") as base:
        ids = truth(base, "hashtag/london")["video_ids"][:4]
        done = crawl("video", base, data, "-a", f"ids={','.join(ids)}", "-a", "comments=5", "-s", "DOWNLOAD_DELAY=0",
                     "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "TIKTOK_OCR_ENABLED=False")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    docs = documents(data)
    # a word of a comment, and a hashtag some documents have and others not
    word = next(w for (kind, _), (ws, _) in docs.items() if kind == "comment" for w in sorted(ws) if not w.isdigit())
    found = {key for key, (ws, _) in docs.items() if word in ws}
    counts = pd.Series([tag for _, tags in docs.values() for tag in set(tags)]).value_counts()
    tag = next(t for t, n in counts.items() if n < len(docs))
    tagged = {key for key, (_, tags) in docs.items() if tag in tags}

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tiktok", "browse", str(data), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().endswith(f"added to {data / 'tiktok.db'}\n")
        assert server.stdout.readline() == f"browse at http://127.0.0.1:{port}/tiktok (Ctrl-C stops)\n"
        home = f"http://127.0.0.1:{port}"
        wait_for(home + "/-/versions.json")
        with sync_playwright() as p:
            browser = p.chromium.launch(**cast(dict[str, Any], PLAYWRIGHT_LAUNCH_OPTIONS))
            try:
                page = browser.new_page()
                page.goto(home + "/tiktok/search_results")
                page.fill("#_search", word)
                with page.expect_navigation():
                    page.press("#_search", "Enter")
                rows = page.locator("table.rows-and-columns tbody tr")
                shown = {(r.locator("td.col-kind").inner_text(), r.locator("td.col-id").inner_text()) for r in rows.all()}
                assert shown == found

                cover = page.locator("td.col-cover_path img").first
                cover.wait_for()
                page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=cover.element_handle())
                src = str(cover.get_attribute("src"))
                stored = data / src.lstrip("/")
                assert src.startswith("/media/cover/") and stored.is_file()
                assert page.request.get(home + src).body() == stored.read_bytes()

                page.goto(home + "/tiktok/search_results")
                with page.expect_navigation():
                    page.locator("#facet-hashtag_names a", has_text=re.compile(f"^{re.escape(tag)}$")).click()
                assert "hashtag_names__arraycontains=" in page.url
                shown = {(r.locator("td.col-kind").inner_text(), r.locator("td.col-id").inner_text()) for r in rows.all()}
                assert shown == tagged
            finally:
                browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        _, errors = server.communicate(timeout=20)
    assert server.returncode == 0 and errors == ""  # Ctrl-C stops it cleanly, with no traceback


def test_a_port_in_use_or_a_bad_host_is_one_line_and_exit_2(tmp_path: Path) -> None:
    snapshots(tmp_path)
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "tiktok", "browse", str(tmp_path), "--port", str(port)], cwd=ROOT,
                              capture_output=True, text=True)  # fmt: skip
    refused = f"cannot listen on 127.0.0.1 port {port} (Address already in use): give another --port (see --help)"
    assert done.returncode == 2 and done.stderr == f"python -m tiktok browse: error: {refused}\n"
    assert not (tmp_path / "tiktok.db").exists()  # refused before anything is built
    done = subprocess.run([sys.executable, "-m", "tiktok", "browse", str(tmp_path), "--host", "example.org"], cwd=ROOT,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1 and "give an IP address to listen on" in done.stderr
