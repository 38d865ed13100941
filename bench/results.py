"""The one summary line format of the benchmarks, so one `make bench` run can be turned into the
README's table by a grep: each figure ends its benchmark's output as

    RESULT <name>: <figure> (baseline: <baseline figure>; ratio <r> x[; goal <goal>: met|MISSED])

`name` has no spaces or colons; `figure` and the baseline figure hold no parentheses or semicolons;
`r` is figure / baseline (for a rate, more is better; for a time or a size, less is). A parser:
`^RESULT (\\S+): ([^()]*) \\(baseline: ([^;]*); ratio ([0-9.]+) x(?:; goal ([^:]*): (met|MISSED))?\\)$`."""

from __future__ import annotations


def result(name: str, figure: str, baseline: str, ratio: float, goal: str = "", met: bool | None = None) -> str:
    """The RESULT line of one figure (printed by the caller)."""
    if " " in name or ":" in name or any(c in figure + baseline for c in "();"):
        raise ValueError(f"a RESULT line cannot hold {name!r}, {figure!r}, {baseline!r}")
    judged = f"; goal {goal}: {'met' if met else 'MISSED'}" if goal else ""
    return f"RESULT {name}: {figure} (baseline: {baseline}; ratio {ratio:.2f} x{judged})"
