"""Faults on demand: presets (`--faults none|flaky|hostile`) and per-kind rates.

Each kind is a probability per eligible request, drawn from a generator seeded by the world's seed,
so a run with the same requests in the same order meets the same faults. Injected faults are
counted per kind and shown under /__sim__/faults.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

KINDS = {
    "server_error": "HTTP 500 JSON without a message, or 504 with an HTML body (any API)",
    "rate_limit": "HTTP 429 rate_limit_exceeded, half of them with Retry-After (any API)",
    "invalid_cursor": "Research video query continuation: 400 'Invalid count or cursor'",
    "search_id_expired": "Research video query continuation: 400 'Search Id … is invalid or expired'",
    "truncated": "JSON body cut in half (any API)",
    "slow": "answer after `slow_seconds` (any API)",
    "hang": "no answer for `hang_seconds`, until the client gives up (any API)",
    "captcha": "captcha interstitial instead of a web page, when a client sends bursts",
    "empty_body": "web item list answers 200 with an empty body, as when the signature is refused",
    "blob_video": "an item's playAddr is a blob: URL, as the real web app sometimes serves",
    "corrupt_cover": "a cover or photo-mode image whose JPEG bytes are broken",
    "media_forbidden": "a media file answers 403, as an expired or refused CDN link does",
    "media_hang": "a media file never answers (for `hang_seconds`)",
}

PRESETS: dict[str, dict[str, float]] = {
    "none": {},
    "flaky": {
        "server_error": 0.03, "rate_limit": 0.02, "invalid_cursor": 0.05, "search_id_expired": 0.03,
        "truncated": 0.01, "slow": 0.02, "empty_body": 0.02,
    },
    "hostile": {
        "server_error": 0.08, "rate_limit": 0.06, "invalid_cursor": 0.1, "search_id_expired": 0.08,
        "truncated": 0.03, "slow": 0.05, "hang": 0.01, "captcha": 0.5, "empty_body": 0.05,
        "blob_video": 0.1, "corrupt_cover": 0.05, "media_forbidden": 0.05, "media_hang": 0.01,
    },
}  # fmt: skip


@dataclass
class Faults:
    seed: int
    rates: dict[str, float] = field(default_factory=dict)
    slow_seconds: float = 2.0
    hang_seconds: float = 600.0
    captcha_burst: int = 8  # web pages within 10 s that count as a burst
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"{self.seed}:faults")

    @classmethod
    def preset(cls, seed: int, name: str) -> Faults:
        if name not in PRESETS:
            raise ValueError(f"unknown fault preset {name!r}; choose one of {', '.join(PRESETS)}")
        return cls(seed=seed, rates=dict(PRESETS[name]))

    def update(self, settings: dict[str, object]) -> None:
        """Apply a control request: {"preset": name} and/or {kind: rate, ...} and timing knobs."""
        preset = settings.get("preset")
        if preset is not None:
            if preset not in PRESETS:
                raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
            self.rates = dict(PRESETS[str(preset)])
        for key, value in settings.items():
            if key == "preset":
                continue
            if key in ("slow_seconds", "hang_seconds", "captcha_burst"):
                setattr(self, key, type(getattr(self, key))(value))
                continue
            if key not in KINDS:
                raise ValueError(f"unknown fault kind {key!r}; kinds are {', '.join(KINDS)}")
            rate = float(value)  # type: ignore[arg-type]
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"rate for {key} must be between 0 and 1, got {rate}")
            self.rates[key] = rate

    def roll(self, kind: str) -> bool:
        """Whether this request gets `kind`; counts it when it does."""
        rate = self.rates.get(kind, 0.0)
        if rate <= 0.0 or self._rng.random() >= rate:
            return False
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return True

    def choice(self) -> float:
        """A uniform draw for a fault's variant (which status, with or without Retry-After)."""
        return self._rng.random()

    def describe(self) -> dict[str, object]:
        return {
            "rates": {k: self.rates.get(k, 0.0) for k in KINDS},
            "kinds": KINDS,
            "injected": dict(self.injected),
            "slow_seconds": self.slow_seconds,
            "hang_seconds": self.hang_seconds,
            "captcha_burst": self.captcha_burst,
        }
