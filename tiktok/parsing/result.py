"""What every parser returns, and what it is told about where its input came from."""

from __future__ import annotations

import attrs

from tiktok.schema.items import Hashtag, Item, Sound, User


@attrs.define(kw_only=True, frozen=True)
class Context:
    """Facts about the input the parser cannot see in it."""

    source: str | None = None  # e.g. "foryou", "hashtag:london", "import:file.json"
    scraped_at: str | None = None  # when the caller fetched it (ISO 8601 UTC); the data's own time wins
    subject: str | None = None  # the username a Research API user/follower call was made for
    feed_offset: int | None = None  # items already seen in this feed, for feed_position


@attrs.define(kw_only=True)
class ParseResult:
    """Items found, and why anything is missing: `missing` names key paths we rely on that were
    absent (a format drift), `problems` says why input yielded less than expected."""

    format: str
    items: list[Item] = attrs.field(factory=list)
    missing: list[str] = attrs.field(factory=list)
    problems: list[str] = attrs.field(factory=list)
    more: bool | None = None  # the answer says whether more pages follow (hasMore / has_more)
    cursor: str | None = None  # and where the next page starts, as the answer gives it
    search_id: str | None = None  # a Research API video query's cached result, to page through it
    _catalogue: dict[tuple[type, str], Item] = attrs.field(factory=dict, alias="_catalogue", repr=False)

    def need(self, container: object, key: str, path: str) -> bool:
        """True when `key` is in `container`; otherwise records `path` as missing (once)."""
        if isinstance(container, dict) and key in container:
            return True
        if path not in self.missing:
            self.missing.append(path)
        return False

    def add(self, item: Item) -> None:
        """Adds an item. A user, sound or hashtag met again in the same input (every item of a
        profile names its author) is merged into the first: it fills that one's empty fields."""
        if isinstance(item, User | Sound | Hashtag):
            key = (type(item), item.username if isinstance(item, User) else item.id)
            first = self._catalogue.get(key)
            if first is not None:
                for f in attrs.fields(type(item)):
                    if getattr(first, f.name) is None:
                        setattr(first, f.name, getattr(item, f.name))
                return
            self._catalogue[key] = item
        self.items.append(item)
