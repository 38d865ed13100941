"""TikTok's web JSON (TIKTOK-FORMATS.md §8) into items: item structs, users, hashtags, sounds,
comments. Exact counts (statsV2, authorStatsV2) win over rounded ones (stats); SIGI_STATE's flat
author fields and the 2020 shapes are read too. The key paths a video needs are checked, and a
missing one is reported by name (a format drift), never guessed around."""

from __future__ import annotations

from typing import Any

from tiktok.parsing.result import Context, ParseResult
from tiktok.parsing.values import as_dict, as_list, clean_text, get, id_string, parse_count, text_or_none, to_int, unwrap_int32
from tiktok.schema.items import Comment, Hashtag, Sound, User, Video

VIDEO_COUNTS = {
    "view_count": "playCount",
    "like_count": "diggCount",
    "comment_count": "commentCount",
    "share_count": "shareCount",
    "favorites_count": "collectCount",
    "repost_count": "repostCount",
}
USER_COUNTS = {"follower_count": "followerCount", "following_count": "followingCount", "video_count": "videoCount"}
NEEDED = ("id", "createTime", "author", "desc", "music", "video")  # an item without these has drifted


def counts(stats: Any, stats_v2: Any, mapping: dict[str, str]) -> tuple[dict[str, int | None], bool | None]:
    """Each count from the exact strings when present, else the rounded ints (or display text).
    Returns the counts and whether all of those found were exact (None when none were found)."""
    out: dict[str, int | None] = {}
    exact_all, found = True, False
    for name, key in mapping.items():
        exact = to_int(get(stats_v2, key))
        value = exact if exact is not None else parse_count(get(stats, key))
        out[name] = value
        if value is not None:
            found = True
            exact_all &= exact is not None
    return out, (exact_all if found else None)


def likes(stats: Any, stats_v2: Any) -> tuple[int | None, bool, bool | None]:
    """Total likes: heartCount (64-bit) before heart (a signed 32-bit field that wraps past 2^31).
    Returns (likes, corrected for a wrap, exact)."""
    for source, exact in ((stats_v2, True), (stats, False)):
        for key in ("heartCount", "heart"):
            value = to_int(get(source, key))
            if value is not None:
                fixed, corrected = unwrap_int32(value)
                return fixed, corrected, exact
    return None, False, None


def author_of(item: dict[str, Any]) -> dict[str, Any]:
    """The author as an object; SIGI's ItemModule has `author` as the handle with flat fields."""
    author = item.get("author")
    if isinstance(author, dict):
        return author
    return {
        "uniqueId": author,
        "id": item.get("authorId"),
        "nickname": item.get("nickname"),
        "secUid": item.get("authorSecId"),
        "privateAccount": item.get("authorPrivate"),
        "avatarThumb": item.get("avatarThumb"),
    }


def text_extra(item: dict[str, Any]) -> list[dict[str, Any]]:
    entries = item.get("textExtra")
    if not isinstance(entries, list):
        entries = [e for c in as_list(item.get("contents")) if isinstance(c, dict) for e in as_list(c.get("textExtra"))]
    ordered = [e for e in entries if isinstance(e, dict)]
    return sorted(ordered, key=lambda e: to_int(e.get("start")) or 0)


def hashtags_of(item: dict[str, Any]) -> list[str]:
    """Hashtags as written, in order; from the caption's markup, else the challenge list."""
    names = [clean_text(e.get("hashtagName")) or "" for e in text_extra(item) if e.get("type") == 1]
    names = [n for n in names if n]
    if not names:
        names = [t for t in (clean_text(c.get("title")) for c in as_list(item.get("challenges")) if isinstance(c, dict)) if t]
    return list(dict.fromkeys(names))


def captions_of(video: Any) -> list[dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for sub in as_list(get(video, "subtitleInfos")):
        if isinstance(sub, dict) and isinstance(sub.get("Url"), str):
            found.setdefault(sub["Url"], {"language": str(sub.get("LanguageCodeName") or ""), "url": sub["Url"]})
    for cap in as_list(get(video, "claInfo", "captionInfos")):
        if isinstance(cap, dict) and isinstance(cap.get("url"), str):
            found.setdefault(cap["url"], {"language": str(cap.get("language") or ""), "url": cap["url"]})
    return list(found.values())


def first_url(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, str) and v), None)
    return None


