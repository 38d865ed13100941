"""One schema for all TikTok data, from web pages, the web API, the Research API and imports.

Field names follow the Research API codebook where it has one, so data can be read with TikTok's
codebook in hand. Only the key is required; every other field is None when the source lacks it,
never a guess. Each field's metadata says what it means, its unit and where it comes from in web
JSON and in the Research API: `python -m tiktok schema` prints that as the data dictionary
(docs/SCHEMA.md). Ids are strings so 19- and 20-digit ids keep full precision in every tool.
"""

from __future__ import annotations

from typing import Any

import attrs


def field(doc: str, *, unit: str = "", web: str = "", research: str = "", required: bool = False) -> Any:
    """A schema field: None by default, with its meaning, unit and source paths as metadata."""
    metadata = {"doc": doc, "unit": unit, "web": web, "research": research}
    if required:
        return attrs.field(metadata=metadata)
    return attrs.field(default=None, metadata=metadata)


SOURCE_DOC = "what produced this record: foryou, hashtag:<name>, research:<query name>, import:<file name>, ..."
SCRAPED_DOC = "when this record was observed (for imports: the capture time the file carries, else null)"


@attrs.define(kw_only=True)
class Video:
    """One observation of a video: the same video seen in two runs is two rows, so growth shows."""

    id: str = field("video id", unit="19-20 digit string", web="id", research="id", required=True)
    url: str | None = field("canonical page URL https://www.tiktok.com/@<username>/video/<id>", web="derived", research="derived")
    username: str | None = field("creator's handle", web="author.uniqueId (SIGI: author)", research="username")
    author_id: str | None = field("creator's numeric id", web="author.id (SIGI: authorId)")
    author_nickname: str | None = field("creator's display name", web="author.nickname (SIGI: nickname)")
    create_time: int | None = field("when the video was posted", unit="Unix seconds UTC", web="createTime", research="create_time")
    video_description: str | None = field("caption as written, with hashtags and mentions", web="desc", research="video_description")
    region_code: str | None = field(
        "region the video was posted from", unit="ISO 3166 alpha-2", web="locationCreated", research="region_code"
    )
    view_count: int | None = field(
        "plays", unit="count", web="statsV2.playCount (exact) or stats.playCount (rounded)", research="view_count"
    )
    like_count: int | None = field("likes", unit="count", web="statsV2.diggCount or stats.diggCount", research="like_count")
    comment_count: int | None = field("comments", unit="count", web="statsV2.commentCount or stats.commentCount", research="comment_count")
    share_count: int | None = field("shares", unit="count", web="statsV2.shareCount or stats.shareCount", research="share_count")
    favorites_count: int | None = field(
        "times saved to favourites", unit="count", web="statsV2.collectCount or stats.collectCount", research="favorites_count"
    )
    repost_count: int | None = field("reposts", unit="count", web="statsV2.repostCount")
    counts_exact: bool | None = field(
        "true when every count came from an exact field (statsV2, Research API); false when rounded or parsed from display text"
    )
    counts_corrected: list[str] | None = field("count fields corrected for a 32-bit wrap (e.g. author_likes_count)")
    music_id: str | None = field("sound id", web="music.id", research="music_id")
    music_title: str | None = field("sound title", web="music.title")
    music_author: str | None = field("sound author name", web="music.authorName")
    music_original: bool | None = field("true when the sound is the creator's original", web="music.original")
    music_url: str | None = field("sound file URL (signed, expires)", web="music.playUrl")
    hashtag_names: list[str] | None = field(
        "hashtags in the order written, without #", web="textExtra[type=1].hashtagName, else challenges[].title", research="hashtag_names"
    )
    mentions: list[str] | None = field("mentioned handles", web="textExtra[type=0].userUniqueId", research="video_mention_list")
    video_duration: int | None = field("length", unit="seconds", web="video.duration", research="video_duration")
    is_photo_mode: bool | None = field("true for a photo slideshow", web="imagePost present")
    image_urls: list[str] | None = field("photo-mode images (signed, expire)", web="imagePost.images[].imageURL.urlList[0]")
    cover_url: str | None = field("cover image (signed, expires)", web="video.cover (photo mode: imagePost.cover)")
    video_url: str | None = field("video file (signed, expires; may be a blob: URL)", web="video.playAddr, else video.downloadAddr")
    caption_urls: list[dict[str, str]] | None = field(
        "TikTok's own captions: [{language, url}] (WebVTT)", web="video.subtitleInfos[].Url, video.claInfo.captionInfos[].url"
    )
    effect_ids: list[str] | None = field("effects used", web="effectStickers[].ID", research="effect_ids")
    playlist_id: str | None = field("playlist the video belongs to", web="playlistId", research="playlist_id")
    voice_to_text: str | None = field("TikTok's transcript of the speech", research="voice_to_text")
    is_ad: bool | None = field("true for an advertisement", web="isAd")
    author_follower_count: int | None = field(
        "creator's followers when observed", unit="count", web="authorStatsV2/authorStats.followerCount"
    )
    author_following_count: int | None = field("accounts the creator follows", unit="count", web="authorStatsV2/authorStats.followingCount")
    author_likes_count: int | None = field(
        "likes on all the creator's videos", unit="count", web="authorStatsV2/authorStats.heartCount (heart wraps at 2^31)"
    )
    author_video_count: int | None = field("creator's public videos", unit="count", web="authorStatsV2/authorStats.videoCount")
    source: str | None = field(SOURCE_DOC)
    feed_position: int | None = field("position in the feed it was collected from, from 1", unit="rank")
    run_id: str | None = field("the crawl run that observed it (for imports: the file); videos are kept once per run and source")
    scraped_at: str | None = field(SCRAPED_DOC, unit="ISO 8601 UTC")
    cover_path: str | None = field("where the cover was stored, under DATA_DIR (set by the media pipeline)")
    video_path: str | None = field("where the video was stored, under DATA_DIR (set by the media pipeline)")
    image_paths: list[str] | None = field("where photo-mode images were stored, under DATA_DIR (media pipeline)")
    caption_path: str | None = field("where TikTok's caption file was stored, under DATA_DIR (media pipeline; English first)")
    download_timestamp: str | None = field("when media were downloaded; null on failure", unit="ISO 8601 UTC")
    download_error: str | None = field("why a media download failed")
    ocr_text: str | None = field("text read from the cover and photo-mode images (OCR pipeline)")
    ocr_error: str | None = field("why the images gave no text (e.g. an unreadable image)")
    transcript: str | None = field("what is said in the video, as plain text (captions pipeline)")
    transcript_source: str | None = field("where the transcript came from: captions, voice_to_text or transcriber:<name>")


