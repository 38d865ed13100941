"""One schema for all TikTok data, from web pages, the web API, the Research API and imports.

Field names follow the Research API codebook where it has one, so data can be read with TikTok's
codebook in hand. Only the key is required; every other field is None when the source lacks it,
never a guess. Each field is declared once, with its row of the field table (tiktok/schema/fields.py):
its kind, unit, meaning, web path(s) and Research API name. Parsers, validator, column types, the
Research API field lists and the data dictionary (`python -m tiktok schema`, docs/SCHEMA.md) read
that row. Ids are strings so 19- and 20-digit ids keep full precision in every tool.
"""

from __future__ import annotations

from typing import Any

import attrs

from tiktok.schema.fields import COUNT, FLAG, HANDLE, ID, IDS, ISO_TIME, LIST, NAME, NUMBER, RECORDS, TEXT, UNIX_TIME, URL, Field, Kind


def field(
    doc: str,
    kind: Kind,
    *,
    unit: str = "",
    web: str | tuple[str, ...] = (),
    web_note: str = "",
    research: str | tuple[str, ...] = (),
    research_note: str = "",
    query: str = "",
    in_user_lists: bool = True,
    required: bool = False,
) -> Any:
    """A schema field: None by default (only keys are required), with its row of the table."""
    spec = Field(
        doc=doc,
        kind=kind,
        unit=unit,
        web=(web,) if isinstance(web, str) else web,
        web_note=web_note,
        research=(research,) if isinstance(research, str) else research,
        research_note=research_note,
        query=query,
        in_user_lists=in_user_lists,
        required=required,
    )
    if required:
        return attrs.field(metadata={"field": spec})
    return attrs.field(default=None, metadata={"field": spec})


SOURCE_DOC = "what produced this record: foryou, hashtag:<name>, research:<query name>, import:<file name>, ..."
COLLECTOR_DOC = (
    "the worker that collected this record (TIKTOK_WORKER_ID, default <host>-<pid>) in a crawl shared through Redis; null on one machine"
)
SCRAPED_DOC = "when this record was observed (for imports: the capture time the file carries, else null)"
STATS = "statsV2 holds exact counts, stats rounded ones"
HEART = "heartCount, else heart (a signed 32-bit field that wraps at 2^31)"


