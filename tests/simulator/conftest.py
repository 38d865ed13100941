"""Helpers for the simulator's own tests."""

from __future__ import annotations

from typing import Any


def key_types(obj: Any, prefix: str = "") -> dict[str, set[str]]:
    """Every key path of a JSON value with the types seen there (list items as `[]`)."""
    out: dict[str, set[str]] = {}

    def walk(value: Any, path: str) -> None:
        out.setdefault(path, set()).add(type(value).__name__)
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}")
        elif isinstance(value, list):
            for v in value:
                walk(v, f"{path}[]")

    walk(obj, prefix)
    return out
