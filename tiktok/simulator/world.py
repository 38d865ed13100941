"""The simulated TikTok world: users, videos, hashtags, sounds, comments and a follow graph.

Deterministic from (seed, size). Entities are rows of numpy arrays, so the large world (1,000,000
videos) builds in about a second and a few hundred MB; their texts (names, descriptions, comments)
are derived on demand from a per-entity hash and never stored. Ids are invertible: a video id is
``create_time << 32 | row`` (TikTok's own video ids carry their creation second in the top bits), a
username ends in its row number, so any id leads back to its row without a lookup table.

Counts are closed-form curves of the simulated time (see ``counts``), so a snapshot at any moment is
exact and monotone, and a few videos go viral: their views per hour jump far above the rest for
``VIRAL_HOURS`` and their creators gain followers meanwhile.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from tiktok.simulator import vocabulary as vocab

EPOCH = 1780272000  # 2026-06-01T00:00:00Z: the simulated clock starts here, at a quota reset.
DAY = 86400
HISTORY_DAYS = 60  # videos exist from EPOCH - 60 days ...
FUTURE_DAYS = 10  # ... to EPOCH + 10 days; later ones appear as the clock advances.
VIRAL_HOURS = 36.0
MAX_TOP_COMMENTS = 65535
INT32 = 2**31

USER_ID_BASE = 6_800_000_000_000_000_000
USER_ID_STRIDE = 1_000_003
MUSIC_ID_BASE = 7_368_000_000_000_000_000
MUSIC_ID_STRIDE = 7_919
HASHTAG_ID_BASE = 1_600_000_000_000_000
PLAYLIST_ID_BASE = 7_455_000_000_000_000_000
COMMENT_ID_BASE = 7_000_000_000_000_000_000
EFFECT_ID_BASE = 1_000_000
REPLY_SLOTS = 16  # comment ids hold (video row, top-level index, reply number 0..15)


@dataclass(frozen=True)
class WorldSize:
    users: int
    videos: int
    hashtags: int
    sounds: int
    mean_following: int


SIZES = {
    "small": WorldSize(users=80, videos=600, hashtags=40, sounds=60, mean_following=12),
    # Enough videos per interest (a few hundred #cats) for For-You audits to measure a drift.
    "medium": WorldSize(users=10_000, videos=100_000, hashtags=2_000, sounds=5_000, mean_following=12),
    "large": WorldSize(users=100_000, videos=1_000_000, hashtags=20_000, sounds=50_000, mean_following=12),
}


def entity_random(seed: int, kind: str, row: int) -> random.Random:
    """A generator for one entity's texts: same seed, kind and row give the same text anywhere."""
    return random.Random(f"{seed}:{kind}:{row}")


