"""The condition language: a JSON tree of all / any / not over leaves {field, op, value}.

`check` refuses a tree that cannot work (unknown field for the trigger, an op the field's type
does not have, a value of the wrong type, a regex that does not compile, an empty all/any) with
a message naming the path; `matches` evaluates a checked tree against a subject's facts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cxloop.core.errors import Invalid

NUMBER, STRING, LIST, TEXT, KEYWORD, SEGMENT, ANY = (
    "number",
    "string",
    "list",
    "text",
    "keyword",
    "segment",
    "any",
)
OPS: dict[str, frozenset[str]] = {
    NUMBER: frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "exists"}),
    STRING: frozenset({"eq", "ne", "in", "not_in", "contains", "matches", "exists"}),
    LIST: frozenset({"contains", "in", "not_in", "exists"}),
    TEXT: frozenset({"eq", "ne", "contains", "matches", "exists"}),
    KEYWORD: frozenset({"contains"}),
    SEGMENT: frozenset({"eq", "ne", "in", "not_in"}),
    ANY: frozenset(
        {"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "matches", "exists"}
    ),
}
ALL_OPS = OPS[ANY]
STATUSES = ("new", "open", "waiting_on_customer", "resolved", "closed", "reopened")
INTERACTION_KINDS = (
    "ticket_opened",
    "agent_replied",
    "ticket_solved",
    "ticket_reopened",
    "chat",
    "call",
    "order",
    "visit",
    "review",
    "social_mention",
    "survey_response",
)


@dataclass(frozen=True)
class FieldSpec:
    type: str
    values: tuple[str, ...] = ()  # the allowed values, when the field has a fixed set


FIELDS: dict[str, FieldSpec] = {
    "nps": FieldSpec(NUMBER),
    "csat": FieldSpec(NUMBER),
    "ces": FieldSpec(NUMBER),
    "sentiment": FieldSpec(STRING, ("negative", "neutral", "positive", "mixed")),
    "themes": FieldSpec(LIST),
    "comment": FieldSpec(TEXT),
    "keyword": FieldSpec(KEYWORD),
    "touchpoint": FieldSpec(STRING),
    "stage": FieldSpec(STRING),
    "journey": FieldSpec(STRING),
    "channel": FieldSpec(STRING),
    "language": FieldSpec(STRING),
    "survey": FieldSpec(STRING),
    "contact.language": FieldSpec(STRING),
    "segment": FieldSpec(SEGMENT),
    "interaction.kind": FieldSpec(STRING, INTERACTION_KINDS),
    "alert.id": FieldSpec(STRING),
    "alert.metric": FieldSpec(STRING),
    "case.status": FieldSpec(STRING, STATUSES),
    "case.priority": FieldSpec(STRING, ("low", "normal", "high", "urgent")),
    "case.from": FieldSpec(STRING, STATUSES),
    "case.to": FieldSpec(STRING, STATUSES),
    "sla.clock": FieldSpec(STRING, ("first_action", "resolution")),
}
_RECORD = ("touchpoint", "stage", "journey", "channel", "contact.language", "segment")
_RESPONSE = (
    "nps",
    "csat",
    "ces",
    "sentiment",
    "themes",
    "comment",
    "keyword",
    "language",
    "survey",
    *_RECORD,
)
TRIGGER_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # fields, prefixes
    "response.submitted": (_RESPONSE, ("answer.", "contact.")),
    "comment.analyzed": (_RESPONSE, ("answer.", "contact.")),
    "interaction.created": (
        ("interaction.kind", "comment", "keyword", *_RECORD),
        ("contact.",),
    ),
    "alert.fired": (("alert.id", "alert.metric"), ()),
    "case.status_changed": (
        ("case.status", "case.priority", "case.from", "case.to", *_RECORD),
        ("contact.",),
    ),
    "case.sla_breached": (
        ("case.status", "case.priority", "sla.clock", *_RECORD),
        ("contact.",),
    ),
}
MAX_DEPTH, MAX_LEAVES = 8, 100


def spec_of(trigger: str, field: str) -> FieldSpec | None:
    """The field's type if the trigger knows it (answer.<key> and contact.<attr> are any)."""
    names, prefixes = TRIGGER_FIELDS[trigger]
    if field in names:
        return FIELDS[field]
    if any(field.startswith(p) and len(field) > len(p) for p in prefixes):
        return FieldSpec(ANY)
    return None


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_scalar(where: str, field: str, spec: FieldSpec, op: str, value: Any) -> None:
    """One value (of a list, or the value itself) against the field's type."""
    kind = spec.type
    if kind == NUMBER or (kind == ANY and op in ("lt", "lte", "gt", "gte")):
        if not _is_number(value):
            raise Invalid(f"{where}: {_show(value)} is not a number for field {field}")
        return
    if kind == ANY:
        if not isinstance(value, str | int | float | bool):
            raise Invalid(f"{where}: {_show(value)} is not a text, number or true/false")
        return
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{where}: {_show(value)} is not a text for field {field}")
    if spec.values and op != "contains" and value.casefold() not in spec.values:
        allowed = ", ".join(spec.values)
        raise Invalid(f"{where}: {_show(value)} is not one of {allowed} for field {field}")


