"""The loader and the measures on small hand-made files, where every figure is known."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import tiktok.analysis as ta
from tests.helpers.sim_process import ROOT
from tiktok.analysis.load import as_frame, parsed_times

BIG_ID = "7400000000000000001234"[:20]  # 20 digits: a float would lose it


def write(path: Path, records: list[dict[str, Any]], tail: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + tail, encoding="utf-8")
    return path


def video(vid: str, hour: int, likes: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": vid,
        "username": fields.pop("username", f"user{vid}"),
        "scraped_at": fields.pop("scraped_at", f"2026-06-01T{hour:02d}:00:00Z"),
        "like_count": likes,
        "view_count": likes * 10,
        "comment_count": fields.pop("comments", 1),
        "create_time": 1780200000,
        "music_id": fields.pop("music_id", "1"),
        "hashtag_names": fields.pop("tags", []),
        "source": fields.pop("source", "foryou"),
        **fields,
    }


def test_ids_stay_strings_and_every_column_has_its_dtype(tmp_path: Path) -> None:
    write(tmp_path / "videos.jsonl", [video(BIG_ID, 1, 5), video("2", 2, 7, author_follower_count=None)])
    frame = ta.load(tmp_path, "videos")
    assert list(frame["id"]) == [BIG_ID, "2"]
    assert str(frame["like_count"].dtype) == "Int64" and str(frame["counts_exact"].dtype) == "boolean"
    assert str(frame["scraped_at"].dtype).startswith("datetime64") and frame["scraped_at"].dt.tz is not None
    assert frame["create_time"].iloc[0] == pd.Timestamp(1780200000, unit="s", tz="UTC")
    assert "ocr_text" in frame and frame["ocr_text"].isna().all()  # a column no record has is still there
    assert len(ta.load(tmp_path, "follows")) == 0 and "follower" in ta.load(tmp_path, "follows")


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "category", object])
def test_each_distinct_time_parsed_once_gives_what_to_datetime_gives(dtype: Any) -> None:
    texts = ["2026-06-01T00:00:00Z", None, "2026-06-01T02:00:00.123456789+02:00", "not a time", "2026-06-01T00:00:00Z", "2026-06-02"]
    values = pd.Series(texts, dtype=dtype, index=range(10, 16))
    parsed = parsed_times(values)
    pd.testing.assert_series_equal(parsed, pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce"))
    assert parsed.iloc[2] == pd.Timestamp("2026-06-01T00:00:00.123456789Z") and parsed.isna().tolist() == [0, 1, 0, 1, 0, 0]


def test_arrow_integers_become_int64_with_their_missing_values() -> None:
    rows = pa.table({"like_count": pa.chunked_array([[5, None], [2**62]]), "id": pa.chunked_array([["1", "2"], ["3"]])})
    frame = as_frame(rows)
    assert frame["like_count"].dtype == "Int64" and frame["like_count"].tolist() == [5, pd.NA, 2**62]
    assert frame["id"].tolist() == ["1", "2", "3"]


def test_a_truncated_last_line_is_skipped_and_said(tmp_path: Path) -> None:
    write(tmp_path / "videos.jsonl", [video("1", 1, 5), video("2", 1, 6)], tail='{"id": "3", "like_co')
    problems: list[str] = []
    frame = ta.load(tmp_path, "videos", problems)
    assert list(frame["id"]) == ["1", "2"]
    assert problems == ["videos.jsonl: the last line (cut by a crash?) is not a JSON object; skipped"]


def test_a_garbled_line_or_a_wrongly_typed_value_goes_the_tolerant_way(tmp_path: Path) -> None:
    path = write(tmp_path / "videos.jsonl", [video("1", 1, 5)], tail="garbage\n" + json.dumps(video("2", 1, 6)) + "\n")
    problems: list[str] = []
    assert list(ta.load_file(path, "videos", problems)["id"]) == ["1", "2"]
    assert problems == ["videos.jsonl: line 2 is not a JSON object; skipped"]
    write(path, [video("1", 1, 5), {**video("2", 1, 6), "id": 2}])  # an id written as a number by another tool
    assert list(ta.load_file(path, "videos")["id"]) == ["1", "2"]


def test_growth_per_hour_between_consecutive_observations(tmp_path: Path) -> None:
    records = [video("a", 1, 100), video("a", 3, 300), video("a", 4, 1300), video("b", 1, 10)]
    records.append(video("a", 3, 290, source="hashtag:x"))  # the same snapshot from another list: one observation
    frame = ta.load_file(write(tmp_path / "v.jsonl", records))
    obs = ta.observations(frame)
    assert list(obs["like_count"]) == [100, 300, 1300, 10]
    steps = ta.growth(obs)
    assert list(steps["likes_per_hour"]) == [100.0, 1000.0] and list(steps["hours"]) == [2.0, 1.0]
    with pytest.warns(ta.TooLittleData, match="1 of the 1 videos observed twice grew: a median video needs 10 that did"):
        ranking = ta.viral_videos(frame)
    assert list(ranking["id"]) == ["a"] and ranking["peak_likes_per_hour"].iloc[0] == 1000.0
    assert ranking["peak_at"].iloc[0] == pd.Timestamp("2026-06-01T04:00:00Z")


def test_two_crawls_80_seconds_apart_make_no_video_viral(tmp_path: Path) -> None:
    """Issue 16: two one-off crawls 80 s apart once flagged a video at 45 likes/h."""
    records = [video(str(i), 1, 100 + i, scraped_at="2026-06-01T10:00:00Z") for i in range(200)]
    records += [video(str(i), 1, 101 + i, scraped_at="2026-06-01T10:01:20Z") for i in range(200)]
    frame = ta.load_file(write(tmp_path / "v.jsonl", records))
    with pytest.warns(ta.TooLittleData, match="no video was observed twice at least 0.5 h apart"):
        ranking = ta.viral_videos(frame)
    assert len(ranking) == 0
    records += [video(str(i), 1, 160 + i, scraped_at="2026-06-01T11:00:00Z") for i in range(200)]
    steps = ta.growth(ta.observations(ta.load_file(write(tmp_path / "v.jsonl", records))))
    assert set(steps["hours"]) == {(3600 - 80) / 3600}  # 11:00 against 10:01:20, the latest snapshot 0.5 h before; none at 10:01:20


def test_correlation_and_its_interval() -> None:
    x = pd.Series([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    y = pd.Series([2.0, 1, 4, 3, 7, 8, 6, 9, 12, 10])
    stats = ta.correlation_ci(x, y)
    r = float(np.corrcoef(x, y)[0, 1])
    assert stats["r"] == pytest.approx(r) and stats["n"] == 10
    assert stats["low"] == pytest.approx(math.tanh(math.atanh(r) - 1.959964 / math.sqrt(7)), abs=1e-5)
    assert stats["high"] == pytest.approx(math.tanh(math.atanh(r) + 1.959964 / math.sqrt(7)), abs=1e-5)
    rho = ta.correlation_ci(x, y, "spearman")
    assert rho["r"] == pytest.approx(float(np.corrcoef(x.rank(), y.rank())[0, 1]))
    with pytest.warns(ta.TooLittleData, match="n = 3, needs 10"):
        few = ta.correlation_ci(x[:3], y[:3])
    assert few["r"] is None and ta.figures.correlation_note(few) == "Pearson r: not computed: n = 3, needs 10"


def test_likes_to_comments_ratio_and_posting_frequency(tmp_path: Path) -> None:
    records = [video(str(i), 1, 100 * (i + 1), comments=i + 1, username="steady", create_time=1780200000 + i * 86400) for i in range(4)]
    records += [video(f"w{i}", 1, 100, comments=c, username="wobbly") for i, c in enumerate((1, 10, 50))]
    frame = ta.load_file(write(tmp_path / "v.jsonl", records))
    ratios = ta.likes_comments_ratio(frame).set_index("username")
    assert ratios.loc["steady", "likes_per_comment"] == 100.0 and ratios.loc["steady", "cv"] == 0.0
    assert ratios.loc["wobbly", "cv"] > 1.0 and list(ratios.index) == ["steady", "wobbly"]
    with pytest.warns(ta.TooLittleData, match="1 of 2 creators have fewer than 3 videos or posted them within 1 day"):
        posting = ta.posting_frequency(frame).set_index("username")
    assert list(posting.index) == ["steady"] and posting.attrs["left_out"] == 1  # wobbly posted all three at once
    assert posting.loc["steady", "videos_per_week"] == 7.0 and posting.loc["steady", "likes_per_video"] == 250.0  # 3 gaps in 3 days


def test_study_questions(tmp_path: Path) -> None:
    records = [
        video("1", 1, 10, username="ann", author_follower_count=100, music_id="s1", run_id="r1"),
        video("2", 1, 50, username="bob", author_follower_count=500, music_id="s1", run_id="r1"),
        video("1", 2, 20, username="ann", author_follower_count=400, music_id="s1", run_id="r2"),
        video("3", 2, 5, username="ann", author_follower_count=400, music_id="s2", run_id="r2"),
    ]
    frame = ta.load_file(write(tmp_path / "v.jsonl", records))
    assert dict(zip(ta.study.unique_counts(frame)["what"], ta.study.unique_counts(frame)["unique"], strict=True)) == {
        "creators": 2,
        "sounds": 2,
        "videos": 3,
    }
    assert list(ta.study.scraping_runs(frame)["run_id"]) == ["r1", "r2"]
    assert list(ta.study.most_followed_over_time(frame)["username"]) == ["bob", "ann"]
    assert ta.study.biggest_follower_increase(frame).iloc[0].to_dict() == {"username": "ann", "first": 100, "last": 400, "increase": 300}
    assert ta.study.most_videos(frame).iloc[0].to_dict() == {"username": "ann", "videos": 2}
    assert ta.study.highest_likes_per_video(frame).iloc[0].to_dict() == {"username": "bob", "likes_per_video": 50.0}
    assert list(ta.study.video_sound_pairs_over_time(frame)["pairs_so_far"]) == [2, 3]
    assert list(ta.study.engagement_over_time(frame, ["1"])["like_count"]) == [10, 20]


def test_search_over_description_ocr_and_transcript(tmp_path: Path) -> None:
    records = [
        video("1", 1, 5, video_description="rainy day", ocr_text="LONDON CALLING"),
        video("2", 1, 5, video_description="london eye", transcript="we are in london today"),
        video("3", 1, 5, video_description="paris"),
    ]
    write(tmp_path / "videos.jsonl", records)
    write(tmp_path / "ocr.jsonl", [{"id": "3", "ocr_text": "Calling from London"}])
    texts = ta.video_texts(ta.load(tmp_path, "videos"), tmp_path)
    hits = ta.search(texts, "London calling")
    assert dict(zip(hits["id"], hits["found_in"], strict=True)) == {"1": "ocr_text", "3": "ocr_text"}
    assert set(ta.search(texts, "london")["id"]) == {"1", "2", "3"}


def test_the_analysis_never_imports_scrapy() -> None:
    code = "import sys, tiktok.analysis, tiktok.analysis.report; print('scrapy' in sys.modules, 'twisted' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_follower_growth_from_exact_profiles_when_a_creator_has_them(tmp_path: Path) -> None:
    rows = [video("1", h, 5, username="ann", author_follower_count=54_800) for h in (1, 2)]
    rows += [video("2", h, 5, username="bob", author_follower_count=f) for h, f in ((1, 1_000), (3, 1_600))]
    profiles = [
        {"username": "ann", "follower_count": f, "counts_exact": True, "scraped_at": f"2026-06-01T0{h}:00:00Z"}
        for h, f in ((1, 54_784), (2, 54_790))
    ]
    videos, users = ta.load_file(write(tmp_path / "v.jsonl", rows)), ta.load_file(write(tmp_path / "u.jsonl", profiles), "users")
    growth = ta.creator_growth(videos, users).set_index("username")["peak_followers_per_hour"]
    assert growth.to_dict() == {"bob": 300.0, "ann": 6.0}  # ann's rounded 54.8K rows are not mixed in


def test_viral_creators_gain_followers_far_faster_than_the_median_creator(tmp_path: Path) -> None:
    # twelve creators gaining 0.5 to 1.6 followers per hour per 1,000; a big one 2 per 1,000; one bursting at 40 per 1,000
    rows = [video(f"c{n}", h, 5, username=f"c{n}", author_follower_count=10_000 + (5 + n) * h) for n in range(12) for h in (1, 2)]
    rows += [video("big", h, 5, username="big", author_follower_count=5_000_000 + 10_000 * h) for h in (1, 2)]
    rows += [video("burst", h, 5, username="burst", author_follower_count=20_000 + 800 * (h - 1)) for h in (1, 2)]
    ranking = ta.viral_creators(ta.load_file(write(tmp_path / "v.jsonl", rows)))
    assert list(ranking.loc[ranking["viral"], "username"]) == ["burst"] and ranking["rank"].iloc[0] == 1
    assert ranking.set_index("username").loc["burst", "peak_per_1k_followers_per_hour"] == 40.0
    with pytest.warns(ta.TooLittleData, match="3 creators observed twice: a median creator needs at least 10"):
        assert not ta.viral_creators(ta.load_file(write(tmp_path / "v.jsonl", rows[-6:])))["viral"].any()


def test_viral_sounds_by_adoption_against_their_own_past(tmp_path: Path) -> None:
    now, day = 1780200000, 86400

    def posted(sound: str, n: int, start: float, end: float) -> list[dict[str, Any]]:
        return [video(f"{sound}{start}-{i}", 2, 5, music_id=sound, create_time=int(start + (end - start) * i / n)) for i in range(n)]

    # ten days of history, then the last 48 h before the observation (2026-05-31T02:00Z)
    last = now - 22 * 3600 + 2 * 3600 + 3600 * 24
    rows = posted("popular", 50, now - 10 * day, last - 2 * day) + posted("popular", 10, last - 2 * day + 60, last - 60)
    rows += posted("rising", 1, now - 9 * day, now - 9 * day + 1) + posted("rising", 8, last - 2 * day + 60, last - 60)
    rows += posted("quiet", 30, now - 10 * day, last - 2 * day) + posted("quiet", 6, last - 2 * day + 60, last - 60)
    rows += posted("newcomer", 2, last - 2 * day + 60, last - 60)
    frame = ta.load_file(
        write(tmp_path / "v.jsonl", [{**r, "scraped_at": pd.Timestamp(last, unit="s", tz="UTC").isoformat()} for r in rows])
    )
    table = ta.viral_sounds(frame).set_index("music_id")
    assert list(table.index[table["viral"]]) == ["rising"]  # the most used sound, "popular", keeps its share
    assert table.loc["rising", "baseline_videos"] == 1 and table.loc["rising", "recent_videos"] == 8
    assert table.loc["rising", "expected_recent"] == pytest.approx(9 * 26 / (81 + 26))  # its 9 videos at the share of posts that are recent
    assert not table.loc["newcomer", "viral"]  # 2 new videos: below the minimum of 3
    with pytest.warns(ta.TooLittleData, match="a sound's baseline needs 48 h"):
        assert len(ta.viral_sounds(frame.loc[frame["create_time"] > pd.Timestamp(last - 3 * day, unit="s", tz="UTC")])) == 0
    usage = ta.sound_usage(frame, freq="1D")
    assert usage.groupby("music_id")["videos_so_far"].last().to_dict() == {"newcomer": 2, "popular": 60, "quiet": 36, "rising": 9}


def test_best_video_against_follower_growth_per_creator(tmp_path: Path) -> None:
    rows = []
    pairs = ((10, 1), (20, 2), (30, 3), (40, 4), (100, 5), (300, 20), (600, 30), (1000, 50), (5000, 400), (2000, 100))
    for n, (rate, followers_per_hour) in enumerate(pairs):
        rows += [video(str(n), h, 100 + rate * h, username=f"c{n}", author_follower_count=1000 + followers_per_hour * h) for h in (1, 3)]
    table, stats = ta.viral_follower_correlation(ta.load_file(write(tmp_path / "v.jsonl", rows)), method="spearman")
    per = table.set_index("username")
    assert per.loc["c8", "best_video_likes_per_hour"] == 5000.0 and per.loc["c8", "followers_per_hour"] == 400.0
    assert stats["n"] == 10 and stats["r"] == pytest.approx(1.0)


def test_page_items_take_the_servers_time() -> None:
    from scrapy.http import HtmlResponse

    from tiktok.middlewares.observed_time import response_time

    dated = HtmlResponse("http://x/", headers={"Date": "Mon, 01 Jun 2026 10:00:00 GMT"}, body=b"")
    assert response_time(dated) == "2026-06-01T10:00:00Z"
    undated = response_time(HtmlResponse("http://x/", body=b""))
    assert abs(pd.Timestamp(undated) - pd.Timestamp.now(tz="UTC")) < pd.Timedelta(minutes=1)  # no Date: the crawler's clock


def test_the_report_says_what_two_crawls_80_seconds_apart_cannot_give(tmp_path: Path) -> None:
    from tiktok.analysis.report import write_report

    records = [video(str(i), 1, 100 + i, scraped_at="2026-06-01T10:00:00Z") for i in range(20)]
    write(tmp_path / "videos.jsonl", records + [video(str(i), 1, 101 + i, scraped_at="2026-06-01T10:01:20Z") for i in range(20)])
    report = write_report(tmp_path, tmp_path / "out")
    assert not [f for f in report.findings if f.startswith("viral")]
    assert any(n.startswith("no video was observed twice at least 0.5 h apart") for n in report.notes)
    assert not list((tmp_path / "out").glob("viral_*.png"))
