"""`python -m tiktok hashtags|report` and the notebooks, on the data crawled over eight hours."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

import tiktok.analysis as ta
from tests.analysis.conftest import Crawled
from tests.helpers.sim_process import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.crawl]  # the data comes from browser crawls (conftest.py)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def tiktok_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tiktok", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_hashtags_command_prints_the_table_and_draws_the_chart(crawled: Crawled, tmp_path: Path) -> None:
    result = tiktok_cli(
        "hashtags", str(crawled.data / "videos.jsonl"), "--top", "5", "--source", "hashtag:fyp", "--plot", str(tmp_path / "h.png")
    )
    assert result.returncode == 0, result.stderr
    table = ta.top_hashtags(ta.load(crawled.data, "videos"), 5, "hashtag:fyp")
    lines = result.stdout.splitlines()
    assert lines[0] == f"{table.attrs['posts']:,} posts collected by hashtag:fyp; top 5 hashtags besides #fyp:"
    rows = [line.split() for line in lines[2:7]]
    assert rows == [[f"#{h}", str(n), f"{r * 100:.1f}%"] for h, n, r in zip(table["hashtag"], table["posts"], table["ratio"], strict=True)]
    assert (tmp_path / "h.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hashtags", "nowhere/videos.jsonl"], "nowhere/videos.jsonl is not a file: give a videos.jsonl a crawl wrote"),
        (["hashtags", "{data}/videos.jsonl", "--source", "hashtag:nope"], "no videos from source 'hashtag:nope'"),
        (["report", "nowhere", "out"], "nowhere: no such folder: give the DATA_DIR a crawl wrote"),
        (["report", "{data}", "out", "--top", "0"], "argument --top: '0': give a whole number from 1 to 10,000"),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(crawled: Crawled, args: list[str], message: str) -> None:
    result = tiktok_cli(*(a.format(data=crawled.data) for a in args))
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr


def test_report_writes_every_table_and_figure(crawled: Crawled, tmp_path: Path) -> None:
    result = tiktok_cli("report", str(crawled.data), str(tmp_path))
    assert result.returncode == 0, result.stderr
    pngs = {p.name for p in tmp_path.glob("*.png")}
    assert pngs == {
        "hashtags.png",
        "hashtags_fyp.png",
        "viral_videos.png",
        "viral_sounds.png",
        "viral_creators.png",
        "viral_follower_correlation.png",
        "posting_frequency.png",
        "network_degrees.png",
        "hashtag_totals.png",  # #fyp read in the first and the last hour
    }
    csvs = {p.name for p in tmp_path.glob("**/*.csv")}
    assert {"viral_videos.csv", "network_summary.csv", "wrapped_counts.csv", "unique_counts.csv", "engagement_over_time.csv"} <= csvs
    assert (tmp_path / "network.gexf").exists() and (tmp_path / "network.graphml").exists()
    viral = ta.viral_videos(ta.load(crawled.data, "videos"))
    assert f"viral videos (peak likes/hour at 1,000x the median video's or more, from {viral.attrs['threshold']:,.0f}/h): " in result.stdout
    assert "hashtag totals over time (first to last reading): #fyp " in result.stdout and "(2 readings)" in result.stdout
    assert "36 files written" in result.stdout


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_and_every_figure_renders(crawled: Crawled, notebook: Path, tmp_path: Path) -> None:
    out = tmp_path / notebook.name
    papermill.execute_notebook(
        notebook, out, parameters={"data_dir": str(crawled.data)}, cwd=notebook.parent, progress_bar=False, kernel_name="python3"
    )
    book = nbformat.read(out, as_version=4)  # type: ignore[no-untyped-call]
    code = [c for c in book.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    charts = ("ta.figures.", "ta.audit_charts.")
    figure_cells = [c for c in code if c.source.strip().splitlines()[-1].startswith(charts)]  # a chart is the cell's value
    for cell in figure_cells:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), f"no figure from: {cell.source[:80]}"
    imports = {line.strip() for c in code for line in c.source.splitlines() if line.lstrip().startswith(("import ", "from "))}
    assert figure_cells and imports == {"import tiktok.analysis as ta"}


def test_there_are_the_five_notebooks() -> None:
    assert [n.stem for n in NOTEBOOKS] == ["audit", "hashtags", "network", "search", "virality"]
