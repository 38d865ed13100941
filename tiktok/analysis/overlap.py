"""For-You audits (issue 17): how much two personas' feeds overlap, per UTC hour of `scraped_at`.

The Jaccard index of the sets of videos each was shown that hour: shared / (shown to either). Its
95 % interval is a percentile bootstrap over the videos shown to either (each one shared or not),
seeded: the same data gives the same interval. When none or all are shared a resample cannot vary,
so that hour's interval is Wilson's instead (the `interval` column says which). An hour in which
either persona saw fewer than MIN_N videos is marked as too few to read.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from tiktok.analysis.audit import MIN_N, exposures, periods, wilson

RESAMPLES = 1000
SEED = 17


def jaccard(a: set[str], b: set[str]) -> float:
    """|a & b| / |a | b|; NaN for two empty sets (nothing to compare)."""
    union = a | b
    return len(a & b) / len(union) if union else math.nan


def jaccard_interval(a: set[str], b: set[str], rng: np.random.Generator, resamples: int = RESAMPLES) -> tuple[float, float, str]:
    """The 95 % interval and how it was found: the union's videos drawn again with replacement and
    the share of them shared in each draw (percentile bootstrap), or Wilson's when none or all are
    shared (every draw would be the same)."""
    union = sorted(a | b)
    shared = np.array([v in a and v in b for v in union], dtype=float)
    if not union or shared.min() == shared.max():
        low, high = wilson(int(shared.sum()), len(union))
        return low, high, "Wilson (none or all shared: nothing to resample)"
    values = shared[rng.integers(0, len(union), size=(resamples, len(union)))].mean(axis=1)
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5)), f"percentile bootstrap, {resamples} resamples"


def overlap_by_hour(videos: pd.DataFrame, resamples: int = RESAMPLES, seed: int = SEED) -> pd.DataFrame:
    """Per UTC hour and pair of personas seen that hour: videos each was shown, shared, the
    Jaccard index and its 95 % interval."""
    seen = exposures(videos)
    seen["hour"] = periods(seen, "hour", 0)
    rng = np.random.default_rng(seed)
    rows = []
    for hour, part in seen.groupby("hour", sort=True):
        shown = {str(p): set(group["id"].astype(str)) for p, group in part.groupby("persona", sort=True)}
        for a, b in itertools.combinations(sorted(shown), 2):
            low, high, how = jaccard_interval(shown[a], shown[b], rng, resamples)
            few = min(len(shown[a]), len(shown[b]))
            how += f", seed {seed}" if how.startswith("percentile") else ""
            rows.append({
                "hour": hour, "persona_a": a, "persona_b": b, "n_a": len(shown[a]), "n_b": len(shown[b]),
                "shared": len(shown[a] & shown[b]), "union": len(shown[a] | shown[b]), "jaccard": jaccard(shown[a], shown[b]),
                "low": low, "high": high, "interval": how, "note": f"too few videos (n = {few} < {MIN_N})" if few < MIN_N else "",
            })  # fmt: skip
    columns = ["hour", "persona_a", "persona_b", "n_a", "n_b", "shared", "union", "jaccard", "low", "high", "interval", "note"]
    return pd.DataFrame(rows, columns=columns)
