"""The Scrapy project loads: `scrapy list` runs, and the settings every spider reads exist."""

from __future__ import annotations

import subprocess
import sys
import zipfile
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


def test_the_deployed_egg_carries_the_collector_without_the_simulator(tmp_path: Path) -> None:
    """scrapyd-deploy builds the egg with `python setup.py bdist_egg` (scrapy.cfg [deploy])."""
    out = str(tmp_path)
    steps = ["egg_info", "-e", out, "build", "-b", f"{out}/build", "bdist_egg", "-d", f"{out}/dist", "-b", f"{out}/bdist"]
    build = subprocess.run([sys.executable, "setup.py", "-q", *steps], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr[-2000:]

    (egg,) = (tmp_path / "dist").glob("*.egg")
    names = zipfile.ZipFile(egg).namelist()
    assert "tiktok/settings.py" in names and "tiktok/spiders/hashtag.py" in names
    assert not [n for n in names if n.startswith(("tiktok/simulator/", "tests/"))]
