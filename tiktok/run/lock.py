"""One writer per data directory: an exclusive `fcntl.flock` on DATA_DIR/.lock, held for the whole
run. Two runs appending to the same files would duplicate rows and spend the Research API quota
twice (issue #13). The lock file also names its holder, so a refused run can say who holds it; the
kernel drops the lock when the holder dies, even by kill -9, so a stale file never blocks.

The lock is per process and re-entrant: `scrapy crawl` takes it before anything is printed (so a
refusal is one line), and the run's extension takes it again for in-process crawls."""

from __future__ import annotations

import fcntl
import json
import os
import socket
from pathlib import Path
from typing import Any, TextIO

from tiktok.run.context import RunRefused

LOCK_NAME = ".lock"
_HELD: dict[Path, tuple[TextIO, int]] = {}  # data directory -> (open lock file, times taken in this process)


def usable_data_dir(value: str) -> Path:
    """DATA_DIR, made if missing, or RunRefused with one line saying what is wrong with it."""
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise RunRefused(f"the data directory {path} is a file; set TIKTOK_DATA_DIR (or -s DATA_DIR=...) to a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunRefused(f"cannot make the data directory {path} ({exc.strerror}); choose a writable place with TIKTOK_DATA_DIR") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise RunRefused(f"the data directory {path} is not writable; choose a writable place with TIKTOK_DATA_DIR")
    return path


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.key = data_dir.resolve()
        self.path = self.key / LOCK_NAME
        self.taken = False

    def acquire(self, holder: dict[str, Any]) -> None:
        """Takes the lock and writes `holder` into it, or raises RunRefused naming the holder."""
        if self.key in _HELD:
            file, times = _HELD[self.key]
            _HELD[self.key] = (file, times + 1)
            self.taken = True
            return
        try:
            file = self.path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise RunRefused(f"cannot lock the data directory {self.key} ({exc.strerror}); check its permissions") from None
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            text = file.read()
            file.close()
            raise RunRefused(
                f"{self.key} is in use by another run ({describe(text)}); wait for it to end, or use another TIKTOK_DATA_DIR"
            ) from None
        file.seek(0)
        file.truncate()
        file.write(json.dumps({**holder, "pid": os.getpid(), "host": socket.gethostname()}))
        file.flush()
        _HELD[self.key] = (file, 1)
        self.taken = True

    def release(self) -> None:
        if not self.taken:
            return
        self.taken = False
        file, times = _HELD[self.key]
        if times > 1:
            _HELD[self.key] = (file, times - 1)
        else:
            del _HELD[self.key]
            file.close()  # closing the descriptor releases the flock


def describe(text: str) -> str:
    try:
        holder = json.loads(text)
        return f"pid {holder['pid']} on {holder['host']}, spider {holder['spider']}, started {holder['started_at']}"
    except (ValueError, KeyError, TypeError):
        return "a run that has not written its name yet"
