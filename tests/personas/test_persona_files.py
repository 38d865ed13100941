"""Persona files: the shipped ones load, a bad one is one line naming the file and the field, cookies
come from either format without their values in any message, watching follows the rules, and
`scrapy crawl foryou -a persona=...` with a dead proxy stops with one line and exit 2."""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tiktok.personas import PersonaError, interest_weight, load_cookies, load_persona, watch
from tiktok.personas.cookies import CookiesError
from tiktok.schema.items import Video

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_personas_load_and_control_is_plain() -> None:
    names = sorted(p.stem for p in (ROOT / "personas").glob("*.yaml"))
    assert "control" in names and len(names) >= 2
    personas = {n: load_persona(ROOT / "personas" / f"{n}.yaml") for n in names}
    control = personas["control"]
    assert not control.interests.any() and control.watching.matching_seconds == control.watching.other_seconds
    for persona in personas.values():
        assert not persona.actions.like.enabled and not persona.actions.follow.enabled, "likes and follows are off by default"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("watching: {matching_seconds: -1}", "p.yaml: watching.matching_seconds: Input should be greater than or equal to 0.1"),
        ("interests: {hashtags: {cats: 2}}", "p.yaml: interests.hashtags.cats: Input should be less than or equal to 1"),
        ("interests: {sounds: {abc: 1}}", "p.yaml: interests.sounds: 'abc' is not a sound id (digits, as in a /music/ URL)"),
        ("locale: english", "p.yaml: locale: 'english' is not a locale like en-US or de-DE"),
        ("timezone: Mars/Olympus", "p.yaml: timezone: 'Mars/Olympus' is not a time zone like Europe/London or UTC"),
        ("proxy: ftp://x", "p.yaml: proxy: give a proxy URL like http://host:8080 or socks5://host:1080 (http, https, socks5)"),
        ("watchin: {}", "p.yaml: watchin: no such field"),
        ("cookies: missing.txt", "p.yaml: cookies: no such file"),
        ("- a list", "p.yaml: give a mapping of fields (interests:, watching:, ...), not a list"),
        ("interests: [", "p.yaml: not a YAML file"),
    ],
)
def test_a_bad_file_is_one_line_naming_file_and_field(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(PersonaError) as caught:
        load_persona(write(tmp_path, text))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(tmp_path)) and expected in message, message


def test_cookies_from_netscape_and_storage_state_never_show_values(tmp_path: Path) -> None:
    line = "#HttpOnly_.tiktok.com\tTRUE\t/\tTRUE\t1900000000\tsessionid\tSECRET1"
    netscape = write(tmp_path, f"# Netscape HTTP Cookie File\n{line}\n", "c.txt")
    cookie = {"name": "sid_tt", "value": "SECRET2", "domain": ".tiktok.com"}
    state = write(tmp_path, json.dumps({"cookies": [cookie], "origins": []}), "s.json")
    (one,) = load_cookies(netscape)
    assert one == {"name": "sessionid", "value": "SECRET1", "domain": ".tiktok.com", "path": "/", "secure": True,
                   "httpOnly": True, "expires": 1900000000.0}  # fmt: skip
    assert load_cookies(state) == [{"name": "sid_tt", "value": "SECRET2", "domain": ".tiktok.com", "path": "/"}]
    bad = write(tmp_path, ".tiktok.com\tTRUE\t/\tSECRET3\n", "bad.txt")
    with pytest.raises(CookiesError, match="line 1 is not a Netscape cookie line") as caught:
        load_cookies(bad)
    assert "SECRET3" not in str(caught.value)


def test_dwell_and_actions_follow_the_rules(tmp_path: Path) -> None:
    text = "interests: {hashtags: {cats: 1.0, dogs: 0.5}}\nwatching: {matching_seconds: 10, other_seconds: 2}\n"
    persona = load_persona(write(tmp_path, text + "actions: {like: {enabled: true, share: 1.0}}"))
    cat, dog, other = (Video(id="1", hashtag_names=[h]) for h in ("Cats", "dogs", "food"))
    assert [interest_weight(persona, v) for v in (cat, dog, other)] == [1.0, 0.5, 0.0]
    rng = random.Random(1)
    assert watch(persona, 1.0, 30, rng).seconds == 10 and watch(persona, 0.5, 30, rng).seconds == 6
    assert watch(persona, 0.0, 30, rng).actions == () and watch(persona, 1.0, 30, rng).actions == ("like",)
    finisher = load_persona(write(tmp_path, "watching: {finish_share: 1.0}", "f.yaml"))
    assert watch(finisher, 1.0, 42, rng).seconds == 42 and watch(finisher, 1.0, 42, rng).to_end


def test_a_dead_proxy_stops_the_crawl_with_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    persona = write(tmp_path, f"proxy: socks5://user:pw@127.0.0.1:{port}\n", "proxied.yaml")
    cmd = [sys.executable, "-m", "scrapy", "crawl", "foryou", "-a", f"persona={persona}", "-s", f"DATA_DIR={tmp_path / 'data'}"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    line = result.stderr.strip()
    assert "\n" not in line and f"proxied.yaml: proxy: socks5://127.0.0.1:{port} does not answer" in line and "pw" not in line, line