@attrs.define(kw_only=True)
class User:
    """One observation of a creator's profile, keyed by handle (the Research API has no user id):
    the same profile seen in two runs is two rows, so follower growth shows."""

    username: str = field("handle", web="userInfo.user.uniqueId", research="the requested username", required=True)
    user_id: str | None = field("numeric id", web="userInfo.user.id")
    sec_uid: str | None = field("secure id the web API takes", web="userInfo.user.secUid")
    display_name: str | None = field("display name", web="userInfo.user.nickname", research="display_name")
    bio_description: str | None = field("bio", web="userInfo.user.signature", research="bio_description")
    bio_url: str | None = field("link in bio", web="userInfo.user.bioLink.link", research="bio_url")
    avatar_url: str | None = field("avatar image (signed, expires)", web="userInfo.user.avatarLarger", research="avatar_url")
    is_verified: bool | None = field("verified badge", web="userInfo.user.verified", research="is_verified")
    is_private: bool | None = field("private account", web="userInfo.user.privateAccount")
    follower_count: int | None = field("followers", unit="count", web="statsV2/stats.followerCount", research="follower_count")
    following_count: int | None = field("accounts followed", unit="count", web="statsV2/stats.followingCount", research="following_count")
    likes_count: int | None = field(
        "likes on all their videos", unit="count", web="statsV2/stats.heartCount (heart wraps at 2^31)", research="likes_count"
    )
    video_count: int | None = field("public videos", unit="count", web="statsV2/stats.videoCount", research="video_count")
    counts_exact: bool | None = field("true when counts came from exact fields (statsV2, Research API)")
    counts_corrected: list[str] | None = field("count fields corrected for a 32-bit wrap")
    region_code: str | None = field("the account's region", unit="ISO 3166 alpha-2", web="userInfo.user.region (SIGI)")
    source: str | None = field(SOURCE_DOC)
    run_id: str | None = field("the crawl run that observed it (for imports: the file); profiles are kept once per run, so growth shows")
    scraped_at: str | None = field(SCRAPED_DOC, unit="ISO 8601 UTC")


