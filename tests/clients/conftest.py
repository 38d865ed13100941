"""Real TikTok clients against one simulator process: only the scheme and host are rewritten.

`requests` traffic is rewritten in its transport (`HTTPAdapter.send`), the layer every
requests-based client shares, so the clients' own code builds every URL, body and header.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.helpers.sim_process import running_simulator

TIKTOK_HOSTS = re.compile(r"^https://(?:open\.tiktokapis\.com|www\.tiktok\.com)(?=[/?]|$)")


def rewrite(url: str, base: str) -> str:
    """TikTok's URL with the simulator's scheme and host, everything else as the client made it."""
    return TIKTOK_HOSTS.sub(base, url)


@pytest.fixture(scope="package")
def simulator() -> Iterator[str]:
    with running_simulator("--clock-speed", "0.000001") as base:  # the clock barely moves: counts stay put
        yield base


@pytest.fixture
def requests_to_simulator(simulator: str, monkeypatch: pytest.MonkeyPatch) -> str:
    original = HTTPAdapter.send

    def send(self: HTTPAdapter, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        request.url = rewrite(request.url or "", simulator)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(HTTPAdapter, "send", send)
    return simulator


def truth(base: str, path: str) -> Any:
    resp = requests.get(f"{base}/__sim__/truth/{path}", timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def truth_query(base: str, query: dict[str, Any], start: str, end: str) -> list[str]:
    body: dict[str, Any] = {"query": query, "start_date": start, "end_date": end}
    resp = requests.post(f"{base}/__sim__/truth/research/video_query", json=body, timeout=30)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["video_ids"])