@attrs.define(kw_only=True)
class Video:
    """One observation of a video: the same video seen in two runs is two rows, so growth shows."""

    id: str = field("video id", ID, unit="19-20 digit string", web="id", research=("id", "video_id"), query="video_id", required=True)
    url: str | None = field(
        "canonical page URL https://www.tiktok.com/@<username>/video/<id>", URL, web_note="derived", research_note="derived"
    )
    username: str | None = field(
        "creator's handle", HANDLE, web="author.uniqueId", web_note="SIGI_STATE: author", research="username", query="username"
    )
    author_id: str | None = field("creator's numeric id", ID, web="author.id", web_note="SIGI_STATE: authorId")
    author_nickname: str | None = field("creator's display name", TEXT, web="author.nickname", web_note="SIGI_STATE: nickname")
    create_time: int | None = field(
        "when the video was posted", UNIX_TIME, unit="Unix seconds UTC", web="createTime", research="create_time", query="create_date"
    )
    video_description: str | None = field(
        "caption as written, with hashtags and mentions", TEXT, web="desc", research="video_description", query="keyword"
    )
    region_code: str | None = field(
        "region the video was posted from",
        NAME,
        unit="ISO 3166 alpha-2",
        web="locationCreated",
        research="region_code",
        query="region_code",
    )
    view_count: int | None = field(
        "plays",
        COUNT,
        unit="count",
        web=("statsV2.playCount", "stats.playCount"),
        web_note=STATS,
        research="view_count",
        query="view_count",
    )
    like_count: int | None = field("likes", COUNT, unit="count", web=("statsV2.diggCount", "stats.diggCount"), research="like_count")
    comment_count: int | None = field(
        "comments", COUNT, unit="count", web=("statsV2.commentCount", "stats.commentCount"), research="comment_count", query="comment_count"
    )
    share_count: int | None = field("shares", COUNT, unit="count", web=("statsV2.shareCount", "stats.shareCount"), research="share_count")
    favorites_count: int | None = field(
        "times saved to favourites",
        COUNT,
        unit="count",
        web=("statsV2.collectCount", "stats.collectCount"),
        research=("favorites_count", "favourites_count"),
        in_user_lists=False,  # those lists spell it favourites_count (§3.5)
    )
    repost_count: int | None = field("reposts", COUNT, unit="count", web=("statsV2.repostCount", "stats.repostCount"))
    counts_exact: bool | None = field(
        "true when every count came from an exact field (statsV2, Research API); false when rounded or parsed from display text", FLAG
    )
    counts_corrected: list[str] | None = field("count fields corrected for a 32-bit wrap (e.g. author_likes_count)", LIST)
    music_id: str | None = field("sound id", ID, web="music.id", research="music_id", query="music_id")
    music_title: str | None = field("sound title", TEXT, web="music.title")
    music_author: str | None = field("sound author name", TEXT, web="music.authorName")
    music_original: bool | None = field("true when the sound is the creator's original", FLAG, web="music.original")
    music_url: str | None = field("sound file URL (signed, expires)", URL, web="music.playUrl")
    hashtag_names: list[str] | None = field(
        "hashtags in the order written, without #",
        LIST,
        web_note="textExtra[type=1].hashtagName, else challenges[].title",
        research="hashtag_names",
        query="hashtag_name",
    )
    mentions: list[str] | None = field("mentioned handles", LIST, web_note="textExtra[type=0].userUniqueId", research="video_mention_list")
    video_duration: int | None = field(
        "length", NUMBER, unit="seconds", web="video.duration", research="video_duration", query="video_length"
    )
    is_photo_mode: bool | None = field("true for a photo slideshow", FLAG, web_note="imagePost present")
    image_urls: list[str] | None = field("photo-mode images (signed, expire)", LIST, web_note="imagePost.images[].imageURL.urlList[0]")
    cover_url: str | None = field(
        "cover image (signed, expires)", URL, web_note="video.cover, else video.originCover (photo mode: imagePost.cover)"
    )
    video_url: str | None = field("video file (signed, expires; may be a blob: URL)", URL, web=("video.playAddr", "video.downloadAddr"))
    caption_urls: list[dict[str, str]] | None = field(
        "TikTok's own captions: [{language, url}] (WebVTT)", RECORDS, web_note="video.subtitleInfos[].Url, video.claInfo.captionInfos[].url"
    )
    effect_ids: list[str] | None = field(
        "effects used", IDS, web_note="effectStickers[].ID", research="effect_ids", query="effect_id", in_user_lists=False
    )
    playlist_id: str | None = field("playlist the video belongs to", ID, web="playlistId", research="playlist_id", in_user_lists=False)
    voice_to_text: str | None = field("TikTok's transcript of the speech", TEXT, research="voice_to_text", in_user_lists=False)
    is_ad: bool | None = field("true for an advertisement", FLAG, web="isAd")
    author_follower_count: int | None = field(
        "creator's followers when observed", COUNT, unit="count", web=("authorStatsV2.followerCount", "authorStats.followerCount")
    )
    author_following_count: int | None = field(
        "accounts the creator follows", COUNT, unit="count", web=("authorStatsV2.followingCount", "authorStats.followingCount")
    )
    author_likes_count: int | None = field(
        "likes on all the creator's videos", COUNT, unit="count", web_note=f"authorStatsV2, else authorStats: {HEART}"
    )
    author_video_count: int | None = field(
        "creator's public videos", COUNT, unit="count", web=("authorStatsV2.videoCount", "authorStats.videoCount")
    )
    source: str | None = field(SOURCE_DOC, NAME)
    collector: str | None = field(COLLECTOR_DOC, NAME)
    feed_position: int | None = field("position in the feed it was collected from, from 1", NUMBER, unit="rank")
    persona: str | None = field("the persona whose For-You feed showed it (personas/NAME.yaml); null for an anonymous visit", NAME)
    phase: str | None = field("the audit phase of the persona's run: training or measurement", NAME)
    dwell_ms: int | None = field("time the persona kept the video on screen, measured in the browser", NUMBER, unit="milliseconds")
    actions: list[str] | None = field("what the persona did through the page's buttons (like, follow); [] for nothing", LIST)
    screenshot_path: str | None = field("screenshot of the page while the persona watched it, under DATA_DIR (-a screenshots=1)", NAME)
    run_id: str | None = field("the crawl run that observed it (for imports: the file); videos are kept once per run and source", NAME)
    scraped_at: str | None = field(SCRAPED_DOC, ISO_TIME, unit="ISO 8601 UTC")
    cover_path: str | None = field("where the cover was stored, under DATA_DIR (set by the media pipeline)", NAME)
    video_path: str | None = field("where the video was stored, under DATA_DIR (set by the media pipeline)", NAME)
    image_paths: list[str] | None = field("where photo-mode images were stored, under DATA_DIR (media pipeline)", LIST)
    caption_path: str | None = field("where TikTok's caption file was stored, under DATA_DIR (media pipeline; English first)", NAME)
    download_timestamp: str | None = field("when media were downloaded; null on failure", ISO_TIME, unit="ISO 8601 UTC")
    download_error: str | None = field("why a media download failed", TEXT)
    ocr_text: str | None = field(
        "text read from the cover and photo-mode images by the OCR pipeline during the crawl"
        " (`python -m tiktok ocr` writes what it reads later into ocr.jsonl)",
        TEXT,
    )
    ocr_error: str | None = field("why the images gave no text (e.g. an unreadable image)", TEXT)
    transcript: str | None = field("what is said in the video, as plain text (captions pipeline)", TEXT)
    transcript_source: str | None = field("where the transcript came from: captions, voice_to_text or transcriber:<name>", NAME)


