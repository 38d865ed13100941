"""Typed spider arguments (issue 11): each spider declares its -a arguments once, as a pydantic model
built from the pieces here, and scrapy-spider-metadata's `Args` parses them into `spider.args` in
`from_crawler`. The crawl command checks the same declaration before Scrapy starts (one line on
stderr, exit 2), and `-a help=1` lists it with `argument_table`.

-a values arrive as strings (../shared/STACK.md): lists are split on commas here and an empty item
is refused, flags take 1 or 0, numbers are bounded with `Field(ge=..., le=...)`. Unknown names are
refused, so a typo or a name of Scrapy's own (`start`, `name`) never passes silently.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, NoReturn, Self

import annotated_types
import scrapy
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError
from scrapy_spider_metadata import Args  # type: ignore[attr-defined]  # its __init__ does not re-export it for mypy

from tiktok.personas.cookies import CookiesError, load_cookies
from tiktok.personas.model import Persona, PersonaError, check_proxy, find_persona, load_persona
from tiktok.research.credentials import credentials
from tiktok.research.query import QueryError, VideoQuery, inline_query, load_query_file

HASHTAG = re.compile(r"^\w{1,100}$", re.UNICODE)
USERNAME = re.compile(r"^[\w.]{1,64}$", re.UNICODE)
VIDEO_ID = re.compile(r"^\d{15,25}$")
VIDEO_URL = re.compile(r"^https?://[^/]+/@([\w.]*)/video/(\d{15,25})")
PLAYLIST_URL = re.compile(r"^https?://[^/]+/@[\w.]*/playlist/[^/?#]*?-?(\d{15,25})(?:[/?#]|$)")
API_LAG = timedelta(hours=48)  # the Research API has a video 48 h after it is posted (TIKTOK-FORMATS.md §3.1)

# Every spider's model: unknown names are refused, and the parsed arguments do not change.
ARGS = ConfigDict(extra="forbid", frozen=True)


__all__ = ["Args"]  # spiders import Args from here: the one place mypy is told it exists


class ArgumentError(ValueError):
    """A spider argument is wrong: one line saying what, and what to give instead (exit code 2)."""


def fail(message: str) -> NoReturn:
    """Refuse a value with this exact message (pydantic would prefix a ValueError's)."""
    raise PydanticCustomError("argument", "{message}", {"message": message})


# ----------------------------------------------------------------------------- single values
def hashtag(value: str) -> str | None:
    value = value.lstrip("#")
    return value.lower() if HASHTAG.match(value) else None


def username(value: str) -> str | None:
    value = value.lstrip("@")
    return value.lower() if USERNAME.match(value) else None


def video_id(value: str) -> str | None:
    """A video (or sound) id, also taken from a video URL."""
    if VIDEO_ID.match(value):
        return value
    match = VIDEO_URL.match(value)
    return match.group(2) if match else None


def playlist_id(value: str) -> str | None:
    """A playlist ("mix") id, also taken from its URL (/@creator/playlist/<name>-<id>)."""
    if VIDEO_ID.match(value):
        return value
    match = PLAYLIST_URL.match(value)
    return match.group(1) if match else None


def keyword(value: str) -> str | None:
    """A search keyword: any text but blank, as typed (TikTok's search is not case-sensitive)."""
    return " ".join(value.split()) or None


def flag(value: Any) -> Any:
    if value in ("", "0", "false", "no", False):
        return False
    if value in ("1", "true", "yes", True):
        return True
    fail("give 1 or 0")


def comma_list(value: Any) -> Any:
    """'a,b' -> ['a', 'b']. An empty item (`a,,b`) is refused rather than skipped: it is a typo."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return []
    items = [v.strip() for v in value.split(",")]
    if "" in items:
        fail("an empty item (two commas in a row, or a comma at an end); separate the values with single commas")
    return items


def checked(valid: Callable[[str], str | None], what: str, required: bool = True) -> Callable[[list[str]], list[str]]:
    """A list check: each value normalised by `valid` (None when invalid), repeats dropped."""

    def check(values: list[str]) -> list[str]:
        if required and not values:
            fail(f"give at least one {what}")
        out = []
        for value in values:
            normal = valid(value.strip())
            if normal is None:
                fail(f"{value!r} is not a valid {what}")
            out.append(normal)
        return list(dict.fromkeys(out))

    return check


def listed(what: str) -> WithJsonSchema:
    """How a comma-separated list argument is shown (`-a help=1`, the JSON schema)."""
    return WithJsonSchema({"type": "array", "items": {"type": "string"}, "x-kind": f"{what}s, comma-separated"})


Split = BeforeValidator(comma_list)
Flag = Annotated[bool, BeforeValidator(flag), WithJsonSchema({"type": "boolean", "x-kind": "1 or 0"})]
Hashtags = Annotated[list[str], Split, AfterValidator(checked(hashtag, "hashtag")), listed("hashtag")]
Usernames = Annotated[list[str], Split, AfterValidator(checked(username, "username")), listed("username")]
VideoIds = Annotated[list[str], Split, AfterValidator(checked(video_id, "video id or video URL")), listed("video id")]
SoundIds = Annotated[list[str], Split, AfterValidator(checked(video_id, "sound id")), listed("sound id")]  # 19 digits, like video ids
SomeHashtags = Annotated[list[str], Split, AfterValidator(checked(hashtag, "hashtag", required=False)), listed("hashtag")]
Keywords = Annotated[list[str], Split, listed("keyword")]
SearchKeywords = Annotated[list[str], Split, AfterValidator(checked(keyword, "keyword")), listed("keyword")]
PlaylistIds = Annotated[list[str], Split, AfterValidator(checked(playlist_id, "playlist id or playlist URL")), listed("playlist id")]
FilePath = Annotated[str | None, WithJsonSchema({"type": "string", "x-kind": "file"})]


# ----------------------------------------------------------------------------- files
def read_text(name: str, path: str) -> str:
    """A file's text, or one line on why it cannot be an argument's input."""
    file = Path(path).expanduser()
    if not file.is_file():
        fail(f"-a {name}={path}: no such file")
    try:
        data = file.read_bytes()
        if b"\0" in data:
            raise UnicodeDecodeError("utf-8", data, data.index(b"\0"), data.index(b"\0") + 1, "NUL byte")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(f"-a {name}={path}: not a text file (UTF-8); give one value per line, or a CSV with a header")
    except OSError as exc:
        fail(f"-a {name}={path}: cannot be read ({exc.strerror})")


def read_list(name: str, path: str, column: str, valid: Callable[[str], str | None], what: str) -> list[str]:
    """Values from a file: one per line, or the `column` column of a CSV with a header."""
    lines = [line for line in read_text(name, path).splitlines() if line.strip() and not line.startswith("#")]
    if lines and "," in lines[0]:
        rows = list(csv.DictReader(lines))
        if not rows or column not in rows[0]:
            fail(f"-a {name}={path}: a CSV needs a '{column}' column")
        lines = [r[column] for r in rows if (r[column] or "").strip()]
    out = []
    for number, value in enumerate(lines, 1):
        normal = valid(value.strip())
        if normal is None:
            fail(f"-a {name}={path}: value {number}, {value.strip()!r}, is not a valid {what}")
        out.append(normal)
    if not out:
        fail(f"-a {name}={path}: the file has no {what}")
    return list(dict.fromkeys(out))


def exactly_one(names: tuple[str, ...]) -> NoReturn:
    """Refuse none or two of the alternatives `names`. None given is checked after the fields, so
    that a misspelt name is reported as such."""
    fail("give exactly one of " + ", ".join(f"-a {n}=..." for n in names))


class ListOrFile(BaseModel):
    """A list given inline or as a file, exactly one of them: `target` is the list the spider
    reads, `sources` every argument that can give it (another inline name, such as `urls` for
    `ids`, is copied into it; the file argument comes last), and `from_file` reads the file."""

    model_config = ARGS
    target: ClassVar[str]
    sources: ClassVar[tuple[str, ...]]
    file_values: ClassVar[tuple[str, Callable[[str], str | None], str]]  # a CSV's column, the check, what it is

    @classmethod
    def from_file(cls, name: str, path: str) -> list[str]:
        return read_list(name, path, *cls.file_values)

    @model_validator(mode="before")
    @classmethod
    def _list_from_file(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        given = [n for n in cls.sources if data.get(n)]
        if len(given) > 1:
            exactly_one(cls.sources)
        if not given or given[0] == cls.target:
            return data
        file = cls.sources[-1]
        return {**data, cls.target: cls.from_file(file, data[file]) if given[0] == file else data[given[0]]}

    @model_validator(mode="after")
    def _one_given(self) -> Self:
        if not getattr(self, self.target):  # none given: checked after the fields, so a misspelt name is named
            exactly_one(self.sources)
        return self


# ----------------------------------------------------------------------------- reusable pieces
class UsernamesParam(ListOrFile):
    """`-a usernames=a,b` or `-a file=users.csv`; the spider reads `args.usernames` either way."""

    target, sources, file_values = "usernames", ("usernames", "file"), ("username", username, "username")
    usernames: Usernames = Field(default_factory=list, description="usernames, comma-separated (or -a file)")
    file: FilePath = Field(None, description="a file of usernames: one per line, or a CSV with a 'username' column")


class VideoIdsParam(ListOrFile):
    """`-a ids=...`, `-a urls=...` or `-a file=list.txt`; the spider reads `args.ids` either way."""

    target, sources, file_values = "ids", ("urls", "ids", "file"), ("id", video_id, "video id or video URL")
    ids: VideoIds = Field(default_factory=list, description="video ids (or URLs), comma-separated")
    urls: VideoIds = Field(default_factory=list, description="video URLs (or ids), comma-separated")
    file: FilePath = Field(None, description="a file of video ids or URLs: one per line, or a CSV with an 'id' column")


class VideosParam(BaseModel):
    """`-a videos=1` downloads the video files, in every spider that has it (TIKTOK_DOWNLOAD_VIDEOS)."""

    model_config = ARGS
    videos: Flag = Field(False, description="also download the video files (covers are always downloaded)")


DAY_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def day(value: str) -> str:
    """A day as YYYY-MM-DD ('' when not given): the form -a since and -a until take."""
    if value and not (DAY_TEXT.match(value) and _is_date(value)):
        fail("not a date; give YYYY-MM-DD (2026-05-01)")
    return value


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


Day = Annotated[str, AfterValidator(day), WithJsonSchema({"type": "string", "x-kind": "YYYY-MM-DD"})]


class DateWindow(BaseModel):
    """Create times a walk keeps, in Unix seconds: from the start of `since`'s day to the end of
    `until`'s (UTC, both days included); None: open on that side."""

    model_config = ConfigDict(frozen=True)
    start: int | None = None
    end: int | None = None  # the first second after the window

    def holds(self, created: int | None) -> bool:
        """Whether a video made at `created` is in the window; one without a time is not."""
        if created is None:
            return self.start is None and self.end is None
        return (self.start is None or created >= self.start) and (self.end is None or created < self.end)

    def passed(self, created: int | None) -> bool:
        """Whether a newest-first list that reached `created` is past the window: nothing after it can be in it."""
        return created is not None and self.start is not None and created < self.start


class DateWindowParam(BaseModel):
    """`-a since=YYYY-MM-DD -a until=YYYY-MM-DD` (issue 16) on the spiders that walk video lists:
    videos created outside the days are not kept. Only a list in time order can stop early: a
    user's posts (newest first) stop at the first video older than `since`; hashtag, sound, search
    and playlist lists are not in time order, so they are walked to the end and only filtered."""

    model_config = ARGS
    since: Day = Field(
        "",
        description="only videos created on or after this day (UTC); a user's posts stop there, hashtag, sound, "
        "search and playlist lists are not in time order and are only filtered",
    )
    until: Day = Field("", description="only videos created on or before this day (UTC)")

    @property
    def window(self) -> DateWindow | None:
        """The window, or None when neither day is given."""
        if not self.since and not self.until:
            return None
        start = datetime.fromisoformat(self.since).replace(tzinfo=UTC) if self.since else None
        end = datetime.fromisoformat(self.until).replace(tzinfo=UTC) + timedelta(days=1) if self.until else None
        return DateWindow(start=int(start.timestamp()) if start else None, end=int(end.timestamp()) if end else None)

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.since and self.until and self.since > self.until:
            fail(f"-a since={self.since} is after -a until={self.until}; give a since on or before the until")
        return self


class ResearchParam(BaseModel):
    """Research API spiders: the client credentials must be in the environment, never in arguments."""

    model_config = ARGS

    def sends_requests(self) -> bool:
        return True

    @model_validator(mode="after")
    def _credentials(self) -> Self:
        if self.sends_requests() and credentials() is None:
            fail("set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET in the environment (or .env); they are never taken from arguments")
        return self


class ResumableParam(ResearchParam):
    """Research spiders that keep their progress in DATA_DIR/state/ (issue 13)."""

    reset: Flag = Field(False, description="move the saved progress aside and start over")


class PlanParam(BaseModel):
    """Research spiders that print what a run would cost before spending it (tiktok/research/plan.py)."""

    plan: Flag = Field(False, description="print the requests, records and days at today's quota the run would take; collect nothing")


def newest_day(now: datetime | None = None) -> date:
    """The last day the Research API has videos for: it lags 48 h behind now."""
    return ((now or datetime.now(UTC)) - API_LAG).date()


class PersonaParam(BaseModel):
    """`-a persona=NAME` (personas/NAME.yaml, issue 17): the file is read and checked here, its
    cookies file too, and its proxy must answer; each problem is one line naming file and field."""

    model_config = ARGS
    persona: str = Field("", description="watch the For-You feed as this persona: personas/NAME.yaml (or a .yaml path)")
    phase: Literal["training", "measurement"] = Field("measurement", description="the audit phase this run's videos are marked with")
    screenshots: Flag = Field(False, description="a screenshot of each video the persona watched (with -a persona)")
    personas: Annotated[list[str], Split, listed("persona")] = Field(
        default_factory=list, description="watch as each of these personas in turn; through Redis, each worker takes one at a time"
    )
    _persona: Persona | None = None
    _personas: tuple[Persona, ...] = ()

    @property
    def persona_model(self) -> Persona | None:
        return self._persona

    @property
    def persona_models(self) -> list[Persona]:
        """The personas of `-a personas=...`, each checked like `-a persona`'s, repeats dropped."""
        return list(self._personas)

    @model_validator(mode="after")
    def _load_persona(self) -> Self:
        if self.persona and self.personas:
            fail("give -a persona=NAME or -a personas=A,B, not both")
        if not self.persona and not self.personas:
            if self.screenshots:
                fail("-a screenshots=1 goes with -a persona=NAME")
            return self
        self._personas = tuple(checked_persona(name) for name in dict.fromkeys(self.personas))
        self._persona = checked_persona(self.persona) if self.persona else None
        return self


def checked_persona(name: str) -> Persona:
    """personas/NAME.yaml read and checked, its cookies file too, and its proxy answering."""
    try:
        persona = load_persona(find_persona(name))
        if persona.cookies:
            load_cookies(persona.cookies_path)  # checked now; added to the browser when it opens
        check_proxy(persona)
    except (PersonaError, CookiesError) as exc:
        fail(str(exc))
    return persona


class VideoQueryParam(BaseModel):
    """A Research API video query: `-a query=FILE`, or the inline simple cases. The query is built
    and checked once, here, into `args.video_query`."""

    model_config = ARGS
    query: FilePath = Field(None, description="a query file (YAML or JSON; examples in queries/)")
    hashtags: SomeHashtags = Field(default_factory=list, description="inline query: any of these hashtags")
    keywords: Keywords = Field(default_factory=list, description="inline query: any of these keywords")
    region: str = Field("", description="inline query: only videos from this region code (US, GB, ...)")
    start_date: str = Field("", description="inline query: first day, YYYY-MM-DD")
    end_date: str = Field("", description="inline query: last day, YYYY-MM-DD (at most 48 h ago: the API's lag)")
    query_name: str = Field("", description="inline query: the name its saved progress is kept under")
    _video_query: VideoQuery | None = None

    @property
    def video_query(self) -> VideoQuery:
        assert self._video_query is not None  # set by the validator below
        return self._video_query

    @model_validator(mode="after")
    def _build_query(self) -> Self:
        try:
            if self.query:
                if any((self.hashtags, self.keywords, self.region, self.start_date, self.end_date, self.query_name)):
                    fail("give -a query=FILE, or the inline arguments (-a hashtags, -a start_date ...), not both")
                built = load_query_file(self.query)
            elif not self.hashtags and not self.keywords:
                fail("give -a query=FILE, or -a hashtags=... / -a keywords=... with -a start_date and -a end_date")
            else:
                built = inline_query(
                    hashtags=",".join(self.hashtags),
                    keywords=",".join(self.keywords),
                    region=self.region,
                    start=self.start_date,
                    end=self.end_date,
                    name=self.query_name,
                )
        except QueryError as exc:
            fail(str(exc).replace("-a start=", "-a start_date=").replace("-a end=", "-a end_date="))
        except UnicodeDecodeError:
            fail(f"-a query={self.query}: not a text file (UTF-8); give a YAML or JSON query file")
        except OSError as exc:
            fail(f"-a query={self.query}: cannot be read ({exc.strerror})")
        newest = newest_day()
        for which, day in (("start", built.start), ("end", built.end)):
            if day > newest:
                fail(f"{which}: {day} is after {newest}, the newest day the Research API has (it lags 48 h); give an earlier date")
        self._video_query = built
        return self


# ----------------------------------------------------------------------------- errors and help
# What an -a value once replaced on the spider (issue 11): Scrapy's methods and attributes, also
# those only declared (`name`, `start_urls`) or set when the crawler is attached.
SCRAPY_OWN = set(dir(scrapy.Spider)) | set(scrapy.Spider.__annotations__) | {"crawler", "settings"}
NUMBER_ERRORS = {"int_parsing", "int_from_float", "int_type", "greater_than_equal", "less_than_equal", "greater_than", "less_than"}


def params_model(spidercls: type) -> type[BaseModel]:
    """The pydantic model a spider declares with `Args[Model]`."""
    for base in getattr(spidercls, "__orig_bases__", ()):
        model = getattr(base, "__args__", (None,))[0]
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model
    for parent in spidercls.__mro__[1:]:
        if parent is not object and getattr(parent, "__orig_bases__", None):
            return params_model(parent)
    raise TypeError(f"{spidercls.__name__} declares no arguments (Args[Model])")


def names(model: type[BaseModel]) -> list[str]:
    """The arguments as they are typed on the command line (`from`, not `from_`)."""
    return [field.alias or name for name, field in model.model_fields.items()]


def unknown_argument(name: str, spidercls: type) -> str:
    model = params_model(spidercls)
    known = names(model)
    takes = f"{spidercls.name} takes " + ", ".join(known) + " (-a help=1 describes them)"  # type: ignore[attr-defined]
    if name in SCRAPY_OWN or hasattr(spidercls, name):
        return f"-a {name}: '{name}' belongs to Scrapy's spider itself and cannot be an argument; {takes}"
    near = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean -a {near[0]}? " if near else ""
    return f"-a {name}: no such argument; {hint}{takes}"


def bounds(model: type[BaseModel], name: str) -> tuple[Any, Any]:
    field = next(f for n, f in model.model_fields.items() if name in (n, f.alias))
    low = next((m.ge for m in field.metadata if isinstance(m, annotated_types.Ge)), None)
    high = next((m.le for m in field.metadata if isinstance(m, annotated_types.Le)), None)
    return low, high


def one_line(exc: ValidationError, spidercls: type, raw: Mapping[str, Any]) -> str:
    """The first problem of a validation, as the one line the crawl command prints."""
    errors = exc.errors()
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])  # a typo explains a missing value
    loc, kind = error["loc"], error["type"]
    name = str(loc[0]) if loc else ""
    model = params_model(spidercls)
    if kind == "extra_forbidden":
        return unknown_argument(name, spidercls)
    if kind == "missing":
        field = next(f for n, f in model.model_fields.items() if name in (n, f.alias))
        return f"-a {name}=... is required: {field.description}"
    text = str(error["ctx"]["message"]) if kind == "argument" else error["msg"]
    if kind in NUMBER_ERRORS:
        low, high = bounds(model, name)
        text = f"give a whole number from {low} to {high}"
    elif kind == "literal_error":
        text = f"give {error['ctx']['expected']}"
    value = raw.get(name)
    if not name:
        return text
    if len(loc) > 1 or value in (None, ""):
        return f"-a {name}: {text}"
    return f"-a {name}={value}: {text}"