def _check_value(where: str, field: str, spec: FieldSpec, op: str, node: dict[str, Any]) -> None:
    has, value = "value" in node, node.get("value")
    if op == "exists":
        if has and not isinstance(value, bool):
            raise Invalid(f"{where}: 'exists' takes true or false, got {_show(value)}")
        return
    if not has or value is None:
        raise Invalid(f"{where}: '{op}' needs a value")
    if op == "matches":
        if not isinstance(value, str) or not value:
            raise Invalid(f"{where}: 'matches' needs a regular expression as text")
        if len(value) > 500:
            raise Invalid(f"{where}: the regular expression is longer than 500 characters")
        try:
            re.compile(value)
        except re.error as exc:
            raise Invalid(f"{where}: the regular expression does not compile: {exc}") from None
        return
    listed = op in ("in", "not_in") or (op == "contains" and spec.type in (LIST, KEYWORD))
    if op in ("in", "not_in") or (listed and isinstance(value, list)):
        if not isinstance(value, list) or not value:
            raise Invalid(f"{where}: '{op}' needs a non-empty list of values for field {field}")
        if len(value) > 500:
            raise Invalid(f"{where}: at most 500 values")
        for index, item in enumerate(value):
            _check_scalar(f"{where}[{index}]", field, spec, op, item)
        return
    _check_scalar(where, field, spec, op, value)


def _check_leaf(path: str, node: dict[str, Any], trigger: str, segments: set[str]) -> None:
    extra = set(node) - {"field", "op", "value"}
    if extra:
        raise Invalid(f"{path}: unknown key '{sorted(extra)[0]}' (use field, op, value)")
    field, op = node.get("field"), node.get("op")
    if not isinstance(field, str) or not field:
        raise Invalid(f'{path}.field: name a field, e.g. "nps"')
    spec = spec_of(trigger, field)
    if spec is None:
        names, prefixes = TRIGGER_FIELDS[trigger]
        known = ", ".join([*names, *(f"{p}<name>" for p in prefixes)])
        raise Invalid(f"{path}.field: unknown field '{field}' for trigger {trigger} ({known})")
    if op not in ALL_OPS:
        raise Invalid(f"{path}.op: unknown op {_show(op)} (use {', '.join(sorted(ALL_OPS))})")
    if op not in OPS[spec.type]:
        allowed = ", ".join(sorted(OPS[spec.type]))
        raise Invalid(f"{path}.op: '{op}' does not apply to field {field} (use {allowed})")
    _check_value(f"{path}.value", field, spec, str(op), node)
    if spec.type == SEGMENT:
        value = node["value"]
        segments.update(value if isinstance(value, list) else [value])


def check(conditions: Any, trigger: str, path: str = "conditions") -> set[str]:
    """Refuses a malformed tree (Invalid naming the path); returns the segment ids it uses."""
    if trigger not in TRIGGER_FIELDS:
        raise Invalid(f"trigger: unknown trigger '{trigger}'")
    segments: set[str] = set()
    leaves = [0]

    def walk(node: Any, where: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise Invalid(f"{where}: conditions nest at most {MAX_DEPTH} levels deep")
        if not isinstance(node, dict):
            raise Invalid(f'{where}: expected an object like {{"field": ..., "op": ...}}')
        groups = [k for k in ("all", "any", "not") if k in node]
        if not groups:
            leaves[0] += 1
            if leaves[0] > MAX_LEAVES:
                raise Invalid(f"{where}: at most {MAX_LEAVES} conditions in a rule")
            _check_leaf(where, node, trigger, segments)
            return
        if len(node) != 1:
            raise Invalid(f"{where}: '{groups[0]}' must be the object's only key")
        key = groups[0]
        inner = node[key]
        if key == "not":
            walk(inner, f"{where}.not", depth + 1)
            return
        if not isinstance(inner, list) or not inner:
            raise Invalid(f"{where}.{key}: needs a non-empty list of conditions")
        for index, child in enumerate(inner):
            walk(child, f"{where}.{key}[{index}]", depth + 1)

    walk(conditions, path, 0)
    return segments


# --- evaluation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """A record known by several names (id, key, name): equal when any of them is."""

    names: tuple[str, ...]


def fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _number(value: Any) -> float | None:
    if _is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, Names):
        return any(_equal(name, expected) for name in actual.names)
    if isinstance(actual, list):
        return any(_equal(item, expected) for item in actual)
    if isinstance(actual, bool) or isinstance(expected, bool):
        return str(actual).lower() == str(expected).lower()
    if _is_number(expected) or _is_number(actual):
        a, b = _number(actual), _number(expected)
        return a is not None and a == b
    return fold(str(actual)) == fold(str(expected))


