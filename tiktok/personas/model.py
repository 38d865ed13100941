"""A persona file, `personas/NAME.yaml`, checked into a frozen `Persona`.

Every field has a default, so `control.yaml` can be nearly empty: no interests, the same dwell for
every video, no likes and no follows. Likes and follows are off unless a file turns them on: they
touch other people's accounts (README, "For-You audits"). Any problem is one line naming the file
and the field: `personas/cats.yaml: watching.matching_seconds: give a number from 0.1 to 600`.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
PROXY_SCHEMES = ("http", "https", "socks5")
CHECKED = ConfigDict(extra="forbid", frozen=True)
Weight = Annotated[float, Field(gt=0, le=1)]
Share = Annotated[float, Field(ge=0, le=1)]


class PersonaError(ValueError):
    """A persona that cannot be used: one line naming the file and the field (exit 2)."""


class Interests(BaseModel):
    """What the persona is drawn to, each with a weight from 0 (exclusive) to 1: hashtags without
    '#', sound (music) ids, creators' usernames without '@'."""

    model_config = CHECKED
    hashtags: dict[str, Weight] = Field(default_factory=dict)
    sounds: dict[str, Weight] = Field(default_factory=dict)
    creators: dict[str, Weight] = Field(default_factory=dict)

    @field_validator("hashtags", "creators")
    @classmethod
    def _plain_names(cls, value: dict[str, float]) -> dict[str, float]:
        return {k.lstrip("#@").lower(): w for k, w in value.items()}

    @field_validator("sounds")
    @classmethod
    def _sound_ids(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [k for k in value if not str(k).isdigit()]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a sound id (digits, as in a /music/ URL)")
        return {str(k): w for k, w in value.items()}

    def any(self) -> bool:
        return bool(self.hashtags or self.sounds or self.creators)


class Watching(BaseModel):
    """Seconds on a video matching an interest of weight 1 (a weaker match gets a share of the
    difference) and on any other video; jitter is the relative spread (0.2: +-20 %, uniform);
    finish_share is the share of matching videos watched to their end."""

    model_config = CHECKED
    matching_seconds: Annotated[float, Field(ge=0.1, le=600)] = 8.0
    other_seconds: Annotated[float, Field(ge=0.1, le=600)] = 3.0
    jitter: Share = 0.0
    finish_share: Share = 0.0


class Rule(BaseModel):
    """Like (or follow) a share of the videos, only those matching an interest by default."""

    model_config = CHECKED
    enabled: bool = False
    share: Share = 0.5
    matching_only: bool = True


class Actions(BaseModel):
    model_config = CHECKED
    like: Rule = Rule()
    follow: Rule = Rule()


class Persona(BaseModel):
    model_config = CHECKED
    name: str
    file: str  # where it was read from, for messages
    description: str = ""
    interests: Interests = Interests()
    watching: Watching = Watching()
    actions: Actions = Actions()
    locale: str = "en-US"
    timezone: str = "UTC"
    proxy: str | None = None
    cookies: str | None = None  # a Netscape cookies.txt or Playwright storage-state file, beside the persona

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if not LOCALE.match(value):
            raise ValueError(f"{value!r} is not a locale like en-US or de-DE")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone like Europe/London or UTC") from None
        return value

    @field_validator("proxy")
    @classmethod
    def _proxy(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in PROXY_SCHEMES or not parts.hostname or not parts.port:
            raise ValueError(f"give a proxy URL like http://host:8080 or socks5://host:1080 ({', '.join(PROXY_SCHEMES)})")
        return value

    @field_validator("cookies")
    @classmethod
    def _cookies_file(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not beside(info.data.get("file", ""), value).is_file():
            raise ValueError(f"no such file {beside(info.data.get('file', ''), value)}")
        return value

    @property
    def cookies_path(self) -> Path:
        assert self.cookies is not None
        return beside(self.file, self.cookies)

    @property
    def proxy_shown(self) -> str:
        """The proxy without its user and password, for messages and logs."""
        parts = urlsplit(self.proxy or "")
        return f"{parts.scheme}://{parts.hostname}:{parts.port}"

    def playwright_proxy(self) -> dict[str, str] | None:
        if not self.proxy:
            return None
        parts = urlsplit(self.proxy)
        out = {"server": self.proxy_shown}
        if parts.username:
            out |= {"username": parts.username, "password": parts.password or ""}
        return out


def beside(persona_file: str, path: str) -> Path:
    """A path a persona file names: relative ones are beside the file."""
    out = Path(path).expanduser()
    return out if out.is_absolute() else Path(persona_file).parent / out


def personas_dir() -> Path:
    """Where `-a persona=NAME` looks: TIKTOK_PERSONAS_DIR, else personas/ in the working folder."""
    return Path(os.environ.get("TIKTOK_PERSONAS_DIR", "personas"))


def find_persona(name: str) -> Path:
    """NAME in the personas folder, or a path to a .yaml file."""
    if name.endswith((".yaml", ".yml")):
        return Path(name).expanduser()
    if not NAME.match(name):
        raise PersonaError(f"persona {name!r}: give a persona name (letters, digits, - and _) or a .yaml file")
    return personas_dir() / f"{name}.yaml"


def where(error: ErrorDetails) -> str:
    return ".".join(str(part) for part in error["loc"] if part != "__root__") or "the file"


def load_persona(path: Path) -> Persona:
    """The checked persona in `path`; PersonaError (one line naming file and field) when wrong."""
    if not path.is_file():
        known = sorted(p.stem for p in path.parent.glob("*.yaml")) if path.parent.is_dir() else []
        hint = f" (there: {', '.join(known)})" if known else ""
        raise PersonaError(f"{path}: no such persona file{hint}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise PersonaError(f"{path}: not a YAML file" + (f" (line {line + 1})" if line is not None else "")) from None
    if not isinstance(data, dict):
        raise PersonaError(f"{path}: give a mapping of fields (interests:, watching:, ...), not a {type(data).__name__}")
    for key in ("name", "file"):
        if key in data:
            raise PersonaError(f"{path}: {key}: set by the file's own name and place, not inside it")
    try:
        return Persona(**data, name=path.stem, file=str(path))
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "no such field"
        raise PersonaError(f"{path}: {where(error)}: {message}") from None


def check_proxy(persona: Persona, timeout: float = 3.0) -> None:
    """A proxy that does not answer fails the run before a browser starts (exit 2)."""
    if not persona.proxy:
        return
    parts = urlsplit(persona.proxy)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PersonaError(f"{persona.file}: proxy: {persona.proxy_shown} does not answer ({reason})") from None
