"""TikTok's web JSON shapes (TIKTOK-FORMATS.md §8), built from the world at a moment in time.

Key sets, types and absences follow the real samples in ../shared/fixtures/real: counts come twice,
rounded ints in ``stats`` and exact strings in ``statsV2``; ``createTime``, ``collectCount`` and ids
are strings in page JSON and ``createTime``/``collectCount`` ints in API JSON; ``challenges`` is
absent (not empty) on videos without hashtags; the int32 ``heart`` wraps past 2^31 while
``heartCount`` does not. Keys no sample shows (``imagePost`` for photo mode) follow third-party
parsers, as §8.2 notes.
"""

from __future__ import annotations

from typing import Any

from tiktok.simulator import vocabulary as vocab
from tiktok.simulator.media import VIDEO_HEIGHT, VIDEO_WIDTH, MediaSigner, video_bitrate, video_size
from tiktok.simulator.world import INT32, World


def rounded(n: int) -> int:
    """TikTok's rounded display figure: exact below 10,000, else one decimal of K, M or B.

    Matches every (stats, statsV2) pair in the samples: 9024473 -> 9000000, 412902 -> 412900,
    12580631 -> 12600000, 38490 -> 38500, 2182 -> 2182.
    """
    if n < 10_000:
        return n
    unit = 100 if n < 1_000_000 else 100_000 if n < 1_000_000_000 else 100_000_000
    return (n + unit // 2) // unit * unit


def wrap_int32(n: int) -> int:
    """What a signed 32-bit field shows for n: the real `heart` field wraps like this."""
    return (n + INT32) % (2 * INT32) - INT32


class WebShapes:
    """Builds item, user, hashtag, sound and comment structs as TikTok's web app serves them."""

    def __init__(self, world: World, media: MediaSigner) -> None:
        self.world = world
        self.media = media
        self._user_stats: dict[tuple[int, float], tuple[dict[str, int], dict[str, str]]] = {}

    # ----------------------------------------------------------------- users
    def author(self, u: int, t: float, page: bool = False) -> dict[str, Any]:
        w = self.world
        avatar = self.media.url("avatar", f"{u}.jpeg", t)
        d: dict[str, Any] = {
            "avatarLarger": avatar,
            "avatarMedium": avatar,
            "avatarThumb": avatar,
            "commentSetting": 0,
            "downloadSetting": 3,
            "duetSetting": 0,
            "ftc": False,
            "id": str(w.user_id(u)),
            "isADVirtual": False,
            "isEmbedBanned": False,
            "nickname": w.nickname(u),
            "openFavorite": False,
            "privateAccount": bool(w.u_private[u]),
            "relation": 0,
            "secUid": w.sec_uid(u),
            "secret": bool(w.u_private[u]),
            "signature": w.bio(u)[0],
            "stitchSetting": 0,
            "ttSeller": False,
            "uniqueId": w.username(u),
            "verified": bool(w.u_verified[u]),
        }
        if page:
            d.update(
                shortId="",
                createTime=int(w.u_created[u]),
                roomId="",
                uniqueIdModifyTime=0,
                recommendReason="",
                nowInvitationCardUrl="",
                nickNameModifyTime=0,
                canExpPlaylist=False,
                UserStoryStatus=0,
                suggestAccountBind=False,
            )
        return d

    def user_stats(self, u: int, t: float) -> tuple[dict[str, int], dict[str, str]]:
        """(stats, statsV2) of a user: rounded ints, and exact strings; `heart` wraps at 2^31.

        Kept for the life of this object (one request), where many items share a creator."""
        if (u, t) not in self._user_stats:
            self._user_stats[u, t] = self._compute_user_stats(u, t)
        return self._user_stats[u, t]

    def _compute_user_stats(self, u: int, t: float) -> tuple[dict[str, int], dict[str, str]]:
        s = self.world.user_stats(u, t)
        exact = {
            "followerCount": s["followers"],
            "followingCount": s["following"],
            "heart": wrap_int32(s["likes"]),
            "heartCount": s["likes"],
            "videoCount": s["videos"],
            "diggCount": s["digg"],
            "friendCount": s["friends"],
        }
        stats = {k: (wrap_int32(rounded(s["likes"])) if k == "heart" else rounded(v)) for k, v in exact.items()}
        return stats, {k: str(v) for k, v in exact.items()}

    def profile_user(self, u: int, t: float) -> dict[str, Any]:
        """`userInfo.user` of a profile page (webapp.user-detail)."""
        w = self.world
        d = self.author(u, t, page=True)
        link = w.bio(u)[1]
        d.update(
            UserStoryStatus=0,
            commerceUserInfo={"commerceUser": False},
            eventList=[],
            followingVisibility=1,
            isOrganization=0,
            language="en",
            profileEmbedPermission=1,
            profileTab={"showMusicTab": False, "showQuestionTab": False, "showPlayListTab": True},
            suggestAccountBind=False,
        )
        if link:
            d["bioLink"] = {"link": link, "risk": 0}
        return d

    def search_user(self, u: int, t: float) -> dict[str, Any]:
        """A user search result: `{user_info}` in the app's snake_case, as the comment users are."""
        w = self.world
        s = w.user_stats(u, t)
        avatar = self.media.url("avatar", f"{u}.jpeg", t)
        verified = bool(w.u_verified[u])
        return {
            "challenges": None,
            "items": None,
            "mix_list": None,
            "music": None,
            "position": None,
            "uniqid_position": None,
            "user_info": {
                "avatar_thumb": {"uri": f"avatar/{u}", "url_list": [avatar], "url_prefix": None},
                "aweme_count": s["videos"],
                "custom_verify": "Verified account" if verified else "",
                "enterprise_verify_reason": "",
                "follower_count": s["followers"],
                "following_count": s["following"],
                "nickname": w.nickname(u),
                "room_id": 0,
                "sec_uid": w.sec_uid(u),
                "signature": w.bio(u)[0],
                "total_favorited": s["likes"],
                "uid": str(w.user_id(u)),
                "unique_id": w.username(u),
                "verification_type": 1 if verified else 0,
            },
        }

    def mix_info(self, u: int, t: float) -> dict[str, Any]:
        """A playlist's `mixInfo`: TikTok-Api's Playlist reads id (or mixId), name (or mixName),
        videoCount, cover, and its maker as `creator`, in the item's author shape."""
        w = self.world
        rows = w.playlist_rows(u)
        rows = rows[w.public_mask(rows, t)]
        cover = self.media.url("cover", f"{w.video_id(int(rows[0]))}.jpeg", t) if len(rows) else ""
        return {
            "cover": cover,
            "creator": self.author(u, t),
            "id": str(w.playlist_id_of(u)),
            "name": w.playlist_name(u),
            "videoCount": len(rows),
        }

    # ----------------------------------------------------------------- videos
    def item(self, v: int, t: float, page: bool = False, blob_video: bool = False) -> dict[str, Any]:
        """One item struct. `page` gives the page-JSON variant (string createTime, collectCount)."""
        w = self.world
        u = int(w.v_author[v])
        c = w.video_counts(v, t)
        vid = str(w.video_id(v))
        desc = w.description(v)
        tags = w.hashtags_of(v)
        text_extra = self._text_extra(v, desc)
        ustats, ustats_v2 = self.user_stats(u, t)
        stats: dict[str, Any] = {
            "collectCount": rounded(c["collects"]),
            "commentCount": rounded(c["comments"]),
            "diggCount": rounded(c["likes"]),
            "playCount": rounded(c["views"]),
            "shareCount": rounded(c["shares"]),
        }
        if page:
            stats["collectCount"] = str(c["collects"])  # a string in page JSON, as sampled
        d: dict[str, Any] = {
            "AIGCDescription": "",
            "BAInfo": "",
            "CategoryType": 100 + v % 30,
            "adAuthorization": False,
            "adLabelVersion": 0,
            "aigcLabelType": 0,
            "author": self.author(u, t, page),
            "authorStats": ustats,
            "backendSourceEventTracking": "",
            "collected": False,
            "contents": [{"desc": desc, "textExtra": text_extra}],
            "createTime": str(w.v_create[v]) if page else int(w.v_create[v]),
            "desc": desc,
            "digged": False,
            "diversificationId": 10000 + v % 500,
            "duetDisplay": 0,
            "duetEnabled": True,
            "duetInfo": {"duetFromId": "0"},
            "forFriend": False,
            "id": vid,
            "isAd": bool(w.v_ad[v]),
            "itemCommentStatus": 0,
            "itemMute": False,
            "item_control": {"can_repost": True},
            "music": self.music(int(w.v_sound[v]), t, page),
            "officalItem": False,
            "originalItem": False,
            "playlistId": str(w.playlist_id(v) or ""),
            "privateItem": False,
            "secret": False,
            "shareEnabled": True,
            "showNotPass": False,
            "stats": stats,
            "statsV2": {
                "collectCount": str(c["collects"]),
                "commentCount": str(c["comments"]),
                "diggCount": str(c["likes"]),
                "playCount": str(c["views"]),
                "repostCount": "0",
                "shareCount": str(c["shares"]),
            },
            "stitchDisplay": 0,
            "stitchEnabled": True,
            "textLanguage": "en",
            "textTranslatable": True,
            "video": self._video(v, t, blob_video, page),
            "vl1": False,
        }
        if page:
            d["authorStatsV2"] = ustats_v2
            d["locationCreated"] = vocab.REGIONS[w.v_region[v]]
            d["comments"] = []
        if tags:
            d["challenges"] = [self._challenge(h) for h in tags]
        if text_extra:
            d["textExtra"] = text_extra
        if w.v_effect[v] >= 0:
            e = int(w.v_effect[v])
            d["effectStickers"] = [{"ID": w.effect_id(e), "name": vocab.EFFECT_NAMES[e], "stickerStats": {"useCount": 0}}]
        if w.v_sticker[v] >= 0:
            d["stickersOnItem"] = [{"stickerText": [vocab.STICKER_NAMES[int(w.v_sticker[v])]], "stickerType": 9}]
        if w.v_photo[v]:
            d["imagePost"] = self._image_post(v, t)
        return d

    def _text_extra(self, v: int, desc: str) -> list[dict[str, Any]]:
        w = self.world
        out = []
        for h in w.hashtags_of(v):
            start = desc.index(f"#{w.hashtag_names[h]}")
            out.append(
                {
                    "awemeId": "", "end": start + len(w.hashtag_names[h]) + 1, "hashtagId": w.hashtag_id(h),
                    "hashtagName": w.hashtag_names[h], "isCommerce": False, "secUid": "", "start": start,
                    "subType": 0, "type": 1, "userId": "", "userUniqueId": "",
                }
            )  # fmt: skip
        if w.v_mention[v] >= 0:
            m = int(w.v_mention[v])
            start = desc.index(f"@{w.username(m)}")
            out.append(
                {
                    "awemeId": "", "end": start + len(w.username(m)) + 1, "hashtagId": "", "hashtagName": "",
                    "isCommerce": False, "secUid": w.sec_uid(m), "start": start, "subType": 0, "type": 0,
                    "userId": str(w.user_id(m)), "userUniqueId": w.username(m),
                }
            )  # fmt: skip
        return out

    def _challenge(self, h: int) -> dict[str, Any]:
        w = self.world
        return {
            "coverLarger": "", "coverMedium": "", "coverThumb": "", "desc": "", "id": w.hashtag_id(h),
            "isCommerce": False, "profileLarger": "", "profileMedium": "", "profileThumb": "",
            "stats": {"videoCount": 0, "viewCount": 0}, "title": w.hashtag_names[h],
        }  # fmt: skip

    def _video(self, v: int, t: float, blob_video: bool, page: bool) -> dict[str, Any]:
        w = self.world
        vid = str(w.video_id(v))
        # Sizes and expiry times are strings in page JSON and ints in API lists, as sampled.
        num = str if page else int
        cover = self.media.url("cover", f"{vid}.jpeg", t)
        play = f"blob:{self.media.base}/{vid}" if blob_video else self.media.url("video", f"{vid}.mp4", t)
        # Size, bitrate and dimensions are those of the file the CDN serves (media.py); the UrlKey is
        # `<Uri>_<codec>_<gear>p_<bitrate>` as in every real sample (issue 12: yt-dlp reads it).
        duration = int(w.v_duration[v])
        size, bitrate = video_size(duration), video_bitrate(duration)
        d: dict[str, Any] = {
            "VQScore": "75.58",
            "bitrate": bitrate,
            "bitrateInfo": [
                {
                    "Bitrate": bitrate,
                    "CodecType": "h264",
                    "GearName": "normal_540_0",
                    "PlayAddr": {
                        "DataSize": num(size), "FileHash": vid[-8:], "Height": VIDEO_HEIGHT, "Uri": f"v{vid}",
                        "UrlKey": f"v{vid}_h264_540p_{bitrate}", "UrlList": [play], "Width": VIDEO_WIDTH,
                    },
                    "QualityType": 20,
                }
            ],
            "claInfo": self._cla_info(v, t, page),
            "codecType": "h264",
            "cover": cover,
            "definition": "540p",
            "duration": duration,
            "dynamicCover": cover,
            "encodeUserTag": "",
            "encodedType": "normal",
            "format": "mp4",
            "height": VIDEO_HEIGHT,
            "id": vid,
            "originCover": cover,
            "playAddr": play,
            "ratio": "540p",
            "reflowCover": cover,
            "shareCover": ["", cover],
            "size": num(size),
            "videoQuality": "normal",
            "volumeInfo": {"Loudness": -20.5, "Peak": 0.5},
            "width": VIDEO_WIDTH,
            "zoomCover": {"240": cover, "480": cover, "720": cover, "960": cover},
        }  # fmt: skip
        # The 2025-01 item lists lack downloadAddr (TIKTOK-FORMATS.md §8.2); the video page has it.
        if v % 2:
            d["downloadAddr"] = play
        if w.v_captions[v]:
            d["subtitleInfos"] = [
                {
                    "Format": "webvtt", "LanguageCodeName": "eng-US", "LanguageID": "2", "Size": num(200),
                    "Source": "ASR", "Url": self.media.url("caption", f"{vid}.eng-US.vtt", t),
                    "UrlExpire": num(self.media.expires(t)), "Version": "1:whisper_lid",
                }
            ]  # fmt: skip
        return d

    def _cla_info(self, v: int, t: float, page: bool) -> dict[str, Any]:
        """Caption info; the video page also lists the caption files here (captionInfos)."""
        w = self.world
        d: dict[str, Any] = {
            "enableAutoCaption": bool(w.v_captions[v]),
            "hasOriginalAudio": False,
            "noCaptionReason": 0 if w.v_captions[v] else 3,
        }
        if page and w.v_captions[v]:
            url = self.media.url("caption", f"{w.video_id(v)}.eng-US.vtt", t)
            d["captionsType"] = "2"
            d["originalLanguageInfo"] = {"language": "eng-US", "languageID": "2", "languageCode": "en", "canTranslateRealTimeNoCheck": True}
            d["captionInfos"] = [
                {
                    "language": "eng-US", "languageID": "2", "url": url, "expire": str(self.media.expires(t)),
                    "captionFormat": "webvtt", "isAutoGen": True, "subID": str(v), "claSubtitleID": str(w.video_id(v)),
                    "languageCode": "en", "isOriginalCaption": True, "urlList": [url], "variant": "default",
                    "subtitleType": "4", "translationType": "0",
                }
            ]  # fmt: skip
        return d

    def _image_post(self, v: int, t: float) -> dict[str, Any]:
        vid = str(self.world.video_id(v))
        images = [
            {
                "imageURL": {"urlList": [self.media.url("image", f"{vid}-{i}.jpeg", t)]},
                "imageWidth": 720,
                "imageHeight": 1280,
            }
            for i in range(int(self.world.v_images[v]))
        ]
        return {"images": images, "cover": images[0], "title": ""}

    # ----------------------------------------------------------------- sounds and hashtags
    def music(self, s: int, t: float, page: bool = False) -> dict[str, Any]:
        w = self.world
        cover = self.media.url("avatar", f"{int(w.s_author[s])}.jpeg", t)
        extra: dict[str, Any] = {}
        if page:  # the 2025 video page's newer music keys (§8.2)
            length = float(w.s_duration[s])
            precise = ("preciseDuration", "preciseShootDuration", "preciseAuditionDuration", "preciseVideoDuration")
            extra = {"collected": False, "preciseDuration": dict.fromkeys(precise, length), "private": False, "scheduleSearchTime": 0}
        return {
            **extra,
            "album": "",
            "authorName": w.sound_author(s),
            "coverLarge": cover,
            "coverMedium": cover,
            "coverThumb": cover,
            "duration": int(w.s_duration[s]),
            "id": str(w.music_id(s)),
            "isCopyrighted": not bool(w.s_original[s]),
            "original": bool(w.s_original[s]),
            "playUrl": self.media.url("music", f"{w.music_id(s)}.mp3", t),
            "title": w.sound_title(s),
        }

    def sound_video_count(self, s: int, t: float) -> int:
        return int(self.world.public_mask(self.world.sound_rows(s), t).sum())

    def challenge_info(self, h: int, t: float) -> dict[str, Any]:
        """`challengeInfo` of a hashtag: the challenge, and its totals (videos, summed views)."""
        w = self.world
        rows = w.hashtag_rows(h)
        rows = rows[w.public_mask(rows, t)]
        views = int(w.counts(rows, t)["views"].sum()) if len(rows) else 0
        challenge = self._challenge(h)
        challenge.pop("stats")
        challenge["desc"] = f"Videos about #{w.hashtag_names[h]}"
        return {
            "challenge": challenge,
            "stats": {"videoCount": rounded(len(rows)), "viewCount": rounded(views)},
            "statsV2": {"videoCount": str(len(rows)), "viewCount": str(views)},
        }

    # ----------------------------------------------------------------- comments
    def comment(self, v: int, k: int, reply: int, created: int, t: float) -> dict[str, Any]:
        """A comment in the app-style snake_case shape of /api/comment/list/ (§8.4)."""
        w = self.world
        cid = w.comment_id(v, k, reply)
        author = w.comment_author(v, k, reply)
        avatar = self.media.url("avatar", f"{author}.jpeg", t)
        return {
            "author_pin": False,
            "aweme_id": str(w.video_id(v)),
            "cid": str(cid),
            "collect_stat": 0,
            "comment_language": "en",
            "create_time": created,
            "digg_count": w.comment_likes(v, k, reply),
            "image_list": None,
            "is_author_digged": False,
            "label_list": None,
            "no_show": False,
            "reply_comment": None,
            "reply_comment_total": w.replies_of(v, k) if reply == 0 else 0,
            "reply_id": "0" if reply == 0 else str(w.comment_id(v, k)),
            "reply_to_reply_id": "0",
            "share_info": {"acl": {"code": 0, "extra": "{}"}, "desc": "", "title": "", "url": ""},
            "status": 1,
            "stick_position": 0,
            "text": w.comment_text(v, k, reply),
            "text_extra": [],
            "trans_btn_style": 0,
            "user": {
                "avatar_thumb": {"uri": f"avatar/{author}", "url_list": [avatar], "url_prefix": None},
                "custom_verify": "",
                "enterprise_verify_reason": "",
                "nickname": w.nickname(author),
                "sec_uid": w.sec_uid(author),
                "uid": str(w.user_id(author)),
                "unique_id": w.username(author),
            },
            "user_buried": False,
            "user_digged": 0,
        }