def parse_arguments(spidercls: type, raw: Mapping[str, Any]) -> BaseModel:
    """The spider's arguments, parsed by its declaration; ArgumentError (one line) when wrong."""
    model = params_model(spidercls)
    try:
        return model(**raw)
    except ValidationError as exc:
        raise ArgumentError(one_line(exc, spidercls, raw)) from None


def kind(prop: dict[str, Any]) -> str:
    """A JSON-schema property as a reader names its type."""
    options = [p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]
    prop = {**options[0], **{k: v for k, v in prop.items() if k != "anyOf"}} if options else prop
    if "x-kind" in prop:
        return str(prop["x-kind"])
    if "enum" in prop:
        return " or ".join(map(str, prop["enum"]))
    if prop.get("type") == "integer":
        return f"whole number {prop.get('minimum', '')}-{prop.get('maximum', '')}"
    return str(prop.get("type", "text")).replace("string", "text")


def argument_table(spidercls: type) -> str:
    """A spider's arguments (name, type, default, description), from its declaration: for
    `scrapy crawl NAME -a help=1` and `python -m tiktok schema`."""
    schema = params_model(spidercls).model_json_schema()
    required = set(schema.get("required", []))
    rows = [("argument", "type", "default", "description")]
    for name, prop in schema.get("properties", {}).items():
        default = "required" if name in required else prop.get("default")
        shown = {True: "1", False: "0", None: "-", "": "-"}.get(default, default) if not isinstance(default, list) else "-"
        rows.append((name, kind(prop), str(shown), prop.get("description", "")))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    head = f"scrapy crawl {spidercls.name} -a NAME=VALUE ...; its arguments:"  # type: ignore[attr-defined]
    return "\n".join([head] + [f"  {r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip() for r in rows])
