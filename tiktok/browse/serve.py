"""Serve DATA_DIR/tiktok.db with Datasette, in this process: the metadata, the cover plugin and the
media/ folder are given to it directly, so nothing is written beside the data."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import uvicorn
from datasette.app import Datasette  # type: ignore[import-untyped]
from datasette.plugins import pm  # type: ignore[import-untyped]

from tiktok.browse import plugin
from tiktok.browse.metadata import metadata

# Canned queries and facets over a large crawl take longer than Datasette's defaults (1 s, 0.2 s).
SETTINGS = {"sql_time_limit_ms": 10_000, "facet_time_limit_ms": 2_000}


def datasette(data_dir: Path) -> Datasette:
    """The Datasette of DATA_DIR/tiktok.db (which `db.build` made)."""
    if not pm.is_registered(plugin):
        pm.register(plugin, name="tiktok-covers")
    database = data_dir / "tiktok.db"
    media = data_dir / "media"
    mounts = [("media", str(media))] if media.is_dir() else []
    return Datasette([str(database)], metadata=metadata(database), static_mounts=mounts, settings=SETTINGS)


def serve(data_dir: Path, host: str, port: int) -> None:
    """Until Ctrl-C (or SIGTERM, which ends the process as the signal does after the same graceful
    stop): uvicorn raises the Ctrl-C again once stopped, which is the end asked for, not an error."""
    ds = datasette(data_dir)
    asyncio.run(ds.invoke_startup())
    try:
        uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
    except KeyboardInterrupt:
        return


def cannot_listen(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (held by another server, an address not of this
    machine), tried as uvicorn will bind it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None
