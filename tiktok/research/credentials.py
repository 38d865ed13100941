"""Client credentials from the environment (TIKTOK_CLIENT_KEY, TIKTOK_CLIENT_SECRET), or from a
`.env` file in the working directory (git ignores it). Never from argv; never logged."""

from __future__ import annotations

import os
from pathlib import Path

KEY, SECRET = "TIKTOK_CLIENT_KEY", "TIKTOK_CLIENT_SECRET"


def dotenv(path: Path = Path(".env")) -> dict[str, str]:
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def credentials() -> tuple[str, str] | None:
    """(client key, client secret), the environment first, or None when either is missing."""
    file = dotenv()
    key, secret = os.environ.get(KEY) or file.get(KEY), os.environ.get(SECRET) or file.get(SECRET)
    return (key, secret) if key and secret else None
