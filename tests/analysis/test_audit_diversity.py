"""Diversity of a feed (tiktok/analysis/diversity.py) on hand-made feeds with known answers: Shannon
entropy of known distributions, distinct values per 100 videos, and intervals that hold the
estimate and repeat with the seed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.analysis.test_audit import feed
from tiktok.analysis.audit import wilson
from tiktok.analysis.diversity import diversity, entropy, entropy_interval, incidence, resampled


def test_entropy_of_known_distributions_in_bits() -> None:
    assert entropy(np.array([1.0, 1, 1, 1])) == pytest.approx(2.0)
    assert entropy(np.array([2.0, 1, 1])) == pytest.approx(1.5)
    assert entropy(np.array([5.0, 0, 0])) == 0.0
    assert entropy(np.array([[1.0, 1], [3, 0]])).tolist() == [1.0, 0.0]  # one per row


def test_distinct_per_100_and_entropy_of_a_window() -> None:
    # 20 videos: creators a x10, b x5, c x5 (entropy 1.5 bits); every video its own sound;
    # hashtags: #x on every video and #y on the first 4 (24 uses, 2 distinct).
    users = ["a"] * 10 + ["b"] * 5 + ["c"] * 5
    tags = [["x", "y"] if i < 4 else ["x"] for i in range(20)]
    table = diversity(feed("cats", tags, usernames=users), window=20).set_index(["kind", "measure"])
    distinct, bits = "distinct per 100 videos", "entropy (bits)"
    assert table.loc[("creators", distinct), "value"] == 15.0
    assert table.loc[("sounds", distinct), "value"] == 100.0
    assert table.loc[("hashtags", distinct), "value"] == 10.0
    assert table.loc[("creators", bits), "value"] == pytest.approx(1.5)
    assert table.loc[("sounds", bits), "value"] == pytest.approx(math.log2(20))
    p = 4 / 24
    assert table.loc[("hashtags", bits), "value"] == pytest.approx(-(p * math.log2(p) + (1 - p) * math.log2(1 - p)))
    # Wilson on the distinct share of the uses, scaled by uses per video (hashtags: 24 uses in 20 videos).
    assert table.loc[("hashtags", distinct), ["low", "high"]].tolist() == pytest.approx([100 * 24 / 20 * x for x in wilson(2, 24)])
    assert table.loc[("creators", distinct), ["low", "high"]].tolist() == pytest.approx([100 * x for x in wilson(3, 20)])
    assert (table["n"] == 20).all() and (table["first"] == 1).all() and (table["last"] == 20).all()


def test_the_entropy_interval_holds_the_estimate_stays_in_bounds_and_repeats_with_the_seed() -> None:
    table = incidence([["a"], ["a"], ["b"], ["c"], ["a"], ["d"], ["b"], ["a"], ["e"], ["f"], ["a"], ["b"]])
    times = resampled(12, np.random.default_rng(17))
    low, high = entropy_interval(table, times)
    estimate = float(entropy(table.sum(axis=0)))
    assert 0.0 <= low < estimate < high <= math.log2(12)
    assert entropy_interval(table, resampled(12, np.random.default_rng(17))) == (low, high)
    assert resampled(12, np.random.default_rng(17)).sum(axis=1).tolist() == [12] * 1000  # each resample draws 12 videos


def test_a_feed_without_hashtags_has_no_entropy_rather_than_zero() -> None:
    table = diversity(feed("cats", [[]] * 12), window=20).set_index(["kind", "measure"])
    assert table.loc[("hashtags", "distinct per 100 videos"), "value"] == 0.0
    assert math.isnan(table.loc[("hashtags", "entropy (bits)"), "value"])