def _order(actual: Any, op: str, expected: Any) -> bool:
    a, b = _number(actual), _number(expected)
    if a is None or b is None:
        return False
    return {"lt": a < b, "lte": a <= b, "gt": a > b, "gte": a >= b}[op]


def _texts(actual: Any) -> list[str]:
    if isinstance(actual, Names):
        return list(actual.names)
    if isinstance(actual, list):
        return [str(item) for item in actual]
    return [str(actual)]


_UNSPACED = ("THAI", "LAO", "KHMER", "MYANMAR", "CJK", "HIRAGANA", "KATAKANA", "HANGUL")


def _unspaced(word: str) -> bool:
    return any(unicodedata.name(ch, "").startswith(_UNSPACED) for ch in word)


def keyword_found(text: str, keywords: list[str]) -> bool:
    """Any keyword in the text: case-insensitive, NFC-normalised, whole words where the script
    separates words with spaces (so 'late' does not match 'chocolate'; Thai matches inside)."""
    haystack = fold(text)
    for keyword in keywords:
        word = fold(keyword.strip())
        if not word:
            continue
        if _unspaced(word):
            if word in haystack:
                return True
        elif re.search(rf"(?<!\w){re.escape(word)}(?!\w)", haystack):
            return True
    return False


def _present(actual: Any) -> bool:
    return actual is not None and actual != "" and actual != [] and actual != {}


@dataclass
class Facts:
    """What a condition can look at: values by field, and segment membership of the contact."""

    values: dict[str, Any]
    in_segment: Callable[[str], bool]

    def get(self, field: str) -> Any:
        if field in self.values:
            return self.values[field]
        head, _, rest = field.partition(".")
        group = self.values.get(head)
        if isinstance(group, dict) and rest:
            return group.get(rest)
        return None


def _leaf(node: dict[str, Any], facts: Facts) -> bool:
    field, op, expected = node["field"], node["op"], node.get("value")
    if field == "segment":
        ids = expected if isinstance(expected, list) else [expected]
        inside = any(facts.in_segment(str(i)) for i in ids)
        return not inside if op in ("ne", "not_in") else inside
    actual = facts.get(field)
    if op == "exists":
        return _present(actual) == (True if expected is None else bool(expected))
    if op in ("ne", "not_in"):
        wanted = expected if isinstance(expected, list) else [expected]
        return not _present(actual) or not any(_equal(actual, w) for w in wanted)
    if not _present(actual):
        return False
    if op in ("eq", "in"):
        wanted = expected if isinstance(expected, list) else [expected]
        return any(_equal(actual, w) for w in wanted)
    if op in ("lt", "lte", "gt", "gte"):
        return _order(actual, op, expected)
    if op == "matches":
        return any(re.search(str(expected), text) for text in _texts(actual))
    words = [str(w) for w in (expected if isinstance(expected, list) else [expected])]
    if field == "keyword":
        return keyword_found(" ".join(_texts(actual)), words)
    if isinstance(actual, list):  # themes: any of the wanted
        return any(_equal(actual, w) for w in words)
    return any(fold(w) in fold(t) for w in words for t in _texts(actual))


def matches(node: dict[str, Any], facts: Facts) -> bool:
    """Evaluates a checked tree; a missing value makes eq/lt/in/contains false, ne true."""
    if "all" in node:
        return all(matches(child, facts) for child in node["all"])
    if "any" in node:
        return any(matches(child, facts) for child in node["any"])
    if "not" in node:
        return not matches(node["not"], facts)
    return _leaf(node, facts)
