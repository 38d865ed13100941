"""`scrapy crawl research_videos` against the simulator's Research API: every matching video, with
as few requests as the pages need, through faults, the daily quota and a kill -9."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.sim_process import ROOT, running_simulator

pytestmark = pytest.mark.crawl

QUERY = {"and": [{"field_name": "hashtag_name", "operation": "IN", "field_values": ["london", "fyp"]}]}
SECRET = "sim-demo-secret"
ENV = {**os.environ, "TIKTOK_CLIENT_KEY": "sim-demo-key", "TIKTOK_CLIENT_SECRET": SECRET}


@pytest.fixture
def query_file(tmp_path: Path) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(
        "name: london-fyp\n# every video with #london or #fyp, 1 April to 24 May 2026 (a week clear of the API's 48-hour lag)\nquery:\n"
        "  or:\n    - {field_name: hashtag_name, operation: IN, field_values: [london, fyp]}\n"
        "start: 2026-04-01\nend: 2026-05-24\nmax_count: 20\n",
        encoding="utf-8",
    )
    return path


def control(base: str, path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode() if body is not None else None, method="POST" if body is not None else "GET"
    )
    with urllib.request.urlopen(request) as resp:
        return json.load(resp)


def expected(base: str) -> list[str]:
    answer = control(
        base, "/__sim__/truth/research/video_query", {"query": {"or": QUERY["and"]}, "start_date": "20260401", "end_date": "20260524"}
    )
    return list(answer["video_ids"])


def window_sizes(base: str) -> list[int]:
    return [
        len(
            control(base, "/__sim__/truth/research/video_query", {"query": {"or": QUERY["and"]}, "start_date": s, "end_date": e})[
                "video_ids"
            ]
        )
        for s, e in (("20260401", "20260430"), ("20260501", "20260524"))
    ]


def crawl(base: str, data: Path, query: Path, *args: str, env: dict[str, str] = ENV) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "research_videos",
        "-a",
        f"query={query}",
        "-s",
        f"DATA_DIR={data}",
        "-s",
        f"TIKTOK_API_URL={base}",
        *args,
    ]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)


def stored(data: Path) -> list[str]:
    return [json.loads(line)["id"] for line in (data / "videos.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def simulator() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.000001") as base:
        yield base


def test_every_video_with_the_fewest_requests(simulator: str, tmp_path: Path, query_file: Path) -> None:
    result = crawl(simulator, tmp_path, query_file)
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(stored(tmp_path)) == sorted(expected(simulator))
    served = control(simulator, "/__sim__/counters")["/v2/research/video/query/"]
    assert served == sum(max(1, math.ceil(n / 20)) for n in window_sizes(simulator))  # no wasted page


def test_complete_through_flaky_faults(tmp_path: Path, query_file: Path) -> None:
    with running_simulator("--clock-speed", "0.000001", "--faults", "flaky") as base:
        control(
            base, "/__sim__/faults", {"invalid_cursor": 0.3, "search_id_expired": 0.2, "server_error": 0.1, "rate_limit": 0.1, "slow": 0}
        )
        result = crawl(base, tmp_path, query_file)
        injected = control(base, "/__sim__/faults")["injected"]
        assert result.returncode == 0, result.stderr[-2000:]
        ids = stored(tmp_path)
        assert sorted(set(ids)) == sorted(expected(base)) and Counter(ids).most_common(1)[0][1] == 1
    assert sum(injected.values()) >= 3, injected


def test_stops_at_the_daily_quota_and_resumes_after_midnight(simulator: str, tmp_path: Path, query_file: Path) -> None:
    control(simulator, "/__sim__/quota", {"research_requests": 4})
    first = crawl(simulator, tmp_path, query_file)
    assert first.returncode == 4  # the `quota` verdict (issue #13; it was 0)
    runs = [json.loads(line) for line in (tmp_path / "runs.jsonl").read_text(encoding="utf-8").splitlines()]
    (run,) = [r for r in runs if r.get("event") == "ended"]  # runs.jsonl now has a `started` line too
    assert run["verdict"] == "quota"
    assert run["finish_reason"].startswith("daily quota reached: progress saved; run the same command after")
    control(simulator, "/__sim__/clock", {"advance": 86400})  # the simulated midnight passes
    control(simulator, "/__sim__/quota", {"research_requests": 1000})
    second = crawl(simulator, tmp_path, query_file)
    assert second.returncode == 0
    ids = stored(tmp_path)
    assert sorted(ids) == sorted(expected(simulator)) and len(ids) == len(set(ids))


def test_kill_9_resumes_without_wasted_requests(simulator: str, tmp_path: Path, query_file: Path) -> None:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "research_videos", "-a", f"query={query_file}", "-s", f"DATA_DIR={tmp_path}"]
    cmd += ["-s", f"TIKTOK_API_URL={simulator}", "-s", "DOWNLOAD_DELAY=1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    videos = tmp_path / "videos.jsonl"
    while not (videos.exists() and len(videos.read_bytes().splitlines()) >= 20):
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = control(simulator, "/__sim__/counters")["/v2/research/video/query/"]
    stored_before = len(set(stored(tmp_path)))
    result = crawl(simulator, tmp_path, query_file)
    assert result.returncode == 0
    ids = stored(tmp_path)
    assert sorted(ids) == sorted(expected(simulator)) and len(ids) == len(set(ids))
    after = control(simulator, "/__sim__/counters")["/v2/research/video/query/"] - before
    remaining = len(ids) - stored_before
    assert after <= math.ceil(remaining / 20) + 2  # the pages left, plus the one in flight (and a window's last page)


def test_rejected_or_missing_credentials_exit_2_and_never_show_the_secret(simulator: str, tmp_path: Path, query_file: Path) -> None:
    wrong = crawl(simulator, tmp_path, query_file, env={**ENV, "TIKTOK_CLIENT_SECRET": "wrong-secret-value"})
    assert wrong.returncode == 2 and "refused the client credentials (invalid_client)" in wrong.stderr
    assert "wrong-secret-value" not in wrong.stderr + wrong.stdout + (tmp_path / "runs.jsonl").read_text(encoding="utf-8")
    missing = crawl(simulator, tmp_path, query_file, env={k: v for k, v in ENV.items() if not k.startswith("TIKTOK_CLIENT")})
    assert missing.returncode == 2 and "set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET" in missing.stderr
    good = crawl(simulator, tmp_path / "good", query_file)
    everything = good.stderr + good.stdout + "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "good").rglob("*.json*"))
    assert SECRET not in everything and "clt." not in everything  # neither the secret nor a token


def test_plan_sends_nothing(simulator: str, tmp_path: Path, query_file: Path) -> None:
    result = crawl(simulator, tmp_path, query_file, "-a", "plan=1", env={k: v for k, v in ENV.items() if not k.startswith("TIKTOK_CLIENT")})
    assert result.returncode == 0 and "2 windows of at most 30 days, 2 not done" in result.stdout and "Nothing was sent." in result.stdout
    assert control(simulator, "/__sim__/counters").get("/v2/research/video/query/", 0) == 0
    ended = json.loads((tmp_path / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert ended["purpose"] == "plan" and ended["items"] == {}  # logged as a plan, not as a collection run
