"""Research API responses (TIKTOK-FORMATS.md §2-§7) into items. Fields are read by their names in
the field table (tiktok/parsing/paths.py). Counts there are exact; ids are bare int64 (even
20-digit) JSON numbers, kept as strings; NUL characters are removed from text."""

from __future__ import annotations

from typing import Any

from tiktok.parsing.paths import from_research
from tiktok.parsing.result import Context, ParseResult
from tiktok.parsing.values import as_dict, iso_from_log_id, text_or_none
from tiktok.schema.fields import COUNT, research_names, table
from tiktok.schema.items import Comment, Follow, User, Video

VIDEO_LISTS = ("videos", "user_liked_videos", "pinned_videos_list", "reposted_videos", "user_reposted_videos")


def found_counts(cls: type, values: dict[str, Any]) -> bool | None:
    """`counts_exact`: true when the answer held any count (the API's counts are exact)."""
    return True if any(values[r.name] is not None for r in table(cls) if r.kind is COUNT and r.research) else None


def video(v: Any, ctx: Context, scraped_at: str | None, result: ParseResult, path: str) -> None:
    if not isinstance(v, dict):
        return
    values = from_research(Video, v)
    vid = values["id"]  # the docs' example says video_id; real answers id
    if vid is None:
        result.need(v, "id", f"{path}.id")
        return
    username = values["username"]
    result.add(
        Video(
            **values,
            url=f"https://www.tiktok.com/@{username}/video/{vid}" if username else None,
            counts_exact=found_counts(Video, values),
            source=ctx.source,
            scraped_at=scraped_at,
        )
    )


def parse(body: dict[str, Any], ctx: Context) -> ParseResult:
    """Any Research API answer: which endpoint it came from is read off the keys of `data`."""
    error = as_dict(body.get("error"))
    code = error.get("code")
    scraped_at = iso_from_log_id(error.get("log_id")) or ctx.scraped_at
    data = body.get("data")
    result = ParseResult(format="research")
    if code not in (None, "ok"):
        result.format = "research-error"
        result.problems.append(f"Research API error {code}: {error.get('message') or '(no message)'}")
        return result
    if not isinstance(data, dict):
        result.need(body, "data", "data")
        return result
    if isinstance(data.get("has_more"), bool):
        result.more = data["has_more"]
        result.cursor = None if data.get("cursor") is None else str(data["cursor"])
        result.search_id = str(data["search_id"]) if data.get("search_id") else None
    for key in VIDEO_LISTS:
        if isinstance(data.get(key), list):
            result.format = f"research-{key}"
            for i, v in enumerate(data[key]):
                video(v, ctx, scraped_at, result, f"data.{key}[{i}]")
            return result
    if isinstance(data.get("comments"), list):
        result.format = "research-comments"
        for i, c in enumerate(data["comments"]):
            comment(c, ctx, scraped_at, result, f"data.comments[{i}]")
        return result
    for key, via in (("user_followers", "followers"), ("user_following", "following")):
        if isinstance(data.get(key), list):
            result.format = f"research-{via}"
            follows(data[key], via, ctx, scraped_at, result)
            return result
    if data.keys() & set(research_names(User)):
        result.format = "research-user-info"
        user_info(data, ctx, scraped_at, result)
        return result
    result.format = "research-unknown"
    result.problems.append(f"a Research API answer with unknown data keys: {', '.join(sorted(data)) or '(none)'}")
    return result


def comment(c: Any, ctx: Context, scraped_at: str | None, result: ParseResult, path: str) -> None:
    if not isinstance(c, dict):
        return
    values = from_research(Comment, c)
    if values["id"] is None:
        result.need(c, "id", f"{path}.id")
        return
    result.add(Comment(**values, source=ctx.source, scraped_at=scraped_at))


def follows(people: list[Any], via: str, ctx: Context, scraped_at: str | None, result: ParseResult) -> None:
    if not ctx.subject:
        result.problems.append(f"a {via} list does not name whose it is: the username it was requested for is needed")
        return
    for person in people:
        other = text_or_none(person.get("username")) if isinstance(person, dict) else None
        if other is None:
            continue
        follower, followee = (other, ctx.subject) if via == "followers" else (ctx.subject, other)
        result.add(Follow(follower=follower, followee=followee, observed_at=scraped_at, via=via, source=ctx.source))


def user_info(data: dict[str, Any], ctx: Context, scraped_at: str | None, result: ParseResult) -> None:
    username = text_or_none(data.get("username")) or ctx.subject
    if not username:
        result.problems.append("a user info answer does not name the user: the username it was requested for is needed")
        return
    values = from_research(User, data)
    result.add(User(**values, username=username, counts_exact=found_counts(User, values), source=ctx.source, scraped_at=scraped_at))