def video_from_item(item: dict[str, Any], ctx: Context, result: ParseResult, path: str, position: int | None = None) -> Video | None:
    """One item struct into a Video (and its author, sound and hashtags into the result)."""
    for key in NEEDED:
        result.need(item, key, f"{path}.{key}")
    if "stats" not in item and "statsV2" not in item:
        result.need(item, "stats", f"{path}.stats")
    vid = id_string(item.get("id"))
    if vid is None:
        result.problems.append(f"{path}: an item without an id was skipped")
        return None
    author = author_of(item)
    username = text_or_none(author.get("uniqueId"))
    video_counts, exact = counts(item.get("stats"), item.get("statsV2"), VIDEO_COUNTS)
    author_stats, author_v2 = item.get("authorStats"), item.get("authorStatsV2")
    author_counts, _ = counts(author_stats, author_v2, USER_COUNTS)
    author_likes, wrapped, _ = likes(author_stats, author_v2)
    music = as_dict(item.get("music"))
    video = as_dict(item.get("video"))
    images = [first_url(get(img, "imageURL", "urlList")) for img in as_list(get(item, "imagePost", "images"))]
    photo = isinstance(item.get("imagePost"), dict)
    cover = first_url(get(item, "imagePost", "cover", "imageURL", "urlList")) if photo else None
    effects = [e for e in (id_string(get(s, "ID")) for s in as_list(item.get("effectStickers"))) if e]
    mentions = [m for m in (text_or_none(e.get("userUniqueId")) for e in text_extra(item) if e.get("type") == 0) if m]
    v = Video(
        id=vid,
        url=f"https://www.tiktok.com/@{username}/video/{vid}" if username else None,
        username=username,
        author_id=id_string(author.get("id")),
        author_nickname=clean_text(author.get("nickname")),
        create_time=to_int(item.get("createTime")),
        video_description=clean_text(item.get("desc")),
        region_code=text_or_none(item.get("locationCreated")),
        counts_exact=exact,
        counts_corrected=["author_likes_count"] if wrapped else None,
        music_id=id_string(music.get("id")),
        music_title=clean_text(music.get("title")),
        music_author=clean_text(music.get("authorName")),
        music_original=music.get("original") if isinstance(music.get("original"), bool) else None,
        music_url=text_or_none(music.get("playUrl")),
        hashtag_names=hashtags_of(item),
        mentions=list(dict.fromkeys(mentions)),
        video_duration=to_int(video.get("duration")),
        is_photo_mode=photo,
        image_urls=[i for i in images if i] or None,
        cover_url=cover or text_or_none(video.get("cover")) or text_or_none(video.get("originCover")),
        video_url=text_or_none(video.get("playAddr")) or text_or_none(video.get("downloadAddr")),
        caption_urls=captions_of(video) or None,
        effect_ids=effects or None,
        playlist_id=id_string(item.get("playlistId")),
        is_ad=item.get("isAd") if isinstance(item.get("isAd"), bool) else None,
        author_follower_count=author_counts["follower_count"],
        author_following_count=author_counts["following_count"],
        author_likes_count=author_likes,
        author_video_count=author_counts["video_count"],
        source=ctx.source,
        feed_position=position,
        scraped_at=ctx.scraped_at,
        view_count=video_counts["view_count"],
        like_count=video_counts["like_count"],
        comment_count=video_counts["comment_count"],
        share_count=video_counts["share_count"],
        favorites_count=video_counts["favorites_count"],
        repost_count=video_counts["repost_count"],
    )
    result.add(v)
    if username:
        result.add(user_from(author, author_stats, author_v2, ctx))
    if v.music_id:
        result.add(sound_from(music, v.music_id, ctx))
    for challenge in as_list(item.get("challenges")):
        hid = id_string(get(challenge, "id"))
        if hid:
            result.add(hashtag_from(challenge, hid, ctx))
    return v


def sound_from(music: dict[str, Any], sid: str, ctx: Context, video_count: int | None = None) -> Sound:
    return Sound(
        id=sid,
        title=clean_text(music.get("title")),
        author=clean_text(music.get("authorName")),
        original=music.get("original") if isinstance(music.get("original"), bool) else None,
        video_count=video_count,
        play_url=text_or_none(music.get("playUrl")),
        source=ctx.source,
        scraped_at=ctx.scraped_at,
    )


def hashtag_from(challenge: dict[str, Any], hid: str, ctx: Context, totals: dict[str, int | None] | None = None) -> Hashtag:
    totals = totals or {}
    return Hashtag(
        id=hid,
        name=text_or_none(challenge.get("title")),
        description=text_or_none(challenge.get("desc")),
        video_count=totals.get("video_count"),
        view_count=totals.get("view_count"),
        source=ctx.source,
        scraped_at=ctx.scraped_at,
    )


