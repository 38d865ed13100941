"""`make demo`'s checks before it starts anything (scripts/demo.sh with DEMO_CHECKS_ONLY=1): a port
something else holds is refused in one line with exit 2, and an old data folder is moved aside so
the demo starts from an empty one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.helpers.sim_process import ROOT, free_port


def checks(port: int, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORT": str(port), "PY": sys.executable, "DEMO_DATA": str(data), "DEMO_CHECKS_ONLY": "1"}
    return subprocess.run(["bash", "scripts/demo.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_a_port_held_by_another_program_is_refused_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = checks(port, data)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"make demo: error: port {port} on 127.0.0.1 is in use by something this demo did not start; stop it, or run make demo PORT=8801"
    ]
    assert data.is_dir() and sorted(tmp_path.iterdir()) == [data]  # refused before touching the data


def test_an_old_data_folder_is_moved_aside_whole(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "videos.jsonl").write_text('{"id": "1"}\n', encoding="utf-8")
    result = checks(free_port(), data)
    assert result.returncode == 0, result.stderr
    assert not data.exists()
    (old,) = tmp_path.glob("data.old-*")
    assert (old / "videos.jsonl").read_text(encoding="utf-8") == '{"id": "1"}\n'
    assert result.stdout.strip() == f"The previous {data}/ is kept as {old}/; this demo starts from an empty {data}/."
    assert checks(free_port(), data).stdout == ""  # nothing to move the next time
