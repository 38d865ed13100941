"""Spider arguments, in-process: each spider is built by `from_crawler` as `scrapy crawl` builds it,
and a bad argument is one ArgumentError line (the crawl command prints it and exits 2). One
subprocess test checks that path end to end: one stderr line, exit 2, no banner."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings

from tiktok.commands.crawl import check_spider_arguments
from tiktok.spiders.params import ArgumentError, argument_table, newest_day

ROOT = Path(__file__).resolve().parents[2]
VID = "7645921164253987022"
SPIDERS = get_spider_loader(get_project_settings())
FUTURE = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Research spiders need credentials in the environment; no .env is read from the checkout."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIKTOK_CLIENT_KEY", "key")
    monkeypatch.setenv("TIKTOK_CLIENT_SECRET", "secret")


def build(spider: str, **arguments: str) -> tuple[Any, Crawler]:
    """The spider as `scrapy crawl SPIDER -a ...` makes it (settings are still open then)."""
    crawler = Crawler(SPIDERS.load(spider), Settings({"TELNETCONSOLE_ENABLED": False}))
    return crawler.spidercls.from_crawler(crawler, **arguments), crawler


def refusal(spider: str, arguments: dict[str, str]) -> str:
    with pytest.raises(ArgumentError) as caught:
        build(spider, **arguments)
    return str(caught.value)


GOOD = [
    ("foryou", {}, {"count": 100, "sessions": 5, "videos": False}),
    ("foryou", {"count": "7", "videos": "1"}, {"count": 7, "videos": True}),
    ("hashtag", {"hashtags": "London,#paris,london"}, {"hashtags": ["london", "paris"], "posts": True, "limit": None}),
    ("hashtag", {"hashtags": "fyp", "posts": "0", "limit": "10", "videos": "1"}, {"posts": False, "limit": 10, "videos": True}),
    ("video", {"ids": VID, "comments": "all"}, {"ids": [VID], "comments": 0}),
    ("video", {"urls": f"https://www.tiktok.com/@a.b/video/{VID}", "comments": "20"}, {"ids": [VID], "comments": 20}),
    ("video", {"ids": VID}, {"comments": None, "videos": False}),
    ("user", {"usernames": "@Alice,bob.b"}, {"usernames": ["alice", "bob.b"], "posts": False}),
    ("user", {"usernames": "alice", "posts": "1", "videos": "1"}, {"posts": True, "videos": True}),
    ("sound", {"ids": "7368000000000000000"}, {"ids": ["7368000000000000000"]}),
    ("research_users", {"usernames": "a,b"}, {"usernames": ["a", "b"]}),
    ("research_user_videos", {"usernames": "a", "kinds": "liked"}, {"kinds": ["liked"], "reset": False}),
    ("research_user_videos", {"usernames": "a"}, {"kinds": ["liked", "pinned", "reposted"]}),
    ("research_comments", {"video_ids": VID, "reset": "1"}, {"video_ids": [VID], "reset": True}),
    ("research_network", {"seeds": "a"}, {"seeds": ["a"], "direction": "following", "depth": 2, "max_users": None, "plan": False}),
    ("research_network", {"seeds": "a", "direction": "followers", "depth": "3", "max_users": "50"}, {"depth": 3, "max_users": 50}),
    ("research_videos", {"hashtags": "a,#B", "start_date": "2026-01-01", "end_date": "2026-03-31"}, {"hashtags": ["a", "b"]}),
    ("research_videos", {"query": str(ROOT / "queries/london.yaml"), "plan": "1"}, {"plan": True}),
]


@pytest.mark.parametrize(("spider", "arguments", "parsed"), GOOD)
def test_good_arguments_are_parsed_once_into_args(spider: str, arguments: dict[str, str], parsed: dict[str, Any]) -> None:
    made, crawler = build(spider, **arguments)
    assert {k: getattr(made.args, k) for k in parsed} == parsed
    assert crawler.settings.getdict("TIKTOK_SPIDER_ARGUMENTS") == arguments  # as given, for runs.jsonl
    assert crawler.settings.getbool("TIKTOK_DOWNLOAD_VIDEOS") == (arguments.get("videos") == "1")
    assert not set(arguments) & set(vars(made))  # no argument became a spider attribute


BAD = [
    # the ,, case and empty or invalid list items
    ("hashtag", {"hashtags": "london,,paris"}, "-a hashtags=london,,paris: an empty item (two commas in a row, or a comma at an end);"),
    ("hashtag", {"hashtags": "london,"}, "-a hashtags=london,: an empty item"),
    ("research_videos", {"hashtags": "a,,b", "start_date": "2026-01-01", "end_date": "2026-01-02"}, "-a hashtags=a,,b: an empty item"),
    ("hashtag", {}, "-a hashtags=... is required: the hashtags to collect"),
    ("hashtag", {"hashtags": ""}, "-a hashtags: give at least one hashtag"),
    ("hashtag", {"hashtags": "lon don"}, "-a hashtags=lon don: 'lon don' is not a valid hashtag"),
    ("user", {"usernames": "ok,not ok"}, "-a usernames=ok,not ok: 'not ok' is not a valid username"),
    ("sound", {"ids": "abc"}, "-a ids=abc: 'abc' is not a valid sound id"),
    ("video", {"ids": "123"}, "-a ids=123: '123' is not a valid video id or video URL"),
    ("research_user_videos", {"usernames": "a", "kinds": "liked,faved"}, "'faved' is not a valid list (liked, pinned, reposted)"),
    # alternatives
    ("video", {}, "give exactly one of -a urls=..., -a ids=..., -a file=..."),
    ("user", {"usernames": "a", "file": "x.csv"}, "give exactly one of -a usernames=..., -a file=..."),
    ("research_comments", {}, "give exactly one of -a video_ids=..., -a from=..."),
    ("research_network", {}, "give exactly one of -a seeds=..., -a file=..."),
    ("research_videos", {"query": "q.yaml", "hashtags": "a"}, "give -a query=FILE, or the inline arguments"),
    ("research_videos", {}, "give -a query=FILE, or -a hashtags=... / -a keywords=... with -a start_date and -a end_date"),
    ("research_videos", {"hashtags": "a"}, "-a start_date=YYYY-MM-DD and -a end_date=YYYY-MM-DD are needed"),
    # numbers, flags and choices
    ("foryou", {"count": "lots"}, "-a count=lots: give a whole number from 1 to 100000"),
    ("foryou", {"count": "0"}, "-a count=0: give a whole number from 1 to 100000"),
    ("foryou", {"sessions": "101"}, "-a sessions=101: give a whole number from 1 to 100"),
    ("hashtag", {"hashtags": "london", "limit": "0"}, "-a limit=0: give a whole number from 1 to 10000000"),
    ("hashtag", {"hashtags": "london", "limit": "-1"}, "-a limit=-1: give a whole number from 1 to 10000000"),
    ("hashtag", {"hashtags": "london", "limit": "99999999999999999999"}, "-a limit=99999999999999999999: give a whole number"),
    ("research_network", {"seeds": "a", "depth": "11"}, "-a depth=11: give a whole number from 1 to 10"),
    ("hashtag", {"hashtags": "london", "videos": "maybe"}, "-a videos=maybe: give 1 or 0"),
    ("video", {"ids": VID, "comments": "some"}, "-a comments=some: give a number of comments (1 to 1000000), or all"),
    ("research_network", {"seeds": "a", "direction": "sideways"}, "-a direction=sideways: give 'following' or 'followers'"),
    # one meaning per argument: videos downloads files; posts lists a user's videos
    ("user", {"usernames": "a", "videos": "1"}, "-a videos=1 downloads the files of the videos -a posts=1 lists; add -a posts=1"),
    # unknown, misspelt, and Scrapy's own names
    ("foryou", {"cuont": "5"}, "-a cuont: no such argument; did you mean -a count? foryou takes videos, count, sessions"),
    ("hashtag", {"hashtagz": "london"}, "-a hashtagz: no such argument; did you mean -a hashtags?"),
    ("research_users", {"usernmes": "a"}, "-a usernmes: no such argument; did you mean -a usernames?"),
    ("research_comments", {"from_": "x.jsonl"}, "-a from_: no such argument; did you mean -a from?"),
    ("video", {"ids": VID, "zzz": "1"}, "-a zzz: no such argument; video takes videos, ids, urls, file, comments (-a help=1"),
    ("research_videos", {"start": "2026-01-01"}, "-a start: 'start' belongs to Scrapy's spider itself and cannot be an argument"),
    ("hashtag", {"hashtags": "a", "name": "x"}, "-a name: 'name' belongs to Scrapy's spider itself"),
    ("sound", {"ids": "7368000000000000000", "start_urls": "x"}, "-a start_urls: 'start_urls' belongs to Scrapy's spider itself"),
    ("user", {"usernames": "a", "settings": "x"}, "-a settings: 'settings' belongs to Scrapy's spider itself"),
    ("import", {"path": ".", "parse": "x"}, "-a parse: 'parse' belongs to Scrapy's spider itself"),
    # files and paths
    ("video", {"file": "/no/such.txt"}, "-a file=/no/such.txt: no such file"),
    ("research_comments", {"from": "/no/videos.jsonl"}, "-a from=/no/videos.jsonl: no such file"),
    ("import", {}, "-a path=... is required: what to import"),
    ("import", {"path": "/no/such/nothing*.json"}, "no such file or folder, and no file matches it as a pattern"),
    ("research_videos", {"query": "/no/q.yaml"}, "-a query=/no/q.yaml: no such file"),
    # research date windows
    ("research_videos", {"hashtags": "a", "start_date": "2026-03-01", "end_date": "2026-01-01"}, "end: 2026-01-01 is before start"),
    ("research_videos", {"hashtags": "a", "start_date": "2026-13-01", "end_date": "2026-01-01"}, "start: '2026-13-01' is not a date"),
    ("research_videos", {"hashtags": "a", "start_date": "2026-01-01", "end_date": FUTURE}, f"end: {FUTURE} is after {newest_day()}"),
    ("research_videos", {"hashtags": "a", "start_date": "2030-01-01", "end_date": "2030-01-02"}, "start: 2030-01-01 is after"),
]


@pytest.mark.parametrize(("spider", "arguments", "message"), BAD)
def test_bad_arguments_are_one_line(spider: str, arguments: dict[str, str], message: str) -> None:
    line = refusal(spider, arguments)
    assert line.startswith(message) or message in line, line
    assert "\n" not in line


BAD_QUERY_FILES = [
    (
        "query: {and: [{field_name: likes, operation: EQ, field_values: [1]}]}\nstart: 2026-04-01\nend: 2026-04-02\n",
        "query.and[0].field_name: 'likes' is not a field",
    ),
    (
        "query: {and: [{field_name: keyword, operation: LIKE, field_values: [a]}]}\nstart: 2026-04-01\nend: 2026-04-02\n",
        "query.and[0].operation: 'LIKE' is not an operation",
    ),
    ("query: {and: []}\nstart: 2026-04-01\nend: 2026-04-02\n", "query: the and, or and not lists are all empty"),
    (
        "query: {or: [{field_name: keyword, operation: EQ, field_values: [a]}]}\nstart: 2026-04-09\nend: 2026-04-02\n",
        "end: 2026-04-02 is before start 2026-04-09",
    ),
    (
        "query: {or: [{field_name: keyword, operation: EQ, field_values: [a]}]}\nstart: 2026-13-01\nend: 2026-04-02\n",
        "start: '2026-13-01' is not a date",
    ),
    ("query: [unclosed\n", "does not parse as YAML (line 2)"),
    (
        "query: {or: [{field_name: keyword, operation: EQ, field_values: [a]}]}\nstart: 2030-01-01\nend: 2030-02-01\n",
        "start: 2030-01-01 is after",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_QUERY_FILES)
def test_bad_query_files_are_refused(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(content, encoding="utf-8")
    assert message in refusal("research_videos", {"query": str(tmp_path / "bad.yaml")})


@pytest.mark.parametrize(
    ("spider", "argument"), [("video", "file"), ("user", "file"), ("research_network", "file"), ("research_videos", "query")]
)
def test_binary_and_non_utf8_files_are_refused(tmp_path: Path, spider: str, argument: str) -> None:
    for name, data in (("binary.bin", bytes(range(256))), ("latin1.txt", "café\n".encode("latin-1"))):
        (tmp_path / name).write_bytes(data)
        line = refusal(spider, {argument: str(tmp_path / name)})
        assert line == f"-a {argument}={tmp_path / name}: not a text file (UTF-8); " + (
            "give a YAML or JSON query file" if argument == "query" else "give one value per line, or a CSV with a header"
        )


def test_lists_come_from_files_one_per_line_or_a_csv_column(tmp_path: Path) -> None:
    (tmp_path / "users.csv").write_text("username,note\n@Alice,x\nbob,y\n", encoding="utf-8")
    (tmp_path / "ids.txt").write_text(f"# videos\n{VID}\nhttps://www.tiktok.com/@a/video/7645921164253987023\n", encoding="utf-8")
    assert build("user", file=str(tmp_path / "users.csv"))[0].args.usernames == ["alice", "bob"]
    assert build("research_network", file=str(tmp_path / "users.csv"))[0].args.seeds == ["alice", "bob"]
    assert build("video", file=str(tmp_path / "ids.txt"))[0].args.ids == [VID, "7645921164253987023"]
    (tmp_path / "bad.txt").write_text(f"{VID}\nnot an id\n", encoding="utf-8")
    assert refusal("video", {"file": str(tmp_path / "bad.txt")}).endswith("value 2, 'not an id', is not a valid video id or video URL")
    (tmp_path / "nocol.csv").write_text("name,note\na,b\n", encoding="utf-8")
    assert refusal("user", {"file": str(tmp_path / "nocol.csv")}).endswith("a CSV needs a 'username' column")


def test_research_comments_read_the_ids_of_a_videos_file(tmp_path: Path) -> None:
    (tmp_path / "videos.jsonl").write_text(f'{{"id": "{VID}"}}\n{{"id": "{VID}"}}\ngarbage\n', encoding="utf-8")
    assert build("research_comments", **{"from": str(tmp_path / "videos.jsonl")})[0].args.video_ids == [VID]
    (tmp_path / "empty.jsonl").write_bytes(b"\x00\xff")
    assert refusal("research_comments", {"from": str(tmp_path / "empty.jsonl")}).endswith(
        "no video ids in it; give a videos.jsonl a crawl wrote"
    )


def test_research_spiders_need_credentials_except_a_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIKTOK_CLIENT_KEY")
    expected = "set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET in the environment (or .env); they are never taken from arguments"
    assert refusal("research_users", {"usernames": "a"}) == expected
    assert refusal("research_network", {"seeds": "a", "plan": "1"}) == expected  # its plan asks the seeds' user info
    query = str(ROOT / "queries/london.yaml")
    assert refusal("research_videos", {"query": query}) == expected
    assert build("research_videos", query=query, plan="1")[0].args.video_query.name == "london"


def test_the_crawl_command_checks_and_lists_from_the_same_declaration() -> None:
    settings = get_project_settings()
    with pytest.raises(ArgumentError, match=r"^no spider named 'nosuch'; `scrapy list` shows them$"):
        check_spider_arguments(settings, "nosuch", {})
    with pytest.raises(ArgumentError, match=r"^-a cuont: no such argument; did you mean -a count\?"):
        check_spider_arguments(settings, "foryou", {"cuont": "5"})
    assert check_spider_arguments(settings, "foryou", {"count": "5"}) is None
    table = check_spider_arguments(settings, "hashtag", {"help": "1"})
    assert table == argument_table(SPIDERS.load("hashtag"))
    lines = str(table).splitlines()
    assert lines[0] == "scrapy crawl hashtag -a NAME=VALUE ...; its arguments:"
    assert lines[1].split() == ["argument", "type", "default", "description"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert set(rows) == {"videos", "hashtags", "posts", "limit", "since", "until"}
    assert rows["limit"].split()[1:4] == ["whole", "number", "1-10000000"]
    assert "required" in rows["hashtags"] and "comma-separated" in rows["hashtags"]


def test_every_spider_declares_its_arguments_and_no_name_of_scrapys_own() -> None:
    for name in SPIDERS.list():
        table = argument_table(SPIDERS.load(name)).splitlines()
        names = [line.split()[0] for line in table[2:]]
        assert names and not {"start", "name", "settings", "crawler", "logger", "start_urls"} & set(names), (name, names)


def test_a_bad_argument_is_one_stderr_line_and_exit_2_before_scrapy_starts() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "hashtag", "-a", "hashtags=london,,paris"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "scrapy crawl hashtag: error: -a hashtags=london,,paris: an empty item (two commas in a row, or a comma at an end);"
        " separate the values with single commas"
    ]
    assert result.stdout == ""  # no banner, no log line
