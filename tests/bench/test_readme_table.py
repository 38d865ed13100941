"""The README's benchmark table comes from one `make bench` log: every RESULT line a row, the run's
time and machine above it, failed benchmarks named, and nothing outside its markers touched."""

from __future__ import annotations

import pytest

from bench.readme_table import BEGIN, END, replace_block, table
from bench.results import result

LOG = "\n".join(
    [
        "BENCH-RUN started 2026-11-30 17:50 UTC on box: 2 cores (Xeon), 24 GiB memory",
        "== bench.ocr",
        "OCR of 80 covers ...",
        result("ocr.2_workers", "83.6 covers/s, 97.0% of words", "pytesseract 9.7 covers/s", 8.62, ">= 20/s and >= 95%", True),
        "== bench.scale",
        result("scale.video.4w", "2.9 items/s", "1 worker 1.0 items/s", 2.9, ">= 3.2 x", False),
        "BENCH-FAILED bench.truth_scenario exited 1",
    ]
)


def test_each_result_line_is_a_row_under_the_run_it_came_from() -> None:
    block = table(LOG)
    assert block.startswith(BEGIN) and block.endswith(END)
    assert "One `make bench` run, started 2026-11-30 17:50 UTC on box: 2 cores (Xeon), 24 GiB memory:" in block
    assert "| `ocr.2_workers` | 83.6 covers/s, 97.0% of words | pytesseract 9.7 covers/s | 8.62 x | >= 20/s and >= 95%: **met** |" in block
    assert "| `scale.video.4w` | 2.9 items/s | 1 worker 1.0 items/s | 2.90 x | >= 3.2 x: **MISSED** |" in block
    assert block.count("\n| `") == 2
    assert "exited non-zero in this run: bench.truth_scenario exited 1." in block


def test_only_the_block_between_the_markers_changes() -> None:
    readme = f"# Title\n\nbefore\n{BEGIN}\nold table\n{END}\nafter\n"
    new = replace_block(readme, table(LOG))
    assert new.startswith("# Title\n\nbefore\n") and new.endswith("\nafter\n") and "old table" not in new
    assert replace_block(new, table(LOG)) == new  # a second run with the same log changes nothing


def test_a_log_without_results_or_a_readme_without_markers_is_one_line() -> None:
    with pytest.raises(SystemExit, match="holds no RESULT line"):
        table("BENCH-RUN started now\n== bench.ocr\nTraceback ...")
    with pytest.raises(SystemExit, match="lacks one pair of bench-table markers"):
        replace_block("# no markers\n", table(LOG))
