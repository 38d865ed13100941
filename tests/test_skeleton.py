"""The Scrapy project loads: `scrapy list` runs, and the settings every spider reads exist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scrapy.utils.project import get_project_settings

ROOT = Path(__file__).resolve().parents[1]


def test_scrapy_project_loads() -> None:
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_settings_point_at_tiktok_by_default(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("TIKTOK_WEB_URL", raising=False)
    settings = get_project_settings()
    assert settings.get("TIKTOK_WEB_URL") == "https://www.tiktok.com"
    assert settings.get("TIKTOK_API_URL") == "https://open.tiktokapis.com"
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
