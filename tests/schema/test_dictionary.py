"""docs/SCHEMA.md is the data dictionary generated from the items, and says every field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import attrs

from tiktok.schema.dictionary import data_dictionary
from tiktok.schema.fields import table
from tiktok.schema.items import ITEM_TYPES

ROOT = Path(__file__).resolve().parents[2]


def test_schema_file_is_in_sync() -> None:
    assert (ROOT / "docs" / "SCHEMA.md").read_text(encoding="utf-8") == data_dictionary(), "run: python -m tiktok schema > docs/SCHEMA.md"


def test_every_field_is_documented_and_only_keys_are_required() -> None:
    for cls in ITEM_TYPES.values():
        for row in table(cls):  # table() also checks each annotation against its kind
            assert row.doc, f"{cls.__name__}.{row.name} has no description"
        required = [f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING]
        assert required in (["id"], ["username"], ["follower", "followee"]), (cls.__name__, required)


def test_schema_command() -> None:
    result = subprocess.run([sys.executable, "-m", "tiktok", "schema"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("# Data dictionary")
    bad = subprocess.run([sys.executable, "-m", "tiktok", "frobnicate"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_schema_lists_every_spiders_arguments_from_their_declaration(monkeypatch, capsys) -> None:
    from scrapy.spiderloader import get_spider_loader
    from scrapy.utils.project import get_project_settings

    from tiktok.__main__ import main
    from tiktok.spiders.params import params_model

    monkeypatch.chdir(ROOT)
    assert main(["schema", "--arguments"]) == 0
    out = capsys.readouterr().out
    loader = get_spider_loader(get_project_settings())
    for name in loader.list():
        block = out.split(f"scrapy crawl {name} -a NAME=VALUE ...; its arguments:\n")[1].split("\n\n")[0]
        listed = [line.split()[0] for line in block.splitlines()[1:]]
        fields = params_model(loader.load(name)).model_fields
        assert listed == [f.alias or n for n, f in fields.items()], name
