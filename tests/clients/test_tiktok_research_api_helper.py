"""CybersecurityForDemocracy's client (PyPI tiktok-research-api-helper 0.1.3): its `run` command
stores videos, user info and comments into its own SQLite database, from the simulator.

Its first page sends `"cursor": null, "search_id": null` and its schema declares every user-info
field NOT NULL: both work only because the simulator reads null as "not given" and keeps empty
strings, as the real API does (issue 12; this client's real captures are in our fixtures).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tiktok_research_api_helper.cli.main import APP  # type: ignore[import-untyped]
from typer.testing import CliRunner

from tests.clients.conftest import truth, truth_query
from tiktok.simulator.state import DEMO_CLIENT_KEY, DEMO_CLIENT_SECRET
from tiktok.simulator.world import World

pytestmark = pytest.mark.crawl

LONDON = {"or": [{"field_name": "hashtag_name", "operation": "IN", "field_values": ["london"]}]}


def test_run_stores_videos_user_info_and_comments(requests_to_simulator: str, tmp_path: Path) -> None:
    base = requests_to_simulator
    credentials = tmp_path / "secrets.yaml"
    credentials.write_text(f"client_key: {DEMO_CLIENT_KEY}\nclient_secret: {DEMO_CLIENT_SECRET}\n")
    db = tmp_path / "crawl.db"
    args = ["run", "20260501", "20260530", "--db-file", str(db), "--api-credentials-file", str(credentials)]
    args += ["--include-any-hashtags", "london", "--fetch-user-info", "--fetch-comments", "--max-days-per-query", "30"]
    result = CliRunner().invoke(APP, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output

    con = sqlite3.connect(db)
    stored = {str(i): row for i, *row in con.execute("SELECT id, username, video_description, like_count, view_count FROM video")}
    # The client's windows are [start, start + 30 days] with end_date NOT inclusive in its view;
    # the API's end_date is inclusive, so one query 20260501-20260530 covers exactly these days.
    expected = truth_query(base, LONDON, "20260501", "20260530")
    assert sorted(stored) == sorted(expected) and expected
    for vid in expected[:5]:
        t = truth(base, f"video/{vid}")
        assert stored[vid] == [t["author"], t["description"], t["counts"]["likes"] or None, t["counts"]["views"]]

    world = World(7, "small")
    users = {
        name: (bio, followers) for name, bio, followers in con.execute("SELECT username, bio_description, follower_count FROM user_info")
    }
    creators = {truth(base, f"video/{vid}")["author"] for vid in expected}
    shown = {n for n in creators if not (truth(base, f"user/{n}")["private"] or truth(base, f"user/{n}")["refused"])}
    assert set(users) == shown
    for name, (bio, followers) in users.items():
        u = world.user_by_name(name)
        assert u is not None and bio == world.bio(u)[0] and followers == truth(base, f"user/{name}")["stats"]["followers"]

    comments = {str(i): (str(video), text) for i, video, text in con.execute("SELECT id, video_id, text FROM comment")}
    wanted = {
        c["id"]: (vid, c["text"]) for vid in expected for c in truth(base, f"video/{vid}/comments")[:1000] if c["parent_comment_id"] == vid
    }
    assert comments == wanted and any(text == "" for _, text in comments.values())
