"""Every table of a For-You audit at once (issue 17), for `python -m tiktok audit` and
notebooks/audit.ipynb alike: the interest share of each studied persona's feed and of the control's
against its interests (by window and by hour), time to narrowing, diversity (by window and by hour)
and the overlap of feeds by hour."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tiktok.analysis.audit import PERIODS, SHARE_COLUMNS, interest_share, narrowing
from tiktok.analysis.diversity import diversity
from tiktok.analysis.overlap import overlap_by_hour
from tiktok.personas import Persona, find_persona, load_persona

COLUMNS = ["id", "persona", "phase", "feed_position", "run_id", "scraped_at", "hashtag_names", "music_id", "username"]


@dataclass
class Audit:
    control: str
    window: int
    threshold: float
    shares: dict[str, pd.DataFrame]  # by "window" and "hour"
    narrowing: pd.DataFrame
    diversity: dict[str, pd.DataFrame]
    overlap: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Each table under its CSV file name."""
        out = {f"interest_share_by_{by}.csv": self.shares[by] for by in PERIODS}
        out |= {f"diversity_by_{by}.csv": self.diversity[by] for by in PERIODS}
        return out | {"narrowing.csv": self.narrowing, "overlap_by_hour.csv": self.overlap}


def persona_videos(videos: pd.DataFrame) -> pd.DataFrame:
    """The videos persona runs recorded (the others have no persona or feed position)."""
    if "persona" not in videos or "feed_position" not in videos:
        return videos.iloc[:0].assign(persona=pd.Series(dtype="string"), feed_position=pd.Series(dtype="Int64"))
    return videos[videos["persona"].notna() & videos["feed_position"].notna()]


def studied_personas(videos: pd.DataFrame, control: str, folder: Path | str) -> list[Persona]:
    """The persona files (in `folder`) of every persona in `videos` but the control; PersonaError
    (one line) when one is missing or wrong."""
    names = sorted(set(persona_videos(videos)["persona"]) - {control})
    return [load_persona(find_persona(str(Path(folder) / f"{name}.yaml"))) for name in names]


def audit(videos: pd.DataFrame, studied: list[Persona], control: str, window: int = 20, threshold: float = 0.5) -> Audit:
    """The audit of the persona videos among `videos`: each of `studied` against `control`."""
    seen = persona_videos(videos)

    def shares(by: str) -> pd.DataFrame:
        tables = [interest_share(seen[seen["persona"].isin([p.name, control])], p, window, by) for p in studied]
        return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=SHARE_COLUMNS)

    by_period = {by: shares(by) for by in PERIODS}
    return Audit(
        control, window, threshold, by_period, narrowing(by_period["window"], threshold),
        {by: diversity(seen, window, by) for by in PERIODS}, overlap_by_hour(seen),
    )  # fmt: skip