@attrs.define(kw_only=True)
class Comment:
    """A comment or a reply."""

    id: str = field("comment id", web="cid", research="id", required=True)
    video_id: str | None = field("video commented on", web="aweme_id", research="video_id")
    parent_comment_id: str | None = field(
        "the comment replied to; for a top-level comment the video id, as the codebook defines",
        web="reply_id (0: top level)",
        research="parent_comment_id",
    )
    text: str | None = field("text (personal data masked by TikTok in the Research API)", web="text", research="text")
    like_count: int | None = field("likes", unit="count", web="digg_count", research="like_count")
    reply_count: int | None = field("replies", unit="count", web="reply_comment_total", research="reply_count")
    create_time: int | None = field("when posted", unit="Unix seconds UTC", web="create_time", research="create_time")
    username: str | None = field("commenter's handle", web="user.unique_id")
    source: str | None = field(SOURCE_DOC)
    scraped_at: str | None = field(SCRAPED_DOC, unit="ISO 8601 UTC")


@attrs.define(kw_only=True)
class Follow:
    """One follow edge, follower -> followee, as in a following list."""

    follower: str = field("handle of the account that follows", research="user_following: the requested user", required=True)
    followee: str = field("handle of the account followed", research="user_followers: the requested user", required=True)
    observed_at: str | None = field("when the edge was collected", unit="ISO 8601 UTC")
    via: str | None = field("which list showed it: following or followers")
    source: str | None = field(SOURCE_DOC)


@attrs.define(kw_only=True)
class Hashtag:
    """A hashtag (TikTok calls it a challenge)."""

    id: str = field("hashtag id", web="challengeInfo.challenge.id, challenges[].id", required=True)
    name: str | None = field("name without #", web="challenge.title")
    description: str | None = field("description", web="challenge.desc")
    video_count: int | None = field("videos TikTok reports for it", unit="count", web="challengeInfo.statsV2/stats.videoCount")
    view_count: int | None = field("views TikTok reports for it", unit="count", web="challengeInfo.statsV2/stats.viewCount")
    source: str | None = field(SOURCE_DOC)
    scraped_at: str | None = field(SCRAPED_DOC, unit="ISO 8601 UTC")


@attrs.define(kw_only=True)
class Sound:
    """A sound (TikTok calls it music)."""

    id: str = field("sound id", web="music.id", research="music_id", required=True)
    title: str | None = field("title", web="music.title")
    author: str | None = field("author name", web="music.authorName")
    original: bool | None = field("the creator's original sound", web="music.original")
    video_count: int | None = field("videos using it", unit="count", web="musicInfo.stats.videoCount")
    play_url: str | None = field("audio URL (signed, expires)", web="music.playUrl")
    source: str | None = field(SOURCE_DOC)
    scraped_at: str | None = field(SCRAPED_DOC, unit="ISO 8601 UTC")


@attrs.define(kw_only=True)
class UserStatus:
    """What the Research API said of a user a crawl asked about: kept so a refused user is not asked
    again, and so a network crawl can list every user with its status."""

    username: str = field("handle asked about", required=True)
    status: str | None = field("parsed, refused, not_found or error")
    reason: str | None = field("the API's message when it was not parsed")
    observed_at: str | None = field("when it was asked", unit="ISO 8601 UTC")
    source: str | None = field(SOURCE_DOC)


ITEM_TYPES: dict[str, type] = {
    "videos": Video,
    "users": User,
    "comments": Comment,
    "follows": Follow,
    "hashtags": Hashtag,
    "sounds": Sound,
    "user_statuses": UserStatus,
}
Item = Video | User | Comment | Follow | Hashtag | Sound | UserStatus
