"""TikTok's web JSON (TIKTOK-FORMATS.md §8) into items: item structs, users, hashtags, sounds,
comments. The plain "path -> field" mappings come from the field table (tiktok/parsing/paths.py),
where exact counts (statsV2, authorStatsV2) come before rounded ones (stats); this module does what
needs judgement, and reads SIGI_STATE's flat author fields and the 2020 shapes. The key paths a
video needs are checked, and a missing one is reported by name (a format drift), never guessed
around."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from tiktok.parsing.paths import all_exact, from_web
from tiktok.parsing.result import Context, ParseResult
from tiktok.parsing.values import as_dict, as_list, clean_text, get, id_string, text_or_none, to_int, unwrap_int32
from tiktok.schema.fields import COUNT, table
from tiktok.schema.items import Comment, Hashtag, Item, Playlist, Sound, User, Video

NEEDED = ("id", "createTime", "author", "desc", "music", "video")  # an item without these has drifted


@functools.cache
def own_counts(cls: type) -> list[str]:
    """The counts of the object itself (statsV2/stats), which `counts_exact` speaks for; not the
    author's counts an item also carries."""
    return [r.name for r in table(cls) if r.kind is COUNT and r.web and r.web[0].startswith("statsV2.")]


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
    if not isinstance(item.get("author"), dict):
        item = {**item, "author": author_of(item)}
    values, rounded = from_web(Video, item)
    vid = values["id"]
    if vid is None:
        result.problems.append(f"{path}: an item without an id was skipped")
        return None
    author = item["author"]
    username = values["username"]
    author_stats, author_v2 = item.get("authorStats"), item.get("authorStatsV2")
    author_likes, wrapped, _ = likes(author_stats, author_v2)
    video = as_dict(item.get("video"))
    images = [first_url(get(img, "imageURL", "urlList")) for img in as_list(get(item, "imagePost", "images"))]
    photo = isinstance(item.get("imagePost"), dict)
    cover = first_url(get(item, "imagePost", "cover", "imageURL", "urlList")) if photo else None
    effects = [e for e in (id_string(get(s, "ID")) for s in as_list(item.get("effectStickers"))) if e]
    mentions = [m for m in (text_or_none(e.get("userUniqueId")) for e in text_extra(item) if e.get("type") == 0) if m]
    v = Video(
        **values,
        url=f"https://www.tiktok.com/@{username}/video/{vid}" if username else None,
        counts_exact=all_exact(values, rounded, own_counts(Video)),
        counts_corrected=["author_likes_count"] if wrapped else None,
        hashtag_names=hashtags_of(item),
        mentions=list(dict.fromkeys(mentions)),
        is_photo_mode=photo,
        image_urls=[i for i in images if i] or None,
        cover_url=cover or text_or_none(video.get("cover")) or text_or_none(video.get("originCover")),
        caption_urls=captions_of(video) or None,
        effect_ids=effects or None,
        author_likes_count=author_likes,
        source=ctx.source,
        feed_position=position,
        scraped_at=ctx.scraped_at,
    )
    result.add(v)
    if username:
        result.add(user_from(author, author_stats, author_v2, ctx))
    sound = sound_from({"music": item.get("music")}, ctx)
    if sound:
        result.add(sound)
    for challenge in as_list(item.get("challenges")):
        hashtag = hashtag_from({"challenge": challenge}, ctx)
        if hashtag:
            result.add(hashtag)
    return v


def sound_from(root: dict[str, Any], ctx: Context) -> Sound | None:
    """A Sound from musicInfo, or {music} for an item's sound; None without an id."""
    values, _ = from_web(Sound, root)
    return Sound(**values, source=ctx.source, scraped_at=ctx.scraped_at) if values["id"] else None


def hashtag_from(root: dict[str, Any], ctx: Context) -> Hashtag | None:
    """A Hashtag from challengeInfo, or {challenge} for an item's challenge; None without an id."""
    values, _ = from_web(Hashtag, root)
    return Hashtag(**values, source=ctx.source, scraped_at=ctx.scraped_at) if values["id"] else None


