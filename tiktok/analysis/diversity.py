"""For-You audits (issue 17): how varied a persona's feed is, per period (window of N exposures or
hour; tiktok/analysis/audit.py), for creators, hashtags and sounds.

- Distinct per 100 videos: 100 x distinct / n. Its 95 % interval is Wilson's on the distinct
  share of the period's uses (a creator and a sound: one use per video; hashtags: every tag), scaled
  by uses per video, which it takes as given.
- Shannon entropy, in bits, of the uses (the plug-in estimate; it reads low in small periods, so
  compare periods of like n). Its 95 % interval is a normal bootstrap one (the estimate +- 1.96
  standard errors of 1000 resamples of the period's videos), seeded: the same data, the same interval.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tiktok.analysis.audit import SPAN_COLUMNS, Z95, exposures, periods, span_of, wilson

KINDS = {"creators": "username", "hashtags": "hashtag_names", "sounds": "music_id"}
RESAMPLES = 1000
SEED = 17


def entropy(counts: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits of each row of counts (a 1-d array: one value)."""
    total = counts.sum(axis=-1, keepdims=True)
    p = np.divide(counts, total, out=np.zeros(counts.shape), where=total > 0)
    terms = np.where(p > 0, -p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return terms.sum(axis=-1)  # type: ignore[no-any-return]


def uses(values: pd.Series) -> list[list[str]]:
    """Each video's creator, sound or hashtags as a list (missing: none)."""
    out = []
    for value in values:
        if isinstance(value, str):
            out.append([value])
        elif value is not None and not (isinstance(value, float) and math.isnan(value)):
            out.append([str(v) for v in value])
        else:
            out.append([])
    return out


def incidence(per_video: list[list[str]]) -> np.ndarray:
    """A videos x distinct-values matrix of how often each video uses each value."""
    names = {name: k for k, name in enumerate(sorted({v for vs in per_video for v in vs}))}
    table = np.zeros((len(per_video), len(names)))
    for i, vs in enumerate(per_video):
        for v in vs:
            table[i, names[v]] += 1
    return table


def resampled(n: int, rng: np.random.Generator, resamples: int = RESAMPLES) -> np.ndarray:
    """How often each of `n` videos is drawn in each of `resamples` bootstrap samples (rows)."""
    draws = rng.integers(0, n, size=(resamples, n)) + n * np.arange(resamples)[:, None]
    return np.bincount(draws.ravel(), minlength=resamples * n).reshape(resamples, n)


def entropy_interval(table: np.ndarray, times: np.ndarray) -> tuple[float, float]:
    """The normal bootstrap 95 % interval of the entropy: the estimate +- 1.96 bootstrap standard
    errors over the resamples `times` of the videos (`resampled`), within the entropy's bounds
    (0 to log2 of the uses). Not the percentiles themselves: a resample repeats videos, so its
    entropy reads low, and a small window's percentile interval can miss the estimate altogether."""
    used = table.sum()
    if used == 0:
        return math.nan, math.nan
    estimate = float(entropy(table.sum(axis=0)))
    spread = Z95 * float(np.std(entropy(times @ table), ddof=1))
    return max(0.0, estimate - spread), min(math.log2(used), estimate + spread)


def diversity(videos: pd.DataFrame, window: int = 20, by: str = "window", resamples: int = RESAMPLES, seed: int = SEED) -> pd.DataFrame:
    """Per persona, period and kind (creators, hashtags, sounds): distinct values per 100 videos
    and the entropy in bits, each with its 95 % interval and how it was found (`interval`)."""
    seen = exposures(videos)
    seen["period"] = periods(seen, by, window)
    rng = np.random.default_rng(seed)
    rows = []
    for (persona, period), part in seen.groupby(["persona", "period"], sort=True):
        span, n = span_of(part), len(part)
        times = resampled(n, rng, resamples)  # the same resamples for every kind of the period
        for kind, column in KINDS.items():
            table = incidence(uses(part[column]) if column in part else [[] for _ in range(n)])
            distinct, used = table.shape[1], int(table.sum())
            low, high = wilson(distinct, used)
            scale = 100 * used / n
            base = {"persona": persona, "period": period, **span, "kind": kind}
            rows.append({**base, "measure": "distinct per 100 videos", "value": 100 * distinct / n,
                         "low": low * scale, "high": high * scale, "interval": "Wilson, scaled by uses per video"})  # fmt: skip
            e_low, e_high = entropy_interval(table, times)
            rows.append({**base, "measure": "entropy (bits)", "value": float(entropy(table.sum(axis=0))) if used else math.nan,
                         "low": e_low, "high": e_high, "interval": f"normal bootstrap, {resamples} resamples, seed {seed}"})  # fmt: skip
    columns = ["persona", "period", *SPAN_COLUMNS, "kind", "measure", "value", "low", "high", "interval"]
    return pd.DataFrame(rows, columns=columns)
