"""Scrapy settings for the tiktok project.

Settings this project adds:
- TIKTOK_WEB_URL: the web site every web spider starts from (the simulator: http://127.0.0.1:8800).
- TIKTOK_API_URL: the Research API host (the simulator serves it on the same origin).
- DATA_DIR: where pipelines write jsonlines, media and state.
- TIKTOK_CHROMIUM: the browser for scrapy-playwright (default Debian's /usr/bin/chromium when it
  exists, else Playwright's own).
- TIKTOK_REDIS_URL: set, many workers share one crawl through Redis (tiktok/scale/, README "Many
  machines"); unset, one machine as before. The password goes in TIKTOK_REDIS_PASSWORD.

Defaults keep a crawl polite: one request at a time per site, a delay between them that
AutoThrottle stretches when the site slows down, retries that back off, and robots.txt obeyed.
"""

import os

BOT_NAME = "tiktok"
SPIDER_MODULES = ["tiktok.spiders"]
NEWSPIDER_MODULE = "tiktok.spiders"
COMMANDS_MODULE = "tiktok.commands"

TIKTOK_WEB_URL = os.environ.get("TIKTOK_WEB_URL", "https://www.tiktok.com")
TIKTOK_API_URL = os.environ.get("TIKTOK_API_URL", "https://open.tiktokapis.com")
DATA_DIR = os.environ.get("TIKTOK_DATA_DIR", "data")

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_TIMES = 5
# Media files (covers, videos) come from TikTok's CDN, a host of its own: a slot with its own pace.
DOWNLOAD_SLOTS = {"tiktok-media": {"concurrency": 4, "delay": 0.1}}
DOWNLOAD_TIMEOUT = 30

# Scrapy 2.19 starts a remote-control server by default (../shared/STACK.md).
REMOTE_CONTROL_ENABLED = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"  # DEBUG lists every request and dropped duplicate
# The full log goes to DATA_DIR/logs/<spider>-<UTC time>.log; the terminal gets warnings, errors and
# the run's summary, or everything when LOG_LEVEL or LOG_FILE is given with -s (tiktok/commands/crawl.py).
# Scrapy's cookie middleware asks tldextract for the public suffix list, which it fetches from the
# internet on a venv's first run (two socket.gaierror tracebacks offline): the snapshot tldextract
# ships is enough to tell a public suffix, so it is told not to fetch (an empty URL list, its documented switch).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

# The item pipelines (tiktok/pipelines/): each reads its settings and switches off with them.
ITEM_PIPELINES = {
    "tiktok.pipelines.validate.ValidatePipeline": 100,
    "tiktok.pipelines.dedupe.DedupePipeline": 200,
    "tiktok.pipelines.media.MediaPipeline": 300,
    "tiktok.pipelines.ocr.OcrPipeline": 400,
    "tiktok.pipelines.captions.CaptionsPipeline": 500,
    "tiktok.pipelines.write.WritePipeline": 900,
}
EXTENSIONS = {
    "tiktok.extensions.runlog.RunLog": 500,
    "tiktok.extensions.summary.RunSummary": 510,  # the block a person reads at the end
    "tiktok.extensions.progress.Progress": 520,  # a line a minute, on a terminal only
}
# One switch for many machines: the add-on turns TIKTOK_REDIS_URL (-s or environment) into
# scrapy-redis's scheduler, queue and dupefilter; unset, it changes nothing (issue 14).
TIKTOK_REDIS_URL = os.environ.get("TIKTOK_REDIS_URL") or None
ADDONS = {"tiktok.scale.addon.ScaleAddon": 0}
SPIDER_MIDDLEWARES = {
    "tiktok.middlewares.observed_time.ObservedTimeMiddleware": 100,  # items from pages get the server's time
    "tiktok.middlewares.totals.TotalsMiddleware": 90,  # a hashtag's or sound's totals become a row of totals.jsonl
}
# After RetryMiddleware (550) on the way out, so before it on the way back: wait, then retry.
DOWNLOADER_MIDDLEWARES = {
    "tiktok.middlewares.retry_after.RetryAfterMiddleware": 560,
    # Requests marked research: answers sorted, retried and charged to the quota (580, so it sees
    # an answer after the token middleware has renewed a refused token), and the token (590).
    "tiktok.middlewares.research.ResearchApiMiddleware": 580,
    "tiktok.middlewares.research_token.ResearchTokenMiddleware": 590,
}

# scrapy-playwright for the pages that need a browser (../shared/STACK.md). Only requests with
# meta["playwright"] use it; JSON and media requests keep Scrapy's own HTTP handler.
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
_CHROMIUM = os.environ.get("TIKTOK_CHROMIUM") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "headless": True,
    # Without the background-networking flags chromium tries to reach outside hosts (STACK.md).
    "args": [
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    ],
    **({"executable_path": _CHROMIUM} if _CHROMIUM else {}),
}  # fmt: skip
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
TIKTOK_CAPTCHA_MAX_RETRIES = 3  # fresh browser contexts tried after a captcha before the crawl stops
