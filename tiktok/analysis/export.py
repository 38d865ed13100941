"""`python -m tiktok export network-csv DATA_DIR OUT_DIR`: a network crawl in the files a network
study's own crawler wrote: network.csv (source, destination: follower -> followee),
parsing_list.csv (username, status: 1 parsed, 2 refused, 3 not found, 4 unknown),
queue.csv (the frontier not yet asked) and time_stamps.csv (username, when it was asked)."""

from __future__ import annotations

import csv
from pathlib import Path

from tiktok.research.state import load_json
from tiktok.storage.jsonl import read_jsonl

STATUS_CODES = {"parsed": 1, "refused": 2, "not_found": 3}


class DamagedFrontier(ValueError):
    """A saved network frontier that cannot be read: the export stops rather than leave its queue out."""


def frontier_queue(path: Path) -> list[str]:
    """The users a saved frontier ({"queue": [[name, level], ...], "statuses": {...}}) has not asked."""
    saved = load_json(path)
    queue = saved.get("queue") if isinstance(saved, dict) else None
    statuses = saved.get("statuses") if isinstance(saved, dict) else None
    if not (
        isinstance(queue, list) and isinstance(statuses, dict) and all(isinstance(e, list) and e and isinstance(e[0], str) for e in queue)
    ):
        raise DamagedFrontier(f"{path} is not a network frontier research_network saved: move it aside, then export again")
    return [e[0] for e in queue if e[0] not in statuses]


def network_csv(data_dir: Path, out_dir: Path, problems: list[str]) -> dict[str, int]:
    queued = [name for frontier in sorted((data_dir / "state").glob("research-network-*.json")) for name in frontier_queue(frontier)]
    edges = sorted(
        {
            (r["follower"], r["followee"])
            for r in read_jsonl(data_dir / "follows.jsonl", problems)
            if all(isinstance(r.get(end), str) and r[end] for end in ("follower", "followee"))
        }
    )
    statuses = {
        r["username"]: r
        for r in read_jsonl(data_dir / "user_statuses.jsonl", problems)
        if isinstance(r.get("username"), str) and str(r.get("source", "")).startswith("research_network")
    }
    out_dir.mkdir(exist_ok=True)
    people = sorted({u for e in edges for u in e} | set(statuses) | set(queued))
    with (out_dir / "network.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("source", "destination"), *edges])
    with (out_dir / "parsing_list.csv").open("w", newline="", encoding="utf-8") as f:
        rows = [(u, STATUS_CODES.get(str(statuses.get(u, {}).get("status")), 4)) for u in people]
        csv.writer(f).writerows([("username", "status"), *rows])
    with (out_dir / "queue.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("username",), *[(u,) for u in dict.fromkeys(queued)]])
    with (out_dir / "time_stamps.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("username", "observed_at"), *[(u, s.get("observed_at")) for u, s in sorted(statuses.items())]])
    return {"edges": len(edges), "users": len(people), "queued": len(set(queued))}
