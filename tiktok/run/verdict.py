"""How a run ended, in one word, and the exit code that tells cron (issue #13; the README's
"Verdicts" table lists them). A run never claims more than it did: `complete` only when Scrapy
finished normally and no gap is known."""

from __future__ import annotations

EXIT_CODES = {"complete": 0, "failed": 1, "partial": 3, "quota": 4, "blocked": 5, "stopped": 6}
FAILED_REASONS = ("disk_full", "write_error", "credentials_rejected")
REFUSED_CREDENTIALS_EXIT = 2  # fixed like a bad argument: in the environment, before running again


def exit_code(verdict: str, finish_reason: str) -> int:
    return REFUSED_CREDENTIALS_EXIT if finish_reason == "credentials_rejected" else EXIT_CODES[verdict]


def verdict_of(finish_reason: str, gaps: list[str]) -> str:
    """The verdict from Scrapy's finish reason (or a CloseSpider message: "daily quota …",
    "blocked: …") and the gaps the run knows of."""
    if finish_reason in FAILED_REASONS or finish_reason.startswith("failed"):
        return "failed"
    if finish_reason.startswith(("daily quota", "quota")):
        return "quota"
    if finish_reason.startswith("blocked"):
        return "blocked"
    if finish_reason == "shutdown":  # SIGINT or SIGTERM (Ctrl-C, the cron wrapper, a JOBDIR pause)
        return "stopped"
    if finish_reason == "finished":
        return "partial" if gaps else "complete"
    return "partial"  # closed early for another reason (CloseSpider, closespider_* limits)


def stats_gaps(stats: dict[str, object]) -> list[str]:
    """Gaps every spider can have, read from Scrapy's stats: requests given up after their retries,
    answers refused for their status, callbacks that raised."""
    gaps = []
    given_up = int(stats.get("retry/max_reached", 0) or 0)  # type: ignore[call-overload]
    if given_up:
        gaps.append(f"{given_up} request(s) given up after their retries (see the log's 'Gave up retrying' lines)")
    ignored = int(stats.get("httperror/response_ignored_count", 0) or 0)  # type: ignore[call-overload]
    if ignored:
        gaps.append(f"{ignored} answer(s) refused for their HTTP status (see the log's 'Ignoring response' lines)")
    failed = sum(int(v) for k, v in stats.items() if k.startswith("spider_exceptions/"))  # type: ignore[call-overload]
    if failed:
        gaps.append(f"{failed} answer(s) whose handling failed with an error (see the log's tracebacks)")
    return gaps
