"""HTML pages as TikTok serves them: the state in a `__UNIVERSAL_DATA_FOR_REHYDRATION__` script.

The universal JSON escapes `/` as `\\u002F`, as the real pages do (TIKTOK-FORMATS.md §8.1), which also
keeps `</script>` out of it. Every page loads static/sign.js (`window.byted_acrawler`); pages with a
list (For-You, tag, profile, sound) carry a feed configuration that static/feed.js reads to load the
list as the reader scrolls.
"""

from __future__ import annotations

import html
import json
import secrets
from typing import Any


def universal_json(scope: dict[str, Any]) -> str:
    return json.dumps({"__DEFAULT_SCOPE__": scope}, ensure_ascii=False, separators=(",", ":")).replace("/", "\\u002F")


def app_context(region: str, now: float, user_agent: str) -> dict[str, Any]:
    return {
        "language": "en",
        "region": region,
        "appId": 1180,
        "appType": "t",
        "wid": str(7_500_000_000_000_000_000 + secrets.randbelow(10**15)),
        "webIdCreatedTime": str(int(now)),
        "nonce": secrets.token_urlsafe(15),
        "botType": "others",
        "requestId": str(secrets.randbelow(10**20)),
        "clusterRegion": "ALL_SG",
        "abTestVersion": {"versionName": "", "parameters": {}},
        "csrfToken": "",
        "userAgent": user_agent,
        "encryptedWebid": "",
        "host": "www.tiktok.com",
    }


def scope(page_key: str, page_data: dict[str, Any], region: str, now: float, user_agent: str) -> dict[str, Any]:
    return {
        "webapp.app-context": app_context(region, now, user_agent),
        "webapp.biz-context": {"os": "linux", "isMobile": False, "isAndroid": False, "isIOS": False},
        "webapp.i18n-translation": {},
        "seo.abtest": {},
        page_key: page_data,
        "webapp.a-b": {"parameters": {}},
    }


def page(title: str, state: dict[str, Any], body: str = "", feed: dict[str, Any] | None = None) -> str:
    feed_parts = ""
    if feed is not None:
        feed_json = json.dumps(feed).replace("/", "\\u002F")
        feed_parts = (
            '<div id="feed"></div>'
            f'<script id="sim-feed" type="application/json">{feed_json}</script>'
            '<script src="/webapp/feed.js"></script>'
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>.video-card{min-height:640px;border-bottom:1px solid #ccc}"
        ".cover{width:360px;height:640px;object-fit:cover}</style></head><body>"
        # Every real page loads the signer (window.byted_acrawler), list or not (issue 12).
        f'<div id="app">{body}<script src="/webapp/sign.js"></script>{feed_parts}</div>'
        f'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{universal_json(state)}</script>'
        "</body></html>"
    )


CAPTCHA_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Security Check</title></head><body>'
    '<div id="captcha-verify-container" class="captcha_verify_container">'
    "<p>Verify to continue: drag the slider to fit the puzzle</p></div></body></html>"
)