@attrs.define(kw_only=True)
class User:
    """One observation of a creator's profile, keyed by handle (the Research API has no user id):
    the same profile seen in two runs is two rows, so follower growth shows."""

    username: str = field("handle", HANDLE, web="user.uniqueId", research_note="the requested username", required=True)
    user_id: str | None = field("numeric id", ID, web="user.id")
    sec_uid: str | None = field("secure id the web API takes", NAME, web="user.secUid")
    display_name: str | None = field("display name", TEXT, web="user.nickname", research="display_name")
    bio_description: str | None = field("bio", TEXT, web="user.signature", research="bio_description")
    bio_url: str | None = field("link in bio", URL, web="user.bioLink.link", research="bio_url")
    avatar_url: str | None = field(
        "avatar image (signed, expires)", URL, web=("user.avatarLarger", "user.avatarThumb"), research="avatar_url"
    )
    is_verified: bool | None = field("verified badge", FLAG, web="user.verified", research="is_verified")
    is_private: bool | None = field("private account", FLAG, web="user.privateAccount")
    follower_count: int | None = field(
        "followers", COUNT, unit="count", web=("statsV2.followerCount", "stats.followerCount"), web_note=STATS, research="follower_count"
    )
    following_count: int | None = field(
        "accounts followed", COUNT, unit="count", web=("statsV2.followingCount", "stats.followingCount"), research="following_count"
    )
    likes_count: int | None = field(
        "likes on all their videos", COUNT, unit="count", web_note=f"statsV2, else stats: {HEART}", research="likes_count"
    )
    video_count: int | None = field(
        "public videos", COUNT, unit="count", web=("statsV2.videoCount", "stats.videoCount"), research="video_count"
    )
    counts_exact: bool | None = field("true when counts came from exact fields (statsV2, Research API)", FLAG)
    counts_corrected: list[str] | None = field("count fields corrected for a 32-bit wrap", LIST)
    region_code: str | None = field("the account's region", NAME, unit="ISO 3166 alpha-2", web="user.region", web_note="SIGI_STATE pages")
    source: str | None = field(SOURCE_DOC, NAME)
    collector: str | None = field(COLLECTOR_DOC, NAME)
    run_id: str | None = field(
        "the crawl run that observed it (for imports: the file); profiles are kept once per run, so growth shows", NAME
    )
    scraped_at: str | None = field(SCRAPED_DOC, ISO_TIME, unit="ISO 8601 UTC")


