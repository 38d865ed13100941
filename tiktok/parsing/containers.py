"""The containers TikTok data is saved in, opened by their content, never by their name (issue #12).

`unpack(data)` returns the captured answers inside: HAR files (a browser's network panel or
Playwright's `record_har_path`, bodies as text, base64 or attached files in its zip form), WARC and
WACZ web archives, and gzip or zip of any of these. Each answer keeps its URL and its capture time
(the HAR entry's startedDateTime, the record's WARC-Date). A file that is no container is one answer
of its own, for `parse_any`. Damaged input yields what could be read and a reason; it never raises.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import attrs
from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped]

from tiktok.parsing.values import as_dict, as_list, get, iso_from_unix

GZIP = b"\x1f\x8b"
ZIP = b"PK\x03\x04"
WARC = re.compile(rb"WARC/1\.[01]\r?\n")
HAR = re.compile(rb'\s*\{\s*"log"\s*:')  # every HAR writer puts `log`, its only key, first
BLANK = b"\xef\xbb\xbf \t\r\n"
MAX_DEPTH = 4  # gzip of a zip of a WARC.gz is three deep; more is a loop or a bomb


@attrs.define(frozen=True)
class Record:
    """One captured answer; `url` and `captured_at` (ISO 8601 UTC) when the container says them."""

    body: bytes
    url: str | None = None
    captured_at: str | None = None


@attrs.define
class Unpacked:
    """The answers found in a file, what kind of container held them, and why any were lost."""

    kinds: list[str] = attrs.field(factory=list)  # outermost first, e.g. ["gzip", "warc"]
    records: list[Record] = attrs.field(factory=list)
    problems: list[str] = attrs.field(factory=list)

    @property
    def format(self) -> str:
        return "+".join(self.kinds) or "data"

    def kind(self, name: str) -> None:
        if name not in self.kinds:
            self.kinds.append(name)


def unpack(data: bytes) -> Unpacked:
    out = Unpacked()
    try:
        open_into(out, data, "", 0)
    except Exception as exc:  # a last guard: report, never raise out of a parser
        out.problems.append(f"cannot be opened: {type(exc).__name__}: {exc}")
    return out


def at(where: str, message: str) -> str:
    """A problem, prefixed with the file inside the container it is about (none for the file itself)."""
    return f"{where}: {message}" if where else message


def inside(where: str, member: str) -> str:
    return f"{where}!{member}" if where else member


def open_into(out: Unpacked, data: bytes, where: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        out.problems.append(at(where, f"containers nested more than {MAX_DEPTH} deep; not opened"))
    elif data.startswith(GZIP):
        out.kind("gzip")
        inner, whole = gunzip(data)
        if not whole:
            out.problems.append(at(where, "the gzip data is cut short or damaged; read what came before"))
        open_into(out, inner, where, depth + 1)
    elif data.startswith(ZIP):
        read_zip(out, data, where, depth)
    elif WARC.match(data):
        read_warc(out, data, where)
    elif HAR.match(data[:4096].lstrip(BLANK)):
        read_har(out, data, where, None)
    elif looks_like_data(data):
        out.records.append(Record(data))
    else:
        head = data.lstrip(BLANK)[:24].decode("utf-8", "replace")
        out.problems.append(at(where, f"not TikTok data, nor a HAR, WARC, WACZ, gzip or zip holding it (it begins {head!r})"))


def looks_like_data(data: bytes) -> bool:
    """What `parse_any` reads: JSON, NDJSON, HTML or a page fragment with a whole script (the 2020
    sample starts mid-text), and empty input, which it explains. A note that only names a script
    tag is not a page."""
    start = data.lstrip(BLANK)[:1]
    head = data[:200_000]
    return start in (b"", b"{", b"[", b"<") or (b"<script" in head and b"</script>" in data)


def gunzip(data: bytes) -> tuple[bytes, bool]:
    """All gzip members (a WARC.gz is one per record); False when the data is cut short or damaged."""
    parts = []
    while data.startswith(GZIP):
        stream = zlib.decompressobj(wbits=31)
        try:
            parts.append(stream.decompress(data))
        except zlib.error:
            return b"".join(parts), False
        if not stream.eof:
            parts.append(stream.flush())
            return b"".join(parts), False
        data = stream.unused_data
    return b"".join(parts), True


def read_zip(out: Unpacked, data: bytes, where: str, depth: int) -> None:
    """WACZ: the WARC files under archive/ (datapackage.json says it is one). Playwright's HAR zip: the
    HAR, its bodies in the zip's other files. Any other zip: each file in it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        out.problems.append(at(where, f"a damaged zip archive ({exc})"))
        return
    with archive:
        names = [i.filename for i in archive.infolist() if not i.is_dir()]
        if "datapackage.json" in names:
            out.kind("wacz")
            warcs = [n for n in names if n.startswith("archive/")]
            if not warcs:
                out.problems.append(at(where, "a WACZ without WARC files under archive/"))
            for n in warcs:
                open_into(out, archive.read(n), inside(where, n), depth + 1)
            return
        hars = [n for n in names if HAR.match(archive.open(n).read(4096).lstrip(BLANK))]
        if hars:
            out.kind("zip")

            def attached(ref: str) -> bytes | None:
                return archive.read(ref) if ref in names else None

            for n in hars:
                read_har(out, archive.read(n), inside(where, n), attached)
            return
        out.kind("zip")
        for n in names:
            open_into(out, archive.read(n), inside(where, n), depth + 1)


