"""One call for any TikTok format: `parse_any(text, ctx)` finds out what the text is and parses it.

HTML pages of three eras (§8.1) and their embedded state saved on its own, web API JSON (§8.4),
Research API JSON (§2-§3) and Zeeschuimer exports (NDJSON, or one pretty-printed record). Garbled,
truncated or unknown input yields no items and a reason; it never raises. Containers of these (HAR,
WARC, WACZ, gzip) are opened first by tiktok.parsing.containers.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tiktok.parsing import research, web
from tiktok.parsing.result import Context, ParseResult
from tiktok.parsing.values import as_dict, as_list, get, iso_from_unix, to_int

SCRIPT = r'<script[^>]*\bid="{}"[^>]*>(.*?)</script>'
UNIVERSAL = re.compile(SCRIPT.format("__UNIVERSAL_DATA_FOR_REHYDRATION__"), re.S)
SIGI = re.compile(SCRIPT.format("SIGI_STATE"), re.S)
SIGI_WINDOW = re.compile(r"window\['SIGI_STATE'\]\s*=\s*(\{.*?\});\s*window\['SIGI_RETRY'\]", re.S)
NEXT = re.compile(SCRIPT.format("__NEXT_DATA__"), re.S)
UNIVERSAL_PAGES = ("webapp.video-detail", "webapp.user-detail", "webapp.challenge-detail", "webapp.music-detail")


def parse_any(text: str | bytes, ctx: Context | None = None) -> ParseResult:
    ctx = ctx or Context()
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        text = text.lstrip("\ufeff")
        stripped = text.lstrip()
        if not stripped:
            return ParseResult(format="empty", problems=["empty input (an unsigned or blocked API call answers an empty body)"])
        if stripped.startswith("<") or "<script" in text[:200_000]:
            return parse_html(text, ctx)
        return parse_json_text(stripped, ctx)
    except Exception as exc:  # a last guard: report, never raise out of a parser
        return ParseResult(format="error", problems=[f"parser failed on this input: {type(exc).__name__}: {exc}"])


def parse_json_text(text: str, ctx: Context) -> ParseResult:
    try:
        body = json.loads(text)
    except ValueError as whole_error:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > 1:
            return parse_ndjson(lines, ctx)
        return ParseResult(format="unknown", problems=[f"not JSON or HTML ({whole_error}); a truncated answer?"])
    if isinstance(body, dict) and "source_platform" in body and "data" in body:
        return zeeschuimer([body], ctx, [])
    if not isinstance(body, dict):
        return ParseResult(format="unknown", problems=[f"JSON of an unknown shape (a {type(body).__name__})"])
    return parse_json(body, ctx)


def parse_ndjson(lines: list[str], ctx: Context) -> ParseResult:
    records, problems = [], []
    for n, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line))
        except ValueError:
            what = "the last line is truncated" if n == len(lines) else f"line {n} is not JSON"
            problems.append(f"{what}; it was skipped")
    if records and all(isinstance(r, dict) and "data" in r and "source_platform" in r for r in records):
        return zeeschuimer(records, ctx, problems)
    result = ParseResult(format="ndjson")
    for record in records:
        if isinstance(record, dict):
            sub = parse_json(record, ctx)
            result.items += sub.items
            result.missing += [m for m in sub.missing if m not in result.missing]
            result.problems += sub.problems
    result.problems = problems + result.problems
    return result


def zeeschuimer(records: list[Any], ctx: Context, problems: list[str]) -> ParseResult:
    """Zeeschuimer/4CAT export lines: {item_id, timestamp_collected (ms), source_url, data: item struct}."""
    result = ParseResult(format="zeeschuimer", problems=list(problems))
    for i, record in enumerate(records):
        if record.get("source_platform") not in ("tiktok.com", "tiktok"):
            result.problems.append(f"record {i + 1} is from {record.get('source_platform')!r}, not TikTok; skipped")
            continue
        collected = to_int(record.get("timestamp_collected"))
        sub_ctx = Context(source=ctx.source, scraped_at=iso_from_unix(collected / 1000) if collected else ctx.scraped_at)
        if isinstance(record.get("data"), dict):
            web.video_from_item(record["data"], sub_ctx, result, f"record[{i}].data")
    return result


def parse_json(body: dict[str, Any], ctx: Context) -> ParseResult:
    """Web API answers (item lists, details, comments, search), Research API answers, and a page's
    embedded state saved on its own."""
    if "error" in body and ("data" in body or isinstance(body.get("error"), dict)):
        return research.parse(body, ctx)
    state = parse_state(body, ctx)
    if state is not None:
        return state
    now = to_int(get(body, "extra", "now"))
    if now:
        ctx = Context(source=ctx.source, scraped_at=iso_from_unix(now / 1000), subject=ctx.subject, feed_offset=ctx.feed_offset)
    status = body.get("statusCode", body.get("status_code"))
    result = ParseResult(format="unknown")
    kinds: list[str] = []
    if "userInfo" in body:
        kinds.append("web-user-detail")
        unavailable(status, result)
        if not result.problems:
            web.user_detail(body["userInfo"], ctx, result, "userInfo")
    if "challengeInfo" in body:
        kinds.append("web-challenge-detail")
        web.challenge_detail(body["challengeInfo"], ctx, result, "challengeInfo")
    if "musicInfo" in body:
        kinds.append("web-music-detail")
        web.music_detail(body["musicInfo"], ctx, result, "musicInfo")
    if "itemInfo" in body:
        kinds.append("web-item-detail")
        item = get(body, "itemInfo", "itemStruct")
        if result.need(body["itemInfo"], "itemStruct", "itemInfo.itemStruct") and isinstance(item, dict):
            web.video_from_item(item, ctx, result, "itemInfo.itemStruct")
    list_key = "itemList" if "itemList" in body else "items" if isinstance(body.get("items"), list) else None
    if list_key or ("hasMore" in body and not kinds):  # an empty page leaves the list out
        kinds.append("web-item-list" if list_key != "items" else "web-item-list-2021")
        offset = ctx.feed_offset
        for i, item in enumerate(as_list(body.get(list_key or "itemList"))):
            if isinstance(item, dict):
                web.video_from_item(item, ctx, result, f"{list_key}[{i}]", None if offset is None else offset + i + 1)
    if "comments" in body and ("cursor" in body or "has_more" in body):
        kinds.append("web-comment-list")
        web.comment_list(body["comments"], ctx, result, "comments")
    if isinstance(body.get("data"), list):
        kinds.append("web-search")
        for i, entry in enumerate(body["data"]):
            if get(entry, "type") == 1 and isinstance(get(entry, "item"), dict):
                web.video_from_item(entry["item"], ctx, result, f"data[{i}].item")
    if isinstance(body.get("item_list"), list):
        kinds.append("web-search-videos")
        web.search_videos(body["item_list"], ctx, result, "item_list")
    if "user_list" in body:
        kinds.append("web-search-users")
        web.search_users(body["user_list"], ctx, result, "user_list")
    if "mixInfo" in body:
        kinds.append("web-mix-detail")
        web.mix_detail(body["mixInfo"], ctx, result, "mixInfo")
    if not kinds and "has_more" in body and "cursor" in body:  # a search page without results leaves its list out
        kinds.append("web-search")
    paging = body.get("hasMore", body.get("has_more"))
    if isinstance(paging, bool | int) and kinds:
        result.more = bool(paging)
        result.cursor = None if body.get("cursor") is None else str(body["cursor"])
    if kinds:
        result.format = kinds[0]
    elif body.keys() <= {"and", "or", "not"} or "query" in body:
        result.problems.append("a Research API query (what to ask for), not data")
    else:
        keys = ", ".join(sorted(body)[:12]) or "(none)"
        result.problems.append(f"JSON of an unknown shape; its keys: {keys}")
    return result


def unavailable(status: Any, result: ParseResult) -> None:
    code = to_int(status)
    if code not in (None, 0):
        result.problems.append(f"TikTok answered statusCode {code}: the content is unavailable (private, deleted or unknown)")


def parse_state(body: dict[str, Any], ctx: Context) -> ParseResult | None:
    """The JSON of a page's data script saved on its own (issue #12), read as the page is: universal
    data with or without its `__DEFAULT_SCOPE__` wrapper, SIGI_STATE, __NEXT_DATA__ (§8.1). None
    when the JSON is none of these."""
    scope = body.get("__DEFAULT_SCOPE__", body)
    if isinstance(scope, dict) and any(k in scope for k in UNIVERSAL_PAGES):
        return parse_universal(scope, ctx, "web-state-universal")
    if isinstance(scope, dict) and "__DEFAULT_SCOPE__" in body:
        return no_page_data(scope, ParseResult(format="web-state-universal"))
    if "ItemModule" in body or "UserModule" in body:
        return parse_sigi(body, ctx, "web-state-sigi")
    if isinstance(get(body, "props", "pageProps"), dict):
        return parse_next(body, ctx, "web-state-next")
    return None


def no_page_data(scope: dict[str, Any], result: ParseResult) -> ParseResult:
    result.missing.append("__DEFAULT_SCOPE__.<page data: " + " | ".join(UNIVERSAL_PAGES) + ">")
    result.problems.append(f"the page's universal data holds no page data (keys: {', '.join(sorted(scope))})")
    return result


def parse_html(text: str, ctx: Context) -> ParseResult:
    universal = load_script(UNIVERSAL, text)
    scope = get(universal, "__DEFAULT_SCOPE__")
    if isinstance(scope, dict) and any(k in scope for k in UNIVERSAL_PAGES):
        return parse_universal(scope, ctx)
    sigi = load_script(SIGI, text) or load_script(SIGI_WINDOW, text)
    if isinstance(sigi, dict):
        return parse_sigi(sigi, ctx)
    next_data = load_script(NEXT, text)
    if isinstance(next_data, dict):
        return parse_next(next_data, ctx)
    result = ParseResult(format="web-html")
    if isinstance(scope, dict):
        no_page_data(scope, result)
    elif "__UNIVERSAL_DATA_FOR_REHYDRATION__" in text or "SIGI_STATE" in text or "__NEXT_DATA__" in text:
        result.problems.append("the page's data script is truncated or not valid JSON")
    elif "captcha" in text.lower():
        result.problems.append("a captcha page, not TikTok's data")
    else:
        result.problems.append("an HTML page without TikTok's data (no universal, SIGI_STATE or __NEXT_DATA__ script)")
    return result


def load_script(pattern: re.Pattern[str], text: str) -> Any:
    match = pattern.search(text)
    if not match:
        return None
    try:
        return json.loads(match.group(1))
    except ValueError:
        return None


def parse_universal(scope: dict[str, Any], ctx: Context, fmt: str = "web-html-universal") -> ParseResult:
    result = ParseResult(format=fmt)
    if "webapp.video-detail" in scope:
        detail = scope["webapp.video-detail"]
        unavailable(get(detail, "statusCode"), result)
        item = get(detail, "itemInfo", "itemStruct")
        found = not result.problems and result.need(get(detail, "itemInfo"), "itemStruct", "webapp.video-detail.itemInfo.itemStruct")
        if found and isinstance(item, dict):
            web.video_from_item(item, ctx, result, "webapp.video-detail.itemInfo.itemStruct")
    if "webapp.user-detail" in scope:
        detail = scope["webapp.user-detail"]
        unavailable(get(detail, "statusCode"), result)
        if not result.problems and result.need(detail, "userInfo", "webapp.user-detail.userInfo"):
            web.user_detail(detail["userInfo"], ctx, result, "webapp.user-detail.userInfo")
    if "webapp.challenge-detail" in scope:
        detail = scope["webapp.challenge-detail"]
        unavailable(get(detail, "statusCode"), result)
        if not result.problems and result.need(detail, "challengeInfo", "webapp.challenge-detail.challengeInfo"):
            web.challenge_detail(detail["challengeInfo"], ctx, result, "webapp.challenge-detail.challengeInfo")
    if "webapp.music-detail" in scope:
        detail = scope["webapp.music-detail"]
        unavailable(get(detail, "statusCode"), result)
        if not result.problems and result.need(detail, "musicInfo", "webapp.music-detail.musicInfo"):
            web.music_detail(detail["musicInfo"], ctx, result, "webapp.music-detail.musicInfo")
    return result


def parse_sigi(state: dict[str, Any], ctx: Context, fmt: str = "web-html-sigi") -> ParseResult:
    """SIGI_STATE (2022-2023): ItemModule[id] items in ItemList order, UserModule users and stats."""
    result = ParseResult(format=fmt)
    modules = as_dict(state.get("ItemModule"))
    order = [str(i) for i in as_list(get(state, "ItemList", "user-post", "list"))]
    ids = order + [i for i in modules if i not in order]
    for vid in ids:
        if isinstance(modules.get(vid), dict):
            web.video_from_item(modules[vid], ctx, result, f"ItemModule.{vid}")
    users = get(state, "UserModule", "users")
    stats = get(state, "UserModule", "stats") or {}
    if isinstance(users, dict):
        for name, user in users.items():
            if isinstance(user, dict):
                web.user_detail({"user": user, "stats": stats.get(name)}, ctx, result, f"UserModule.users.{name}")
    if not modules and not users:
        result.missing.append("SIGI_STATE.ItemModule | SIGI_STATE.UserModule")
    return result


def parse_next(data: dict[str, Any], ctx: Context, fmt: str = "web-html-next") -> ParseResult:
    """__NEXT_DATA__ (2020-2021): props.pageProps.itemInfo.itemStruct or props.pageProps.userInfo."""
    result = ParseResult(format=fmt)
    props = get(data, "props", "pageProps")
    unavailable(get(props, "statusCode"), result)
    if result.problems:
        return result
    if isinstance(get(props, "itemInfo", "itemStruct"), dict):
        web.video_from_item(props["itemInfo"]["itemStruct"], ctx, result, "props.pageProps.itemInfo.itemStruct")
    elif isinstance(get(props, "userInfo"), dict):
        web.user_detail(props["userInfo"], ctx, result, "props.pageProps.userInfo")
    else:
        result.missing.append("props.pageProps.itemInfo.itemStruct | props.pageProps.userInfo")
    return result
