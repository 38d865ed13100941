"""`python -m tiktok` commands, run in-process: what they print, and how they refuse bad input."""

from __future__ import annotations

import pytest

from tiktok.__main__ import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m tiktok ARGV`; argparse's exits count as exit codes."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