def user_from(user: dict[str, Any], stats: Any, stats_v2: Any, ctx: Context) -> User:
    user_counts, exact = counts(stats, stats_v2, USER_COUNTS)
    total_likes, wrapped, likes_exact = likes(stats, stats_v2)
    if exact is None:
        exact = likes_exact
    elif likes_exact is not None:
        exact = exact and likes_exact
    private = user.get("privateAccount")
    return User(
        username=text_or_none(user.get("uniqueId")) or "",
        user_id=id_string(user.get("id")),
        sec_uid=text_or_none(user.get("secUid")),
        display_name=clean_text(user.get("nickname")),
        bio_description=clean_text(user.get("signature")),
        bio_url=text_or_none(get(user, "bioLink", "link")),
        avatar_url=text_or_none(user.get("avatarLarger")) or text_or_none(user.get("avatarThumb")),
        is_verified=user.get("verified") if isinstance(user.get("verified"), bool) else None,
        is_private=private if isinstance(private, bool) else None,
        likes_count=total_likes,
        counts_exact=exact,
        counts_corrected=["likes_count"] if wrapped else None,
        region_code=text_or_none(user.get("region")),
        source=ctx.source,
        scraped_at=ctx.scraped_at,
        follower_count=user_counts["follower_count"],
        following_count=user_counts["following_count"],
        video_count=user_counts["video_count"],
    )


def user_detail(info: Any, ctx: Context, result: ParseResult, path: str) -> None:
    """`userInfo` of a profile page or /api/user/detail/: {user, stats, statsV2?, itemList}."""
    if not result.need(info, "user", f"{path}.user"):
        return
    result.need(info, "stats", f"{path}.stats")
    user = info["user"]
    if not isinstance(user, dict) or not text_or_none(user.get("uniqueId")):
        result.problems.append(f"{path}.user has no uniqueId")
        return
    result.add(user_from(user, info.get("stats"), info.get("statsV2"), ctx))
    for i, item in enumerate(as_list(info.get("itemList"))):
        if isinstance(item, dict):
            video_from_item(item, ctx, result, f"{path}.itemList[{i}]")


def entity(info: Any, key: str, result: ParseResult, path: str) -> tuple[dict[str, Any], str] | None:
    """`info[key]` and its id, or None with the missing path or the problem recorded."""
    if not result.need(info, key, f"{path}.{key}"):
        return None
    obj = as_dict(info[key])
    oid = id_string(obj.get("id"))
    if oid is None:
        result.problems.append(f"{path}.{key} has no id")
        return None
    return obj, oid


def challenge_detail(info: Any, ctx: Context, result: ParseResult, path: str) -> None:
    """`challengeInfo`: {challenge{id, title, desc}, stats, statsV2?}."""
    found = entity(info, "challenge", result, path)
    if found:
        totals, _ = counts(info.get("stats"), info.get("statsV2"), {"video_count": "videoCount", "view_count": "viewCount"})
        result.add(hashtag_from(*found, ctx, totals))


def music_detail(info: Any, ctx: Context, result: ParseResult, path: str) -> None:
    """`musicInfo`: {music{id, title, authorName, original, playUrl}, stats{videoCount}}."""
    found = entity(info, "music", result, path)
    if found:
        result.add(sound_from(*found, ctx, parse_count(get(info, "stats", "videoCount"))))


def comment_list(comments: Any, ctx: Context, result: ParseResult, path: str) -> None:
    """/api/comment/list/ and /reply/: snake_case comments, with inline first replies."""
    seen: set[str] = set()

    def one(c: Any, where: str) -> None:
        if not isinstance(c, dict):
            return
        cid = id_string(c.get("cid"))
        if cid is None:
            result.need(c, "cid", f"{where}.cid")
            return
        if cid in seen:
            return
        seen.add(cid)
        video_id = id_string(c.get("aweme_id"))
        reply_to = id_string(c.get("reply_id"))
        result.add(
            Comment(
                id=cid,
                video_id=video_id,
                parent_comment_id=reply_to or video_id,  # the codebook: top level -> the video id
                text=clean_text(c.get("text")),
                like_count=to_int(c.get("digg_count")),
                reply_count=to_int(c.get("reply_comment_total")),
                create_time=to_int(c.get("create_time")),
                username=text_or_none(get(c, "user", "unique_id")),
                source=ctx.source,
                scraped_at=ctx.scraped_at,
            )
        )
        for j, reply in enumerate(as_list(c.get("reply_comment"))):
            one(reply, f"{where}.reply_comment[{j}]")

    for i, c in enumerate(as_list(comments)):
        one(c, f"{path}[{i}]")
