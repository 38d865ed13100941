"""Downloader middleware: the Research API's client access token on every research request.

The token is fetched once (POST /v2/oauth/token/, client credentials), shared by all requests,
renewed five minutes before it expires and after a 401. It is fetched with aiohttp inside
process_request because the request it authorises must wait for it; Scrapy's own queue cannot
order one request before another's headers are set. Renewals are serialised: a 401 drops the token
only when it was the one the request carried, so when a token expires under many requests in
flight, all of them are sent again with one new token (issue #13: one expiry, one renewal).
Rejected credentials stop the crawl (finish_reason `credentials_rejected`, exit code 2) without
echoing them; a token endpoint that does not answer stops it as `partial` (exit 3), since running
again later fills it. Only requests with meta["research"] are touched.

Settings: TIKTOK_API_URL. Stats: `research/tokens`, `research/token_renewed_after_401`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro

from tiktok.research.credentials import credentials
from tiktok.run.context import run_context

logger = logging.getLogger(__name__)
RENEW_BEFORE = 300


class ResearchTokenMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.api = crawler.settings.get("TIKTOK_API_URL", "https://open.tiktokapis.com").rstrip("/")
        self.token: str | None = None
        self.expires = 0.0
        self.lock = asyncio.Lock()
        self.refused = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> ResearchTokenMiddleware:
        return cls(crawler)

    async def fetch_token(self) -> str | None:
        pair = credentials()
        if pair is None:
            self.stop("no credentials: set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET (environment or .env)")
            return None
        form = {"client_key": pair[0], "client_secret": pair[1], "grant_type": "client_credentials"}
        for attempt in range(5):
            try:
                async with (
                    aiohttp.ClientSession() as session,
                    session.post(f"{self.api}/v2/oauth/token/", data=form, timeout=aiohttp.ClientTimeout(total=30)) as resp,
                ):
                    body = await resp.json(content_type=None)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                logger.warning("token request failed (%s); trying again", type(exc).__name__)
                await asyncio.sleep(2**attempt)
                continue
            if isinstance(body, dict) and body.get("access_token"):
                self.token = str(body["access_token"])
                self.expires = time.time() + float(body.get("expires_in", 7200))
                self.crawler.stats.inc_value("research/tokens")
                return self.token
            error = body.get("error") if isinstance(body, dict) else None
            if error in ("invalid_client", "invalid_request", "unauthorized_client", "access_denied"):
                self.stop(f"the Research API refused the client credentials ({error}): check TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET")
                return None
            await asyncio.sleep(2**attempt)
        if not self.refused:  # an outage, not refused credentials: the same command later fills what was not asked
            run_context(self.crawler).gap("everything not asked yet: the token endpoint did not answer after 5 tries")
        self.stop("no access token after 5 tries: the token endpoint does not answer", reason="token_unavailable")
        return None

    def stop(self, message: str, reason: str = "credentials_rejected") -> None:
        if not self.refused:
            self.refused = True
            logger.error("%s", message)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    async def process_request(self, request: Request) -> None:
        if not request.meta.get("research"):
            return
        async with self.lock:  # one renewal at a time; the others wait for its token
            if not self.refused and (self.token is None or time.time() > self.expires - RENEW_BEFORE):
                await self.fetch_token()
        if self.token is None:
            raise IgnoreRequest("no Research API token")
        request.headers["Authorization"] = f"Bearer {self.token}"

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("research") and response.status == 401 and not request.meta.get("token_renewed"):
            if request.headers.get("Authorization") == f"Bearer {self.token}".encode():
                self.token = None  # the current token is refused: the next request renews it
                self.crawler.stats.inc_value("research/token_renewed_after_401")
            return request.replace(meta={**request.meta, "token_renewed": True}, dont_filter=True)
        return response
