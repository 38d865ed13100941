"""`python -m tiktok audit DATA_DIR`: the For-You audit of the persona runs in DATA_DIR (issue 17).

Per persona, over windows of N videos shown and over hours: the share matching its interests
against the control persona's feed, time to narrowing, diversity, and the overlap of feeds. Prints
a short table and writes CSVs and PNGs into OUT_DIR. Arguments come checked (tiktok/cli/checks.py);
what needs the data (which personas ran, their files) is checked here, one line and exit 2."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from tiktok.analysis.audit import MIN_N
from tiktok.analysis.audit_charts import diversity_chart, overlap_chart, shares_chart
from tiktok.analysis.audit_tables import COLUMNS, Audit, audit, persona_videos, studied_personas
from tiktok.analysis.load import load
from tiktok.cli.analysis import Parser
from tiktok.cli.checks import notes, same_path
from tiktok.personas import PersonaError
from tiktok.personas.model import personas_dir


def run_audit(parser: Parser, args: argparse.Namespace) -> int:
    if not (args.data_dir / "videos.jsonl").is_file():
        parser.error(f"{args.data_dir} has no videos.jsonl: give the DATA_DIR of persona runs (scrapy crawl foryou -a persona=NAME)")
    if same_path(args.out, args.data_dir):
        parser.error(f"--out {args.out} is the data directory: write the audit elsewhere (e.g. audit/)")
    problems: list[str] = []
    videos = persona_videos(load(args.data_dir, "videos", problems, columns=COLUMNS))
    ran = sorted(videos["persona"].unique())
    if not ran:
        parser.error(f"{args.data_dir} has no persona videos: run scrapy crawl foryou -a persona=NAME first")
    if args.control not in ran:
        known = ", ".join(ran)
        parser.error(f"no videos of the control persona {args.control!r} in {args.data_dir} (personas: {known}): give --control NAME")
    try:
        studied = studied_personas(videos, args.control, args.personas or personas_dir())
    except PersonaError as exc:
        parser.error(f"{exc}: give --personas DIR, the folder of the persona files these runs used")
    result = audit(videos, studied, args.control, args.window, args.threshold)
    print_summary(result)
    written = write_audit(result, args.out, bool(studied))
    notes(problems)
    print(f"{len(written)} files written to {args.out}/ ({', '.join(sorted({p.suffix[1:] for p in written}))})")
    return 0


def write_audit(result: Audit, out: Path, studied: bool) -> list[Path]:
    """Every table (CSV) and chart (PNG) into `out`."""
    out.mkdir(exist_ok=True)
    written = []
    for name, table in result.tables().items():
        table.to_csv(out / name, index=False)
        written.append(out / name)
    charts = {"interest_share.png": shares_chart(result.shares["window"], result.control) if studied else None,
              "diversity_distinct.png": diversity_chart(result.diversity["window"], "distinct per 100 videos"),
              "diversity_entropy.png": diversity_chart(result.diversity["window"], "entropy (bits)"),
              "overlap_by_hour.png": overlap_chart(result.overlap)}  # fmt: skip
    for name, figure in charts.items():
        if figure is not None:
            figure.savefig(out / name, dpi=110)
            written.append(out / name)
    return written


def shown(row: pd.Series, value: str = "share", percent: bool = True) -> str:
    """`65% (43-82%)`, or the note of a period below the minimum n."""
    if row["n"] < MIN_N:
        return f"n = {row['n']} < {MIN_N}"
    f = "{:.0%}" if percent else "{:.1f}"
    return f"{f.format(row[value])} ({f.format(row['low'])}-{f.format(row['high'])})"


def print_summary(result: Audit) -> None:
    """The short table: first and last window of each share, narrowing, last window's diversity,
    and the overlap of each pair over all hours."""
    shares, narrowed, varied, overlap = result.shares["window"], result.narrowing, result.diversity["window"], result.overlap
    print(f"Interest share per window of {result.window} videos shown (95 % Wilson); {result.control} is the baseline:")
    lines = []
    for (interests, persona), rows in shares.groupby(["interests", "persona"], sort=True):
        first, last = rows.iloc[0], rows.iloc[-1]
        lines.append({"interests of": interests, "feed of": persona, "videos": int(rows["n"].sum()),
                      "first window": shown(first), "last window": shown(last)})  # fmt: skip
    print(pd.DataFrame(lines).to_string(index=False) if lines else "  (only the control persona ran: no interests to measure)")
    for row in narrowed.itertuples():
        interval = f"{row.share:.0%}, {row.low:.0%}-{row.high:.0%}"
        got = f"after {row.videos:.0f} videos (window {row.window}: {interval})" if row.window else row.note
        sure = f"; whole interval above by {row.sure_videos:.0f}" if row.sure_window else ""
        print(f"Narrowing (share above {result.threshold:.0%}), {row.persona}'s feed, {row.interests}'s interests: {got}{sure}")
    print("Diversity in each persona's last window (per 100 videos, 95 % Wilson; entropy in bits, 95 % normal bootstrap):")
    lines = []
    for persona, rows in varied.groupby("persona", sort=True):
        last = rows[rows["period"] == rows["period"].max()].set_index(["kind", "measure"])
        line: dict[str, object] = {"persona": persona, "window": f"{last['first'].iloc[0]}-{last['last'].iloc[0]}"}
        for kind in ("creators", "hashtags", "sounds"):
            line[f"{kind}/100"] = shown(last.loc[(kind, "distinct per 100 videos")], "value", percent=False)
        line["hashtag entropy"] = shown(last.loc[("hashtags", "entropy (bits)")], "value", percent=False)
        lines.append(line)
    print(pd.DataFrame(lines).to_string(index=False))
    for (a, b), pair in overlap.groupby(["persona_a", "persona_b"], sort=True):
        readable = pair[pair["note"] == ""]
        hours = f"{len(readable)} of {len(pair)} hours with n >= {MIN_N}"
        if len(readable):
            j = readable["jaccard"]
            print(f"Overlap of {a} and {b} (Jaccard per hour): {j.min():.2f}-{j.max():.2f} over {hours}")
        else:
            print(f"Overlap of {a} and {b}: no hour in which both saw {MIN_N} videos or more ({hours})")
