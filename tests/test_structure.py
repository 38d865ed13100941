"""The house rules a grep can keep (issue #11): components talk through settings and the run
context, never through spider attributes, and no code decides by matching an exception's text."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = ("pipelines", "extensions", "middlewares", "scale")
# Scrapy's own: the spider's name, its crawler (how a scrapy-redis queue, handed only the spider,
# reaches the crawler) and its JOBDIR state (SpiderState). The project's own attributes are the rule's.
SCRAPY_SPIDER_ATTRIBUTES = {"name", "crawler", "state"}
EXCEPTION_NAMES = {"exc", "exception", "failure", "error", "err", "e"}


def modules(*packages: str) -> Iterator[tuple[Path, ast.Module]]:
    for package in packages:
        for path in sorted((ROOT / "tiktok" / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def is_spider(node: ast.expr) -> bool:
    """`spider` or `<anything>.spider`."""
    return (isinstance(node, ast.Name) and node.id == "spider") or (isinstance(node, ast.Attribute) and node.attr == "spider")


def spider_attribute_reads(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_spider(node.value) and node.attr not in SCRAPY_SPIDER_ATTRIBUTES:
            yield node.lineno, node.attr
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
            target, *rest = node.args
            name = rest[0].value if rest and isinstance(rest[0], ast.Constant) else "?"
            if is_spider(target) and name not in SCRAPY_SPIDER_ATTRIBUTES:
                yield node.lineno, str(name)


def prefix_test(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr in ("startswith", "endswith")


def exception_text_matches(tree: ast.Module) -> Iterator[int]:
    """`"..." in str(exc)`, `... in exc.args[0]`, `... in failure.getErrorMessage()` and the like."""

    def text_of_exception(node: ast.expr) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("str", "repr") and node.args:
            node = node.args[0]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "getErrorMessage":
            node = node.func.value
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "args":
            node = node.value.value
        else:
            return False
        return isinstance(node, ast.Name) and node.id in EXCEPTION_NAMES

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(op, ast.In | ast.NotIn | ast.Eq) for op in node.ops) and any(map(text_of_exception, sides)):
                yield node.lineno
        elif isinstance(node, ast.Call) and prefix_test(node) and text_of_exception(node.func.value):  # type: ignore[attr-defined]
            yield node.lineno


def test_no_pipeline_extension_or_middleware_reads_a_spider_attribute() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line} reads spider.{attr}"
        for path, tree in modules(*COMPONENTS)
        for line, attr in spider_attribute_reads(tree)
    ]
    assert found == [], "read settings or the run context (tiktok/run/context.py run_context) instead:\n" + "\n".join(found)


def test_no_code_decides_by_an_exceptions_text() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}" for path, tree in modules(".") for line in exception_text_matches(tree)]
    assert found == [], "catch a specific exception class instead of matching its message:\n" + "\n".join(found)


def test_the_checks_see_what_they_look_for() -> None:
    """The two checks above would pass on any code if they missed these forms."""
    bad = ast.parse(
        "def f(self, exc, failure):\n"
        "    run = self.crawler.spider.run_id\n"
        "    videos = getattr(spider, 'download_videos', False)\n"
        "    if 'already stored' in str(exc): pass\n"
        "    if failure.getErrorMessage() == 'x': pass\n"
        "    if str(exc).startswith('AUTH'): pass\n"
    )
    assert [attr for _, attr in spider_attribute_reads(bad)] == ["run_id", "download_videos"]
    assert list(exception_text_matches(bad)) == [4, 5, 6]


def package_imports() -> dict[str, set[str]]:
    """tiktok's subpackages (and root modules) -> the ones they import, lazy imports included."""
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / "tiktok").rglob("*.py")):
        parts = path.relative_to(ROOT / "tiktok").with_suffix("").parts
        source = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                if name.startswith("tiktok.") and (target := name.split(".")[1]) != source:
                    graph.setdefault(source, set()).add(target)
    return graph


def test_packages_import_one_way_never_in_a_circle() -> None:
    """Imports run from what drives to what is driven; a circle would tie two layers into one."""
    graph, done, path = package_imports(), set[str](), list[str]()

    def visit(package: str) -> None:
        assert package not in path, "import circle: " + " -> ".join([*path[path.index(package) :], package])
        if package in done:
            return
        path.append(package)
        for target in sorted(graph.get(package, ())):
            visit(target)
        path.pop()
        done.add(package)

    for package in sorted(graph):
        visit(package)
    assert {"spiders", "pipelines", "extensions", "run", "storage", "schema"} <= done  # the walk saw the house
