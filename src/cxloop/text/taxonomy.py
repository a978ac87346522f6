"""Theme taxonomies: the default CX themes, the six CX pillars, and workspace-defined themes.

A taxonomy is plain data (JSON-compatible dicts), so a workspace's own theme list can be stored
and passed in as it is:

    {"key": "acme", "name": "Acme themes", "fallback": "other", "themes": [
        {"key": "loyalty_card", "name": {"en": "Loyalty card"}, "description": "...",
         "keywords": {"en": ["loyalty card", "points"], "lt": ["lojalumo kortel*"]},
         "examples": {"en": ["My points were not added"]}}]}

Keywords match whole words, case-insensitively; `*` at the end matches any ending
("deliver*": delivered, delivery). Vietnamese and Lithuanian keywords also match text typed
without diacritics; Thai keywords match inside unspaced text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from cxloop.core.errors import Invalid

BUILT_IN = ("cx_themes", "cx_pillars")


@dataclass(frozen=True)
class Theme:
    key: str
    name: Mapping[str, str]
    description: str = ""
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def label(self, language: str = "en") -> str:
        return self.name.get(language) or self.name.get("en") or self.key

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "themes") -> Theme:
        key = data.get("key")
        if not isinstance(key, str) or not key.strip():
            raise Invalid(f"{where}.key: a theme needs a key (a short name such as 'delivery')")
        where = f"{where}[{key}]"
        name = data.get("name") or {"en": key}
        if isinstance(name, str):
            name = {"en": name}
        return cls(
            key=key.strip(),
            name={str(k): str(v) for k, v in _mapping(name, f"{where}.name").items()},
            description=str(data.get("description") or ""),
            keywords=_per_language(data.get("keywords"), f"{where}.keywords"),
            examples=_per_language(data.get("examples"), f"{where}.examples"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": dict(self.name),
            "description": self.description,
            "keywords": {k: list(v) for k, v in self.keywords.items()},
            "examples": {k: list(v) for k, v in self.examples.items()},
        }


@dataclass(frozen=True)
class Taxonomy:
    key: str
    name: str
    themes: tuple[Theme, ...]
    fallback: str | None = None  # theme given to a comment no other theme matches

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        raw = data.get("themes")
        if not isinstance(raw, list):
            raise Invalid("themes: must be a list of themes")
        themes = tuple(Theme.from_dict(_mapping(item, "themes")) for item in raw)
        keys = [theme.key for theme in themes]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise Invalid(f"themes: duplicate theme key(s): {', '.join(duplicates)}")
        fallback = data.get("fallback")
        if fallback is not None and fallback not in keys:
            raise Invalid(f"fallback: '{fallback}' is not one of the themes")
        key = str(data.get("key") or "custom")
        return cls(key, str(data.get("name") or key), themes, fallback)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "fallback": self.fallback,
            "themes": [theme.to_dict() for theme in self.themes],
        }

    def with_themes(self, themes: Iterable[Theme | Mapping[str, Any]]) -> Taxonomy:
        """This taxonomy plus (or with replaced) workspace themes of the same key."""
        extra = [t if isinstance(t, Theme) else Theme.from_dict(t) for t in themes]
        replaced = {theme.key for theme in extra}
        kept = [theme for theme in self.themes if theme.key not in replaced]
        if self.fallback and self.fallback not in replaced:
            kept = [t for t in kept if t.key != self.fallback]
            fallback = [t for t in self.themes if t.key == self.fallback]
            return replace(self, themes=(*kept, *extra, *fallback))
        return replace(self, themes=(*kept, *extra))

    def theme(self, key: str) -> Theme:
        for theme in self.themes:
            if theme.key == key:
                return theme
        raise KeyError(key)


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Invalid(f"{where}: must be an object")
    return value


def _per_language(value: object, where: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    result: dict[str, tuple[str, ...]] = {}
    for language, items in _mapping(value, where).items():
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise Invalid(f"{where}.{language}: must be a list of strings")
        result[str(language)] = tuple(i.strip() for i in items if i.strip())
    return result


@cache
def load_taxonomy(key: str = "cx_themes") -> Taxonomy:
    """A built-in taxonomy: `cx_themes` (default CX themes) or `cx_pillars` (six pillars)."""
    if key not in BUILT_IN:
        raise Invalid(f"taxonomy: '{key}' is not built in (choose from {', '.join(BUILT_IN)})")
    text = resources.files("cxloop.text").joinpath("taxonomies", f"{key}.json").read_text("utf-8")
    return Taxonomy.from_dict(json.loads(text))