@attrs.define(kw_only=True)
class Comment:
    """A comment or a reply."""

    id: str = field("comment id", ID, web="cid", research="id", required=True)
    video_id: str | None = field("video commented on", ID, web="aweme_id", research="video_id")
    parent_comment_id: str | None = field(
        "the comment replied to; for a top-level comment the video id, as the codebook defines",
        ID,
        web_note="reply_id (0: top level)",
        research="parent_comment_id",
    )
    text: str | None = field("text (personal data masked by TikTok in the Research API)", TEXT, web="text", research="text")
    like_count: int | None = field("likes", COUNT, unit="count", web="digg_count", research="like_count")
    reply_count: int | None = field("replies", COUNT, unit="count", web="reply_comment_total", research="reply_count")
    create_time: int | None = field("when posted", UNIX_TIME, unit="Unix seconds UTC", web="create_time", research="create_time")
    username: str | None = field("commenter's handle", HANDLE, web="user.unique_id")
    source: str | None = field(SOURCE_DOC, NAME)
    collector: str | None = field(COLLECTOR_DOC, NAME)
    scraped_at: str | None = field(SCRAPED_DOC, ISO_TIME, unit="ISO 8601 UTC")


@attrs.define(kw_only=True)
class Follow:
    """One follow edge, follower -> followee, as in a following list."""

    follower: str = field("handle of the account that follows", HANDLE, research_note="user_following: the requested user", required=True)
    followee: str = field("handle of the account followed", HANDLE, research_note="user_followers: the requested user", required=True)
    observed_at: str | None = field("when the edge was collected", ISO_TIME, unit="ISO 8601 UTC")
    via: str | None = field("which list showed it: following or followers", NAME)
    source: str | None = field(SOURCE_DOC, NAME)
    collector: str | None = field(COLLECTOR_DOC, NAME)


@attrs.define(kw_only=True)
class Hashtag:
    """A hashtag (TikTok calls it a challenge), stored once: as first seen. Its totals at every
    reading, including those read after it was first seen without them, are rows of totals.jsonl."""

    id: str = field("hashtag id", ID, web="challenge.id", required=True)
    name: str | None = field("name without #", NAME, web="challenge.title")
    description: str | None = field("description", NAME, web="challenge.desc")
    video_count: int | None = field(
        "videos TikTok reported when first stored (totals.jsonl: every reading)",
        COUNT,
        unit="count",
        web=("statsV2.videoCount", "stats.videoCount"),
    )
    view_count: int | None = field(
        "views TikTok reported when first stored (totals.jsonl: every reading)",
        COUNT,
        unit="count",
        web=("statsV2.viewCount", "stats.viewCount"),
    )
    source: str | None = field(SOURCE_DOC, NAME)
    collector: str | None = field(COLLECTOR_DOC, NAME)
    scraped_at: str | None = field(SCRAPED_DOC, ISO_TIME, unit="ISO 8601 UTC")


