"""Datasette plugin: a stored cover (`cover_path`, media/covers/<id>.jpg under DATA_DIR) is shown
as the image itself, served from the `media` static mount `serve` adds."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape
from pluggy import HookimplMarker

hookimpl = HookimplMarker("datasette")  # what datasette.hookimpl is, but typed (Datasette ships no types)


@hookimpl
def render_cell(value: Any, column: str, datasette: Any) -> Markup | None:
    if column != "cover_path" or not isinstance(value, str) or not value.startswith("media/"):
        return None
    src = datasette.urls.path("/" + quote(value))
    return Markup(f'<img src="{escape(src)}" alt="cover {escape(value)}" loading="lazy" style="max-height: 160px">')