def _csr(keys: np.ndarray, n: int, order_by: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group rows by key (0..n-1): returns (rows sorted by key then by order_by desc, offsets)."""
    order = np.lexsort((-order_by, keys))
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=offsets[1:])
    return order, offsets


class World:
    """All entities of one simulated TikTok, as arrays plus accessors by id and name."""

    def __init__(self, seed: int, size: str) -> None:
        if size not in SIZES:
            raise ValueError(f"unknown world size {size!r}; choose one of {', '.join(SIZES)}")
        self.seed = seed
        self.size_name = size
        self.size = SIZES[size]
        rng = np.random.default_rng(seed)
        self._build_users(rng)
        self._build_sounds(rng)
        self._build_videos(rng)
        self._build_graph(rng)
        self.hashtag_names = [self._hashtag_name(i) for i in range(self.size.hashtags)]
        self._hashtag_by_name = {name.lower(): i for i, name in enumerate(self.hashtag_names)}

    # ----------------------------------------------------------------- construction
    def _build_users(self, rng: np.random.Generator) -> None:
        n = self.size.users
        self.u_region = rng.choice(len(vocab.REGIONS), size=n, p=np.array(vocab.REGION_WEIGHTS) / sum(vocab.REGION_WEIGHTS)).astype(np.int8)
        # Heavy-tailed audiences: a few creators hold most followers, as on the real site.
        self.u_follower_base = np.floor(10 ** rng.uniform(1.5, 5.0, n) * (1 + rng.pareto(1.1, n))).astype(np.int64)
        self.u_follower_growth = rng.uniform(0.0, 0.0004, n)  # share of base gained per hour
        self.u_heart_base = (self.u_follower_base * rng.uniform(2, 15, n)).astype(np.int64)
        top = np.argsort(-self.u_follower_base)[: max(2, n // 20_000)]
        # The top creators' total likes pass 2^31, where the web's int32 `heart` wraps.
        self.u_heart_base[top] = rng.integers(2_200_000_000, 3_500_000_000, len(top))
        self.u_verified = self.u_follower_base >= np.quantile(self.u_follower_base, 0.9)
        self.u_private = (rng.random(n) < 0.08) & ~self.u_verified
        self.u_refused = (rng.random(n) < 0.04) & ~self.u_private & ~self.u_verified  # under-age
        self.u_created = EPOCH - rng.integers(90, 2500, n) * DAY
        self.u_lc_ratio = rng.uniform(40, 250, n)  # each creator's likes-to-comments ratio
        share = rng.pareto(1.2, n) + 0.05
        counts = rng.multinomial(self.size.videos, share / share.sum())
        self.u_video_start = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=self.u_video_start[1:])

    def _build_sounds(self, rng: np.random.Generator) -> None:
        n = self.size.sounds
        self.s_author = rng.integers(0, self.size.users, n)
        self.s_original = rng.random(n) < 0.4
        self.s_duration = rng.integers(8, 90, n)
        k = max(3, n // 200)
        self.viral_sounds = rng.choice(n, size=k, replace=False)
        self.s_viral_start = np.zeros(n, dtype=np.int64)
        self.s_viral_start[self.viral_sounds] = EPOCH + rng.integers(-DAY, 4 * DAY, k)

    def _build_videos(self, rng: np.random.Generator) -> None:
        n, users = self.size.videos, self.size.users
        self.v_author = np.repeat(np.arange(users), np.diff(self.u_video_start)).astype(np.int32)
        self.v_create = rng.integers(EPOCH - HISTORY_DAYS * DAY, EPOCH + FUTURE_DAYS * DAY, n)
        self.v_region = self.u_region[self.v_author]
        fb = self.u_follower_base[self.v_author].astype(np.float64)
        self.v_peak = np.exp(rng.normal(np.log(fb * 0.8 + 300), 1.0)).astype(np.float64)
        self.v_tau = rng.uniform(12, 96, n)
        self.v_like_ratio = rng.uniform(0.04, 0.14, n)
        self.v_share_ratio = rng.uniform(0.002, 0.02, n)
        self.v_collect_ratio = rng.uniform(0.05, 0.2, n)
        self.v_lc_ratio = self.u_lc_ratio[self.v_author] * rng.uniform(0.9, 1.1, n)
        self.v_reply_pattern = rng.choice([0, 0, 0, 0, 0, 1, 1, 2, 3, 8], size=(n, 7)).astype(
            np.uint8
        )  # replies of top-level comment k: pattern[k % 7]
        kind = rng.random(n)
        self.v_duration = np.where(
            kind < 0.6,
            rng.integers(5, 15, n),
            np.where(kind < 0.85, rng.integers(15, 60, n), np.where(kind < 0.97, rng.integers(60, 300, n), rng.integers(300, 900, n))),
        )
        self.v_photo = rng.random(n) < 0.05
        self.v_images = np.where(self.v_photo, rng.integers(2, 6, n), 0).astype(np.int8)
        self.v_ad = rng.random(n) < 0.015
        self.v_captions = (rng.random(n) < 0.4) & ~self.v_photo
        self.v_effect = np.where(rng.random(n) < 0.15, rng.integers(0, len(vocab.EFFECT_NAMES), n), -1)
        self.v_sticker = np.where(rng.random(n) < 0.1, rng.integers(0, len(vocab.STICKER_NAMES), n), -1)
        self.v_playlist = rng.random(n) < 0.04
        self.v_mention = np.where(rng.random(n) < 0.08, rng.integers(0, users, n), -1).astype(np.int32)
        self.v_words = rng.integers(0, len(vocab.DESCRIPTION_WORDS), (n, 6)).astype(np.int16)
        self.v_words[:, 3:][rng.random((n, 3)) < 0.5] = -1
        self.v_cover_words = rng.integers(0, len(vocab.COVER_WORDS), (n, 3)).astype(np.int16)
        self.v_cover_words[:, 2][rng.random(n) < 0.5] = -1
        # Hashtags: up to 4 per video, Zipf-popular, no repeats within one video.
        weights = 1.0 / np.arange(1, self.size.hashtags + 1) ** 1.05
        tags = rng.choice(self.size.hashtags, size=(n, 4), p=weights / weights.sum())
        keep = np.arange(4)[None, :] < rng.choice(5, size=n, p=[0.12, 0.3, 0.3, 0.18, 0.1])[:, None]
        for j in range(1, 4):
            keep[:, j] &= (tags[:, :j] != tags[:, j : j + 1]).all(axis=1)
        self.v_tags = np.where(keep, tags, -1).astype(np.int32)
        # Sounds: Zipf-popular, and viral sounds spread: after its start a sound is taken up often.
        sw = 1.0 / np.arange(1, self.size.sounds + 1) ** 1.1
        self.v_sound = rng.choice(self.size.sounds, size=n, p=sw / sw.sum())
        pick = self.viral_sounds[rng.integers(0, len(self.viral_sounds), n)]
        adopt = (self.v_create > self.s_viral_start[pick]) & (rng.random(n) < 0.3)
        self.v_sound = np.where(adopt, pick, self.v_sound).astype(np.int32)
        # Viral videos: created around the clock's start, so hourly snapshots catch them rising.
        window = np.flatnonzero((self.v_create > EPOCH - DAY) & (self.v_create < EPOCH + 3 * DAY) & ~self.u_private[self.v_author])
        k = min(len(window), max(6, n // 150))
        self.viral_videos = np.sort(rng.choice(window, size=k, replace=False))
        self.v_viral_start = np.zeros(n, dtype=np.int64)
        self.v_viral_start[self.viral_videos] = self.v_create[self.viral_videos] + rng.integers(3600, 6 * 3600, k)
        self.v_viral_rate = np.zeros(n)
        self.v_viral_rate[self.viral_videos] = rng.uniform(2e5, 1e6, k)  # extra views per hour
        self.v_follower_gain = np.zeros(n)
        self.v_follower_gain[self.viral_videos] = self.v_viral_rate[self.viral_videos] * VIRAL_HOURS * rng.uniform(0.002, 0.01, k)
        # Deleted videos: some before the clock starts, some while it runs; never a viral one.
        deleted = (rng.random(n) < 0.03) & (self.v_viral_start == 0)
        later = rng.random(n) < 0.5
        start = np.where(later, np.maximum(self.v_create, EPOCH), self.v_create) + 3600
        self.v_deleted_at = np.where(deleted, start + rng.integers(0, 10 * DAY, n), 0)
        self.u_viral_videos: dict[int, list[int]] = {}
        for v in self.viral_videos.tolist():
            self.u_viral_videos.setdefault(int(self.v_author[v]), []).append(v)
        self.hashtag_videos, self.hashtag_offsets = _csr_multi(self.v_tags, self.size.hashtags, self.v_create)
        self.sound_videos, self.sound_offsets = _csr(self.v_sound, self.size.sounds, self.v_create)
        self.s_first_use = np.full(self.size.sounds, np.iinfo(np.int64).max)
        np.minimum.at(self.s_first_use, self.v_sound, self.v_create)

    def _build_graph(self, rng: np.random.Generator) -> None:
        n = self.size.users
        degree = np.minimum(n - 1, np.floor(rng.pareto(1.6, n) * self.size.mean_following * 0.6 + 1)).astype(np.int64)
        src = np.repeat(np.arange(n), degree)
        pull = self.u_follower_base.astype(np.float64) ** 0.8
        dst = rng.choice(n, size=len(src), p=pull / pull.sum())
        pairs = np.unique(src[src != dst] * n + dst[src != dst])
        self.e_src, self.e_dst = pairs // n, pairs % n
        span = (HISTORY_DAYS + FUTURE_DAYS) * DAY
        # Distinct follow times, so a timestamp cursor never splits two follows of one second.
        self.e_time = EPOCH - HISTORY_DAYS * DAY + rng.choice(span, size=len(pairs), replace=False)
        self.following_order, self.following_offsets = _csr(self.e_src, n, self.e_time)
        self.followers_order, self.followers_offsets = _csr(self.e_dst, n, self.e_time)

    # ----------------------------------------------------------------- names and ids
    def _hashtag_name(self, i: int) -> str:
        base = vocab.HASHTAG_NAMES
        return base[i] if i < len(base) else f"{base[i % len(base)]}{i // len(base)}"

    def hashtag_by_name(self, name: str) -> int | None:
        return self._hashtag_by_name.get(name.lower().lstrip("#"))

    def hashtag_id(self, h: int) -> str:
        return str(HASHTAG_ID_BASE + h)

    def hashtag_by_id(self, value: str) -> int | None:
        h = _int_or_none(value)
        return h - HASHTAG_ID_BASE if h is not None and 0 <= h - HASHTAG_ID_BASE < self.size.hashtags else None

    def username(self, u: int) -> str:
        r = entity_random(self.seed, "user", u)
        sep = r.choice(("", ".", "_"))
        return f"{r.choice(vocab.FIRST_NAMES)}{sep}{r.choice(vocab.LAST_WORDS)}{u}"

    def user_by_name(self, name: str) -> int | None:
        name = name.lower().lstrip("@")
        digits = len(name) - len(name.rstrip("0123456789"))
        if not digits or digits > 7:
            return None
        u = int(name[-digits:])
        return u if u < self.size.users and self.username(u) == name else None

    def user_id(self, u: int) -> int:
        return USER_ID_BASE + u * USER_ID_STRIDE

    def user_by_id(self, value: str | int) -> int | None:
        x = _int_or_none(value)
        if x is None or (x - USER_ID_BASE) % USER_ID_STRIDE:
            return None
        u = (x - USER_ID_BASE) // USER_ID_STRIDE
        return u if 0 <= u < self.size.users else None

    def sec_uid(self, u: int) -> str:
        digest = hashlib.sha256(f"{self.seed}:secuid:{u}".encode()).digest()[:40]
        return "MS4wLjABAAAA" + base64.urlsafe_b64encode(u.to_bytes(5, "big") + digest).decode().rstrip("=")

    def user_by_sec_uid(self, value: str) -> int | None:
        if not value.startswith("MS4wLjABAAAA"):
            return None
        try:
            raw = base64.urlsafe_b64decode(value[12:] + "=" * (-len(value[12:]) % 4))
        except ValueError:
            return None
        u = int.from_bytes(raw[:5], "big")
        return u if u < self.size.users and self.sec_uid(u) == value else None

    def nickname(self, u: int) -> str:
        r = entity_random(self.seed, "user", u)
        r.choice(("", ".", "_"))  # the same draws as username(), so the names agree
        first, last = r.choice(vocab.FIRST_NAMES), r.choice(vocab.LAST_WORDS)
        return f"{first.title()} {last.title()}{r.choice(vocab.DISPLAY_SUFFIXES)}"

    def bio(self, u: int) -> tuple[str, str]:
        r = entity_random(self.seed, "bio", u)
        line = r.choice(vocab.BIO_LINES)
        link = f"https://example.org/{self.username(u)}" if r.random() < 0.2 else ""
        return line, link

    def video_id(self, v: int) -> int:
        return (int(self.v_create[v]) << 32) | v

    def video_by_id(self, value: str | int) -> int | None:
        x = _int_or_none(value)
        if x is None:
            return None
        v = x & 0xFFFFFFFF
        return v if v < self.size.videos and self.video_id(v) == x else None

    def music_id(self, s: int) -> int:
        return MUSIC_ID_BASE + s * MUSIC_ID_STRIDE

    def sound_by_id(self, value: str | int) -> int | None:
        x = _int_or_none(value)
        if x is None or (x - MUSIC_ID_BASE) % MUSIC_ID_STRIDE:
            return None
        s = (x - MUSIC_ID_BASE) // MUSIC_ID_STRIDE
        return s if 0 <= s < self.size.sounds else None

    def sound_title(self, s: int) -> str:
        if self.s_original[s]:
            return "original sound"
        r = entity_random(self.seed, "sound", s)
        return f"{r.choice(vocab.SONG_WORDS).title()} {r.choice(vocab.SONG_WORDS).title()}"

    def sound_author(self, s: int) -> str:
        if self.s_original[s]:
            return self.nickname(int(self.s_author[s]))
        return entity_random(self.seed, "sound-artist", s).choice(vocab.ARTISTS)

    def playlist_id(self, v: int) -> int | None:
        return PLAYLIST_ID_BASE + int(self.v_author[v]) if self.v_playlist[v] else None

    def playlist_id_of(self, u: int) -> int:
        return PLAYLIST_ID_BASE + u

    def playlist_owner(self, value: str | int) -> int | None:
        """The creator whose playlist this id is (one playlist per creator), or None."""
        x = _int_or_none(value)
        u = None if x is None else x - PLAYLIST_ID_BASE
        return u if u is not None and 0 <= u < self.size.users and self.v_playlist[self.user_videos(u)].any() else None

    def playlist_name(self, u: int) -> str:
        return f"{self.nickname(u)} favourites"

    def playlist_rows(self, u: int) -> np.ndarray:
        """A creator's playlist: their videos marked for it, newest first (as the Research API lists it)."""
        rows = self.user_videos(u)
        return rows[self.v_playlist[rows]]

    def search_rows(self, keyword: str) -> np.ndarray:
        """Videos a keyword search finds: the word in the caption or as a hashtag (any case), most
        viewed first, TikTok's relevance stand-in; so the list is not in time order."""
        word = keyword.lower().lstrip("#")
        found = np.zeros(self.size.videos, dtype=bool)
        if word in vocab.DESCRIPTION_WORDS:
            found |= (self.v_words == vocab.DESCRIPTION_WORDS.index(word)).any(axis=1)
        h = self.hashtag_by_name(word)
        if h is not None:
            found[self.hashtag_rows(h)] = True
        rows = np.flatnonzero(found)
        return rows[np.argsort(-self.v_peak[rows], kind="stable")]

    def search_users(self, keyword: str) -> list[int]:
        """Users a keyword search finds: the word in the username or display name, most followed first."""
        word = keyword.lower().lstrip("@")
        found = [u for u in range(self.size.users) if word in self.username(u) or word in self.nickname(u).lower()]
        return sorted(found, key=lambda u: -int(self.u_follower_base[u]))

    def effect_id(self, e: int) -> str:
        return str(EFFECT_ID_BASE + e)

    # ----------------------------------------------------------------- texts
    def hashtags_of(self, v: int) -> list[int]:
        return [int(h) for h in self.v_tags[v] if h >= 0]

    def description(self, v: int) -> str:
        """The caption as written: words, then hashtags, then a mention; TikTok keeps this order."""
        words = [vocab.DESCRIPTION_WORDS[w] for w in self.v_words[v] if w >= 0]
        tags = [f"#{self.hashtag_names[h]}" for h in self.hashtags_of(v)]
        mention = [f"@{self.username(int(self.v_mention[v]))}"] if self.v_mention[v] >= 0 else []
        return " ".join(words + tags + mention)

    def cover_text(self, v: int) -> str:
        return " ".join(vocab.COVER_WORDS[w] for w in self.v_cover_words[v] if w >= 0)

    def caption_text(self, v: int) -> str:
        r = entity_random(self.seed, "caption", v)
        return " ".join(r.choice(vocab.CAPTION_WORDS) for _ in range(r.randint(6, 12)))

    # ----------------------------------------------------------------- visibility at time t
    def exists(self, v: int, t: float) -> bool:
        """Posted by t and not yet deleted (private creators' videos exist but are not public)."""
        return bool(self.v_create[v] <= t and not (0 < self.v_deleted_at[v] <= t))

    def public(self, v: int, t: float) -> bool:
        return self.exists(v, t) and not self.u_private[self.v_author[v]]

    def public_mask(self, rows: np.ndarray, t: float) -> np.ndarray:
        deleted = (self.v_deleted_at[rows] > 0) & (self.v_deleted_at[rows] <= t)
        return (self.v_create[rows] <= t) & ~deleted & ~self.u_private[self.v_author[rows]]

    def user_videos(self, u: int) -> np.ndarray:
        """All rows of a user's videos, newest first (visibility is the caller's filter)."""
        rows = np.arange(self.u_video_start[u], self.u_video_start[u + 1])
        return rows[np.argsort(-self.v_create[rows], kind="stable")]

    def hashtag_rows(self, h: int) -> np.ndarray:
        return self.hashtag_videos[self.hashtag_offsets[h] : self.hashtag_offsets[h + 1]]

    def sound_rows(self, s: int) -> np.ndarray:
        return self.sound_videos[self.sound_offsets[s] : self.sound_offsets[s + 1]]

    # ----------------------------------------------------------------- counts at time t
    def counts(self, rows: np.ndarray, t: float | np.ndarray) -> dict[str, np.ndarray]:
        """Exact counts of videos at time t: views follow a saturating curve, plus a viral burst."""
        age_h = np.maximum(0.0, (t - self.v_create[rows]) / 3600.0)
        views = self.v_peak[rows] * (1 - np.exp(-age_h / self.v_tau[rows]))
        vstart = self.v_viral_start[rows]
        burst_h = np.where(vstart > 0, np.clip((t - vstart) / 3600.0, 0.0, VIRAL_HOURS), 0.0)
        views = np.floor(views + self.v_viral_rate[rows] * burst_h).astype(np.int64)
        likes = np.floor(views * self.v_like_ratio[rows]).astype(np.int64)
        top = np.minimum(np.floor(likes / self.v_lc_ratio[rows]), MAX_TOP_COMMENTS).astype(np.int64)
        return {
            "views": views,
            "likes": likes,
            "top_comments": top,
            "comments": top + self._replies_before(rows, top),
            "shares": np.floor(views * self.v_share_ratio[rows]).astype(np.int64),
            "collects": np.floor(likes * self.v_collect_ratio[rows]).astype(np.int64),
        }

    def _replies_before(self, rows: np.ndarray, top: np.ndarray) -> np.ndarray:
        """Replies of the first `top` top-level comments, from each video's 7-long reply pattern."""
        pattern = self.v_reply_pattern[rows].astype(np.int64)
        full, rest = np.divmod(top, 7)
        partial = np.where(np.arange(7)[None, :] < rest[:, None], pattern, 0).sum(axis=1)
        return full * pattern.sum(axis=1) + partial

    def replies_of(self, v: int, k: int) -> int:
        return int(self.v_reply_pattern[v, k % 7])

    def video_counts(self, v: int, t: float) -> dict[str, int]:
        return self.video_counts_many([v], t)[0]

    def video_counts_many(self, rows: list[int], t: float) -> list[dict[str, int]]:
        """Counts of several videos in one vectorised pass, one dict per row."""
        counts = self.counts(np.asarray(rows, dtype=np.int64), t)
        return [{k: int(a[i]) for k, a in counts.items()} for i in range(len(rows))]

    def comment_times(self, v: int, ks: np.ndarray, t: float) -> np.ndarray:
        """When top-level comments ks (all visible at t) appeared: the first whole second at which
        the count passed k. Integer bisection is exact, so the answer does not depend on t."""
        rows = np.full(len(ks), v)
        lo = np.full(len(ks), int(self.v_create[v]), dtype=np.int64)  # count <= k here
        hi = np.full(len(ks), int(np.ceil(t)), dtype=np.int64)  # count > k here
        while (hi - lo > 1).any():
            mid = (lo + hi) // 2
            passed = self.counts(rows, mid.astype(np.float64))["top_comments"] > ks
            hi = np.where(passed, mid, hi)
            lo = np.where(passed, lo, mid)
        return hi

    def followers(self, u: int, t: float) -> int:
        base = self.u_follower_base[u]
        grown = base * self.u_follower_growth[u] * max(0.0, (t - EPOCH) / 3600.0)
        gain = 0.0
        for v in self.u_viral_videos.get(u, ()):
            frac = min(1.0, max(0.0, (t - self.v_viral_start[v]) / 3600.0 / VIRAL_HOURS))
            gain += self.v_follower_gain[v] * frac
        return int(base + grown + gain)

    def following(self, u: int, t: float) -> int:
        return len(self.follow_edges(u, "following", t))

    def follow_edges(self, u: int, direction: str, t: float) -> np.ndarray:
        """Edge rows of a user's followers or following made by t, newest first."""
        order, offsets = (
            (self.following_order, self.following_offsets) if direction == "following" else (self.followers_order, self.followers_offsets)
        )
        edges = order[offsets[u] : offsets[u + 1]]
        return edges[self.e_time[edges] <= t]

    def user_stats(self, u: int, t: float) -> dict[str, int]:
        """A user's exact figures at t: likes are the history before EPOCH plus today's videos."""
        rows = np.arange(self.u_video_start[u], self.u_video_start[u + 1])
        live = self.public_mask(rows, t) if not self.u_private[u] else self._exists_mask(rows, t)
        likes = int(self.u_heart_base[u] + self.counts(rows[live], t)["likes"].sum())
        return {
            "followers": self.followers(u, t),
            "following": self.following(u, t),
            "likes": likes,
            "videos": int(live.sum()),
            "digg": int(self.u_follower_base[u] % 5000),
            "friends": int(self.u_follower_base[u] % 97),
        }

    def _exists_mask(self, rows: np.ndarray, t: float) -> np.ndarray:
        deleted = (self.v_deleted_at[rows] > 0) & (self.v_deleted_at[rows] <= t)
        return (self.v_create[rows] <= t) & ~deleted

    def comment_id(self, v: int, k: int, reply: int = 0) -> int:
        return COMMENT_ID_BASE + (v << 20) + k * REPLY_SLOTS + reply

    def comment_by_id(self, value: str | int) -> tuple[int, int, int] | None:
        x = _int_or_none(value)
        if x is None or x < COMMENT_ID_BASE:
            return None
        x -= COMMENT_ID_BASE
        v, slot = x >> 20, x & 0xFFFFF
        k, reply = divmod(slot, REPLY_SLOTS)
        if v >= self.size.videos or k >= MAX_TOP_COMMENTS or reply > self.replies_of(v, k):
            return None
        return v, k, reply

    def comment_text(self, v: int, k: int, reply: int = 0) -> str:
        r = entity_random(self.seed, "comment", (v << 20) + k * REPLY_SLOTS + reply)
        if r.random() < 0.05:
            return ""  # real comment texts can be empty (TIKTOK-FORMATS.md §7)
        words = [r.choice(vocab.DESCRIPTION_WORDS) for _ in range(r.randint(1, 8))]
        return " ".join(words) + r.choice(("", "", " 😂", " ❤️", "!!", " 🔥"))

    def comment_author(self, v: int, k: int, reply: int = 0) -> int:
        return entity_random(self.seed, "comment-author", (v << 20) + k * REPLY_SLOTS + reply).randrange(self.size.users)

    def comment_likes(self, v: int, k: int, reply: int = 0) -> int:
        r = entity_random(self.seed, "comment-likes", (v << 20) + k * REPLY_SLOTS + reply)
        return int(r.paretovariate(1.3)) - 1

    @cached_property
    def create_order(self) -> np.ndarray:
        """Video rows by creation time, for date-range queries."""
        return np.argsort(self.v_create, kind="stable")

    @cached_property
    def create_sorted(self) -> np.ndarray:
        return self.v_create[self.create_order]


def _csr_multi(tags: np.ndarray, n: int, order_by: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Like _csr, for a multi-valued column (-1 = empty slot): rows grouped by each value."""
    rows = np.repeat(np.arange(tags.shape[0]), tags.shape[1])
    flat = tags.ravel()
    keep = flat >= 0
    order, offsets = _csr(flat[keep], n, order_by[rows[keep]])
    return rows[keep][order], offsets


def _int_or_none(value: str | int) -> int | None:
    if isinstance(value, int):
        return value
    return int(value) if value.isdigit() and len(value) <= 20 else None
