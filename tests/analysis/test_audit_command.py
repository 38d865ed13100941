"""`python -m tiktok audit DATA_DIR` (tiktok/cli/audit.py) in-process on a hand-made data directory
whose answers are known: the short table, the files, the charts' titles; and bad input as one line
with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.analysis.test_audit import feed
from tiktok.__main__ import main
from tiktok.analysis.audit_charts import diversity_chart, overlap_chart, shares_chart
from tiktok.analysis.audit_tables import audit, studied_personas


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cats: 20 videos of 0 % then 20 of 90 % #cats; control: 40 videos, 1 in 10 #cats; the same
    creators for both in the second half (overlap), a video a minute from 00:00 UTC."""
    folder = tmp_path_factory.mktemp("audit")
    cats = feed("cats", [["dogs"]] * 20 + [["cats"] if i % 10 else ["dogs"] for i in range(20)])
    control = feed("control", [["cats"] if i % 10 == 0 else ["dogs"] for i in range(40)])
    control.loc[20:, "id"] = cats["id"].iloc[20:].to_numpy()  # 20 of the second half's videos shown to both
    videos = pd.concat([cats, control]).assign(scraped_at=lambda f: f["scraped_at"].map(lambda t: t.isoformat()))
    records = [{k: v for k, v in row.items() if k != "feed_position"} | {"feed_position": int(row["feed_position"])}
               for row in videos.to_dict("records")]  # fmt: skip
    (folder / "data").mkdir()
    (folder / "data" / "videos.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (folder / "personas").mkdir()
    (folder / "personas" / "cats.yaml").write_text("interests: {hashtags: {cats: 1.0}}\n", encoding="utf-8")
    return folder


def test_the_audit_prints_the_short_table_and_writes_every_file(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = data / "out"
    assert main(["audit", str(data / "data"), "--out", str(out), "--personas", str(data / "personas"), "--window", "10"]) == 0
    printed = capsys.readouterr().out
    rows = [line.split() for line in printed.splitlines()]
    assert ["cats", "cats", "40", "0%", "(0%-28%)", "90%", "(60%-98%)"] in rows  # Wilson(9, 10): 59.6 %-98.2 %
    assert ["cats", "control", "40", "10%", "(2%-40%)", "10%", "(2%-40%)"] in rows
    narrowed = "Narrowing (share above 50%), cats's feed, cats's interests: after 30 videos (window 21-30: 90%, 60%-98%)"
    assert f"{narrowed}; whole interval above by 30" in printed
    assert "Narrowing (share above 50%), control's feed, cats's interests: not above 50% in 40 videos" in printed
    assert "Overlap of cats and control (Jaccard per hour): 0.33-0.33 over 1 of 1 hours with n >= 10" in printed  # 20 of 60
    assert "10 files written" in printed
    assert {p.name for p in out.iterdir()} == {
        "interest_share_by_window.csv", "interest_share_by_hour.csv", "diversity_by_window.csv", "diversity_by_hour.csv",
        "narrowing.csv", "overlap_by_hour.csv", "interest_share.png", "diversity_distinct.png", "diversity_entropy.png",
        "overlap_by_hour.png",
    }  # fmt: skip
    shares = pd.read_csv(out / "interest_share_by_window.csv")
    assert shares[shares["persona"] == "cats"]["matching"].tolist() == [0, 0, 9, 9]


def test_every_chart_title_names_measure_personas_n_and_utc_dates(data: Path) -> None:
    from tiktok.analysis.load import load

    videos = load(data / "data", "videos")
    result = audit(videos, studied_personas(videos, "control", data / "personas"), "control", window=10)
    dates = "2026-06-01 00:00–2026-06-01 00:39 UTC"
    share = shares_chart(result.shares["window"], "control").axes[0].get_title()
    assert share.splitlines() == [
        "Share of For-You videos matching cats's interests, per 10 videos shown",
        f"personas cats and control (baseline), {dates}",
        "n = 80 videos",
    ]
    entropy = diversity_chart(result.diversity["window"], "entropy (bits)").get_suptitle()
    assert entropy.startswith("Diversity of the For-You feed: entropy (bits)")
    assert f"personas cats, control, {dates}\nn = 80 videos" in entropy
    overlap = overlap_chart(result.overlap).axes[0].get_title()
    assert "personas cats, control, 2026-06-01 00:00–2026-06-01 01:00 UTC\nn = 60 videos shown to either" in overlap


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["DATA/nothing"], "DATA/nothing: no such folder"),
        (["DATA/personas"], "has no videos.jsonl"),
        (["DATA/data", "--control", "dogs"], "control persona 'dogs' in DATA/data (personas: cats, control): give --control NAME"),
        (["DATA/data", "--personas", "DATA/data"], "DATA/data/cats.yaml: no such persona file: give --personas DIR"),
        (["DATA/data", "--window", "0"], "argument --window: '0': give a whole number from 1 to 10,000"),
        (["DATA/data", "--threshold", "1.5"], "argument --threshold: '1.5': give a number from 0 to 1"),
        (["DATA/data", "--out", "DATA/data"], "is the data directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(data: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["audit", *[a.replace("DATA", str(data)) for a in args]]
    if "--personas" not in argv:
        argv += ["--personas", str(data / "personas")]
    with pytest.raises(SystemExit) as exit:
        main(argv)
    err = capsys.readouterr().err
    assert exit.value.code == 2 and len(err.splitlines()) == 1, err
    assert message.replace("DATA", str(data)) in err
