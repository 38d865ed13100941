"""`python -m tiktok.simulator` as a user runs it: one clear line and exit 2 on bad input, a clean
stop on Ctrl-C, and the `make demo` tour working against it with curl."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tiktok.simulator", *args], capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--colour", "red"], "unrecognized arguments: --colour red"),
        (["--seed", "abc"], "argument --seed: 'abc' is not a whole number"),
        (["--seed", "-3"], "argument --seed: -3 is negative"),
        (["--world", "huge"], "argument --world: invalid choice: 'huge'"),
        (["--clock-speed", "0"], "argument --clock-speed: 0.0 must be above 0"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_occupied_port_is_one_line_and_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_cli("--port", str(port))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"python -m tiktok.simulator: error: port {port} on 127.0.0.1 is in use; choose another with --port"
    ]


def test_serves_and_stops_cleanly_on_ctrl_c() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tiktok.simulator", "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/__sim__/", timeout=2) as resp:
                    assert resp.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the simulator did not answer within 20 s"
                time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "sim-demo-secret" in out and out.rstrip().endswith("simulator stopped")


@pytest.mark.browser
def test_demo_tours_crawls_and_analyses(tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed (make setup installs it)")
    data, report = tmp_path / "data", tmp_path / "report"
    env = {**os.environ, "PORT": str(free_port()), "PY": sys.executable, "DEMO_SECONDS": "0"}
    env |= {"DEMO_DATA": str(data), "DEMO_REPORT": str(report), "DEMO_HOURS": "2"}  # tests/analysis/ crawls eight hours
    result = subprocess.run(["bash", "scripts/demo.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    assert '"code": "ok"' in result.stdout and "HTTP 200, 0 bytes" in result.stdout
    assert "public videos, newest" in result.stdout and "simulator stopped" in result.stdout
    assert re.search(r"#london: 20 of \d+ videos TikTok reports \(\d+%\), stopped: limit", result.stdout)
    assert f"videos:   {data}/videos.jsonl (100 lines" in result.stdout  # 2 hourly runs of 40 from the feed, 20 from #london
    assert f"run log:  {data}/runs.jsonl (4 runs, each with its verdict)" in result.stdout
    assert "viral videos (peak likes/hour at 1,000x the median video's or more" in result.stdout and "follow network:" in result.stdout
    assert {"hashtags.png", "viral_videos.png", "viral_sounds.png", "viral_creators.png", "network_degrees.png"} <= {
        p.name for p in report.glob("*.png")
    }
    ran = sorted(p.name for p in (report / "notebooks").glob("*.ipynb"))
    assert ran == ["audit.ipynb", "hashtags.ipynb", "network.ipynb", "search.ipynb", "virality.ipynb"]
    assert all('"image/png"' in p.read_text(encoding="utf-8") for p in (report / "notebooks").glob("*.ipynb"))