@attrs.define(kw_only=True)
class Sound:
    """A sound (TikTok calls it music), stored once: as first seen. Its count of videos at every
    reading is a row of totals.jsonl."""

    id: str = field("sound id", ID, web="music.id", research_note="a video's music_id", required=True)
    title: str | None = field("title", TEXT, web="music.title")
    author: str | None = field("author name", TEXT, web="music.authorName")
    original: bool | None = field("the creator's original sound", FLAG, web="music.original")
    video_count: int | None = field(
        "videos using it when first stored (totals.jsonl: every reading)", COUNT, unit="count", web="stats.videoCount"
    )
    play_url: str | None = field("audio URL (signed, expires)", URL, web="music.playUrl")
    source: str | None = field(SOURCE_DOC, NAME)
    collector: str | None = field(COLLECTOR_DOC, NAME)
    scraped_at: str | None = field(SCRAPED_DOC, ISO_TIME, unit="ISO 8601 UTC")


@attrs.define(kw_only=True)
class Playlist:
    """A playlist (TikTok calls it a mix), stored once: as first seen. Its videos carry its
    playlist_id; the number of videos TikTok reports at every reading is a row of totals.jsonl."""

    id: str = field("playlist id", ID, web=("id", "mixId"), research="playlist_id", required=True)
    name: str | None = field("name", TEXT, web=("name", "mixName"), research="playlist_name")
    username: str | None = field("handle of its creator", HANDLE, web=("creator.uniqueId", "author.uniqueId"))
    video_count: int | None = field(
        "videos TikTok reported when first stored (totals.jsonl: every reading)",
        COUNT,
        unit="count",
        web="videoCount",
        research="playlist_item_total",
    )
    cover_url: str | None = field("cover image URL (signed, expires)", URL, web="cover")
    source: str | None = field(SOURCE_DOC, NAME)
    collector: str | None = field(COLLECTOR_DOC, NAME)
    scraped_at: str | None = field(SCRAPED_DOC, ISO_TIME, unit="ISO 8601 UTC")


@attrs.define(kw_only=True)
class Totals:
    """TikTok's reported totals of a hashtag, a sound or a playlist, as one run read them: every crawl
    that reads them adds a row (one per entity and run), so a hashtag's size or a sound's use can be
    followed over time. hashtags.jsonl, sounds.jsonl and playlists.jsonl list each one once, as
    first stored; its totals at every reading are here."""

    id: str = field("the hashtag's, sound's or playlist's id", ID, required=True)
    kind: str | None = field("what the totals are of: hashtag, sound or playlist", NAME)
    name: str | None = field("the hashtag's name without #, the sound's title or the playlist's name", TEXT)
    video_count: int | None = field(
        "videos TikTok reports for it", COUNT, unit="count", web_note="the hashtag's, sound's or playlist's video_count"
    )
    view_count: int | None = field("views TikTok reports for it (hashtags only)", COUNT, unit="count", web_note="the hashtag's view_count")
    observed_at: str | None = field("when TikTok reported them (the answer's own time, else the server's)", ISO_TIME, unit="ISO 8601 UTC")
    source: str | None = field(SOURCE_DOC, NAME)
    collector: str | None = field(COLLECTOR_DOC, NAME)
    run_id: str | None = field("the crawl run that read them (for imports: the file); one row per entity and run", NAME)


@attrs.define(kw_only=True)
class UserStatus:
    """What the Research API said of a user a crawl asked about: kept so a refused user is not asked
    again, and so a network crawl can list every user with its status."""

    username: str = field("handle asked about", HANDLE, required=True)
    status: str | None = field("parsed, refused, not_found or error", NAME)
    reason: str | None = field("the API's message when it was not parsed", TEXT)
    observed_at: str | None = field("when it was asked", ISO_TIME, unit="ISO 8601 UTC")
    source: str | None = field(SOURCE_DOC, NAME)
    collector: str | None = field(COLLECTOR_DOC, NAME)


ITEM_TYPES: dict[str, type] = {
    "videos": Video,
    "users": User,
    "comments": Comment,
    "follows": Follow,
    "hashtags": Hashtag,
    "sounds": Sound,
    "playlists": Playlist,
    "totals": Totals,
    "user_statuses": UserStatus,
}
Item = Video | User | Comment | Follow | Hashtag | Sound | Playlist | Totals | UserStatus