def read_har(out: Unpacked, data: bytes, where: str, attached: Callable[[str], bytes | None] | None) -> None:
    """Every page and JSON answer in a HAR (HAR 1.2: log.entries[].response.content)."""
    out.kind("har")
    try:
        har = json.loads(data)
    except ValueError as exc:
        out.problems.append(at(where, f"a HAR file that is not valid JSON ({exc}); cut short?"))
        return
    entries = get(har, "log", "entries")
    if not isinstance(entries, list):
        out.problems.append(at(where, "a HAR file without log.entries"))
        return
    unsaved = 0
    for entry in entries:
        response = as_dict(get(entry, "response"))
        content = as_dict(response.get("content"))
        status = response.get("status")
        if isinstance(status, int) and 300 <= status < 400:  # a redirect carries no data
            continue
        mime = str(content.get("mimeType") or har_header(response, "content-type") or "")
        if mime and not is_data_type(mime):
            continue
        body = har_body(content, attached)
        if body is None:
            unsaved += 1
            continue
        if mime or looks_like_data(body):
            url = get(entry, "request", "url")
            out.records.append(Record(body, url if isinstance(url, str) else None, iso_time(entry.get("startedDateTime"))))
    if unsaved:
        out.problems.append(at(where, f"{unsaved} answers were saved without their body; export the HAR with content"))


def har_header(response: dict[str, Any], name: str) -> Any:
    for header in as_list(response.get("headers")):
        if str(get(header, "name")).lower() == name:
            return get(header, "value")
    return None


def har_body(content: dict[str, Any], attached: Callable[[str], bytes | None] | None) -> bytes | None:
    """The body as sent: `text` (base64 when `encoding` says so), or Playwright's attached `_file`;
    None when the HAR did not keep it."""
    text = content.get("text")
    if isinstance(text, str):
        if content.get("encoding") == "base64":
            try:
                return base64.b64decode(text, validate=False)
            except (binascii.Error, ValueError):
                return None
        return text.encode("utf-8")
    ref = content.get("_file")
    if isinstance(ref, str) and attached is not None:
        return attached(ref)
    return b"" if content.get("size") == 0 else None


def read_warc(out: Unpacked, data: bytes, where: str) -> None:
    """Response and resource records; their bodies as served (chunking and gzip undone by warcio)."""
    out.kind("warc")
    read = 0
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            read += 1
            if record.rec_type not in ("response", "resource"):
                continue
            mime = record.rec_headers.get_header("Content-Type") or ""
            if record.rec_type == "response":
                if record.http_headers is None:
                    continue
                status = int(record.http_headers.get_statuscode() or 0)
                if 300 <= status < 400:  # a redirect carries no data
                    continue
                mime = record.http_headers.get_header("Content-Type") or ""
            if mime and not is_data_type(mime):
                continue
            body = record.content_stream().read()
            if getattr(record.raw_stream, "limit", 0) > 0:  # the file ended inside this record's block
                raise EOFError("the last record is incomplete")
            if mime or looks_like_data(body):
                url = record.rec_headers.get_header("WARC-Target-URI")
                out.records.append(Record(body, url, iso_time(record.rec_headers.get_header("WARC-Date"))))
    except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error) as exc:
        out.problems.append(at(where, f"the WARC is cut short or damaged after {read} records ({exc})"))


def is_data_type(mime: str) -> bool:
    """Pages and JSON answers; not scripts, styles, images or media."""
    mime = mime.lower()
    return "json" in mime or "html" in mime or mime.startswith("text/plain")


def iso_time(value: Any) -> str | None:
    """An ISO 8601 time with any offset (HAR startedDateTime, WARC-Date) as UTC whole seconds."""
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return iso_from_unix((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())
