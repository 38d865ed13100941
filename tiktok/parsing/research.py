"""Research API responses (TIKTOK-FORMATS.md §2-§7) into items. Counts there are exact; ids are
bare int64 (even 20-digit) JSON numbers, kept as strings; NUL characters are removed from text."""

from __future__ import annotations

from typing import Any

from tiktok.parsing.result import Context, ParseResult
from tiktok.parsing.values import as_dict, clean_text, id_string, iso_from_log_id, text_or_none, to_int
from tiktok.schema.items import Comment, Follow, User, Video

VIDEO_LISTS = ("videos", "user_liked_videos", "pinned_videos_list", "reposted_videos", "user_reposted_videos")
USER_INFO_KEYS = {
    "display_name",
    "bio_description",
    "avatar_url",
    "is_verified",
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
    "bio_url",
}


def video(v: Any, ctx: Context, scraped_at: str | None, result: ParseResult, path: str) -> None:
    if not isinstance(v, dict):
        return
    vid = id_string(v.get("id", v.get("video_id")))  # the docs' example says video_id; real answers id
    if vid is None:
        result.need(v, "id", f"{path}.id")
        return
    username = text_or_none(v.get("username"))
    views, likes, comments = to_int(v.get("view_count")), to_int(v.get("like_count")), to_int(v.get("comment_count"))
    shares, favorites = to_int(v.get("share_count")), to_int(v.get("favorites_count", v.get("favourites_count")))
    hashtags = v.get("hashtag_names")
    mentions = v.get("video_mention_list")
    effects = v.get("effect_ids")
    result.add(
        Video(
            id=vid,
            url=f"https://www.tiktok.com/@{username}/video/{vid}" if username else None,
            username=username,
            create_time=to_int(v.get("create_time")),
            video_description=clean_text(v.get("video_description")),
            region_code=text_or_none(v.get("region_code")),
            view_count=views,
            like_count=likes,
            comment_count=comments,
            share_count=shares,
            favorites_count=favorites,
            counts_exact=True if any(c is not None for c in (views, likes, comments, shares, favorites)) else None,
            music_id=id_string(v.get("music_id")),
            hashtag_names=[t for t in (text_or_none(h) for h in hashtags) if t] if isinstance(hashtags, list) else None,
            mentions=[m for m in (text_or_none(x) for x in mentions) if m] if isinstance(mentions, list) else None,
            video_duration=to_int(v.get("video_duration")),
            effect_ids=[e for e in (id_string(x) for x in effects) if e] if isinstance(effects, list) else None,
            playlist_id=id_string(v.get("playlist_id")),
            voice_to_text=clean_text(v.get("voice_to_text")),
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
    if data.keys() & USER_INFO_KEYS:
        result.format = "research-user-info"
        user_info(data, ctx, scraped_at, result)
        return result
    result.format = "research-unknown"
    result.problems.append(f"a Research API answer with unknown data keys: {', '.join(sorted(data)) or '(none)'}")
    return result


def comment(c: Any, ctx: Context, scraped_at: str | None, result: ParseResult, path: str) -> None:
    if not isinstance(c, dict):
        return
    cid = id_string(c.get("id"))
    if cid is None:
        result.need(c, "id", f"{path}.id")
        return
    result.add(
        Comment(
            id=cid,
            video_id=id_string(c.get("video_id")),
            parent_comment_id=id_string(c.get("parent_comment_id")),
            text=clean_text(c.get("text")),
            like_count=to_int(c.get("like_count")),
            reply_count=to_int(c.get("reply_count")),
            create_time=to_int(c.get("create_time")),
            source=ctx.source,
            scraped_at=scraped_at,
        )
    )


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
    followers, following = to_int(data.get("follower_count")), to_int(data.get("following_count"))
    total_likes, videos = to_int(data.get("likes_count")), to_int(data.get("video_count"))
    result.add(
        User(
            username=username,
            display_name=clean_text(data.get("display_name")),
            bio_description=clean_text(data.get("bio_description")),
            bio_url=text_or_none(data.get("bio_url")),
            avatar_url=text_or_none(data.get("avatar_url")),
            is_verified=data.get("is_verified") if isinstance(data.get("is_verified"), bool) else None,
            follower_count=followers,
            following_count=following,
            likes_count=total_likes,
            video_count=videos,
            counts_exact=True if any(v is not None for v in (followers, following, total_likes, videos)) else None,
            source=ctx.source,
            scraped_at=scraped_at,
        )
    )
