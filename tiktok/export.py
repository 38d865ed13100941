"""`python -m tiktok export network-csv DATA_DIR OUT_DIR`: a network crawl in the files a network
study's own crawler wrote: network.csv (source, destination: follower -> followee),
parsing_list.csv (username, status: 1 parsed, 2 refused, 3 not found, 4 unknown),
queue.csv (the frontier not yet asked) and time_stamps.csv (username, when it was asked)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tiktok.storage.jsonl import read_jsonl

STATUS_CODES = {"parsed": 1, "refused": 2, "not_found": 3}


def network_csv(data_dir: Path, out_dir: Path, problems: list[str]) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    edges = sorted(
        {
            (r["follower"], r["followee"])
            for r in read_jsonl(data_dir / "follows.jsonl", problems)
            if r.get("follower") and r.get("followee")
        }
    )
    statuses = {
        r["username"]: r
        for r in read_jsonl(data_dir / "user_statuses.jsonl", problems)
        if str(r.get("source", "")).startswith("research_network")
    }
    queued: list[str] = []
    for frontier in sorted((data_dir / "state").glob("research-network-*.json")):
        saved = json.loads(frontier.read_text(encoding="utf-8"))
        queued += [name for name, _ in saved.get("queue", []) if name not in saved.get("statuses", {})]
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
