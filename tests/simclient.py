"""A simulator client with the calls a collector makes: pages, signed web API calls, Research API.

The clock is frozen (speed 0) so counts cannot move between a page and its truth; tests move it.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.test_utils import TestClient

from tiktok.simulator import signing
from tiktok.simulator.state import DEMO_CLIENT_KEY, DEMO_CLIENT_SECRET

UNIVERSAL = re.compile(r'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">(.*?)</script>', re.S)


class Sim:
    """Wraps aiohttp's test client with the simulator's calls."""

    def __init__(self, client: TestClient[web.Request, web.Application]) -> None:
        self.client = client
        self._token: str | None = None

    async def page_state(self, path: str) -> dict[str, Any]:
        resp = await self.client.get(path)
        assert resp.status == 200
        match = UNIVERSAL.search(await resp.text())
        assert match, f"{path} has no universal data"
        return json.loads(match.group(1))["__DEFAULT_SCOPE__"]  # type: ignore[no-any-return]

    async def signed_get(self, path: str, **params: str) -> Any:
        """Calls an item-list endpoint the way the page's sign.js does; returns the parsed JSON."""
        if "msToken" not in {c.key for c in self.client.session.cookie_jar}:
            await self.client.get("/foryou")
        token = next(c.value for c in self.client.session.cookie_jar if c.key == "msToken")
        query = urlencode({**params, "msToken": token})
        resp = await self.client.get(f"{path}?{query}&X-Bogus={signing.x_bogus(query, token)}")
        assert resp.status == 200
        return json.loads(await resp.text())

    async def token(self) -> str:
        if self._token is None:
            form = {"client_key": DEMO_CLIENT_KEY, "client_secret": DEMO_CLIENT_SECRET, "grant_type": "client_credentials"}
            resp = await self.client.post("/v2/oauth/token/", data=form)
            self._token = (await resp.json())["access_token"]
        return self._token

    def forget_token(self) -> None:
        """After the clock jumps past a token's lifetime, the next call fetches a new one."""
        self._token = None

    async def research(self, endpoint: str, body: dict[str, Any], fields: str | None = None) -> tuple[int, Any]:
        path = f"/v2/research/{endpoint}/" + (f"?fields={fields}" if fields else "")
        headers = {"Authorization": f"Bearer {await self.token()}", "Content-Type": "application/json"}
        resp = await self.client.post(path, data=json.dumps(body), headers=headers)
        return resp.status, json.loads(await resp.text())

    async def truth(self, path: str) -> Any:
        resp = await self.client.get(f"/__sim__/truth/{path}")
        assert resp.status == 200, await resp.text()
        return await resp.json()

    async def advance(self, seconds: float) -> None:
        await self.client.post("/__sim__/clock", json={"advance": seconds})