def user_from(user: dict[str, Any], stats: Any, stats_v2: Any, ctx: Context) -> User:
    values, rounded = from_web(User, {"user": user, "stats": stats, "statsV2": stats_v2})
    counts_exact = all_exact(values, rounded, own_counts(User))
    total_likes, wrapped, likes_exact = likes(stats, stats_v2)
    if counts_exact is None:
        counts_exact = likes_exact
    elif likes_exact is not None:
        counts_exact = counts_exact and likes_exact
    return User(
        **{**values, "username": values["username"] or ""},
        likes_count=total_likes,
        counts_exact=counts_exact,
        counts_corrected=["likes_count"] if wrapped else None,
        source=ctx.source,
        scraped_at=ctx.scraped_at,
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


def entity(
    info: Any, key: str, make: Callable[[dict[str, Any], Context], Item | None], ctx: Context, result: ParseResult, path: str
) -> None:
    """The item `make` builds from a detail answer, or the missing path or problem recorded."""
    if not result.need(info, key, f"{path}.{key}"):
        return
    item = make(info, ctx)
    if item is None:
        result.problems.append(f"{path}.{key} has no id")
    else:
        result.add(item)


def challenge_detail(info: Any, ctx: Context, result: ParseResult, path: str) -> None:
    """`challengeInfo`: {challenge{id, title, desc}, stats, statsV2?}."""
    entity(info, "challenge", hashtag_from, ctx, result, path)


def music_detail(info: Any, ctx: Context, result: ParseResult, path: str) -> None:
    """`musicInfo`: {music{id, title, authorName, original, playUrl}, stats{videoCount}}."""
    entity(info, "music", sound_from, ctx, result, path)


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
        values, _ = from_web(Comment, c)
        reply_to = id_string(c.get("reply_id"))
        result.add(
            Comment(
                **values,
                parent_comment_id=reply_to or values["video_id"],  # the codebook: top level -> the video id
                source=ctx.source,
                scraped_at=ctx.scraped_at,
            )
        )
        for j, reply in enumerate(as_list(c.get("reply_comment"))):
            one(reply, f"{where}.reply_comment[{j}]")

    for i, c in enumerate(as_list(comments)):
        one(c, f"{path}[{i}]")


# ----------------------------------------------------------------------------- search and playlists
def search_videos(entries: Any, ctx: Context, result: ParseResult, path: str) -> None:
    """/api/search/item/full/: `item_list` of item structs (the key Zeeschuimer reads)."""
    for i, item in enumerate(as_list(entries)):
        if isinstance(item, dict):
            video_from_item(item, ctx, result, f"{path}[{i}]")


def search_users(entries: Any, ctx: Context, result: ParseResult, path: str) -> None:
    """/api/search/user/full/: `user_list` of `{user_info}`, the app's snake_case user (as a
    comment's user is; TikTok-Api reads `user_info.unique_id` and `sec_uid` from it). Its keys are
    renamed to the web's here, as `author_of` does for SIGI's flat author, so the field table reads it."""
    for i, entry in enumerate(as_list(entries)):
        info = get(entry, "user_info")
        if not isinstance(info, dict) or not text_or_none(info.get("unique_id")):
            result.need(info if isinstance(info, dict) else entry, "unique_id", f"{path}[{i}].user_info.unique_id")
            continue
        user = {
            "uniqueId": info.get("unique_id"),
            "id": info.get("uid"),
            "secUid": info.get("sec_uid"),
            "nickname": info.get("nickname"),
            "signature": info.get("signature"),
            "avatarThumb": first_url(get(info, "avatar_thumb", "url_list")),
            "verified": bool(info.get("custom_verify") or info.get("enterprise_verify_reason")) if "custom_verify" in info else None,
        }
        stats = {
            "followerCount": info.get("follower_count"),
            "followingCount": info.get("following_count"),
            "heartCount": info.get("total_favorited"),
            "videoCount": info.get("aweme_count"),
        }
        result.add(user_from(user, {k: v for k, v in stats.items() if v is not None}, None, ctx))


def playlist_from(info: Any, ctx: Context) -> Playlist | None:
    """A Playlist from `mixInfo` of /api/mix/detail/ (TikTok-Api reads id or mixId, name or mixName,
    videoCount, creator, cover); None without an id."""
    values, _ = from_web(Playlist, info)
    return Playlist(**values, source=ctx.source, scraped_at=ctx.scraped_at) if values["id"] else None


def playlist_page_path(playlist: Playlist) -> str:
    """Its page as TikTok links it: /@creator/playlist/<name>-<id>."""
    return f"/@{playlist.username}/playlist/{quote((playlist.name or 'playlist').replace(' ', '-'))}-{playlist.id}"


def mix_detail(info: Any, ctx: Context, result: ParseResult, path: str) -> None:
    """`mixInfo`: the playlist, and its maker (`creator`, the item's author shape; `author` is read too)."""
    playlist = playlist_from(info, ctx)
    if playlist is None:
        result.problems.append(f"{path} has no id or mixId")
    else:
        result.add(playlist)
    maker = get(info, "creator") or get(info, "author")
    if isinstance(maker, dict) and text_or_none(maker.get("uniqueId")):
        result.add(user_from(maker, None, None, ctx))
    else:
        result.need(info, "creator", f"{path}.creator")
