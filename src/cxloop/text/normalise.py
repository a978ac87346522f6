"""Cleaning, de-accenting, script detection and tokenisation shared by every analyser step."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache

MAX_CHARS = 5000
"""Only the first MAX_CHARS characters of a comment are analysed (a 100,000-character paste is
cut, never refused)."""

_TAG = re.compile(
    r"<(?:script|style)\b.*?</(?:script|style)>|<!--.*?-->|</?[a-zA-Z][^<>]{0,500}>", re.S
)
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufeff\u200b-\u200f\u2028-\u202e]"
)
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_USER = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{2,}")

# Letters plus the combining marks that Python's \w leaves out (Thai vowels, Indic signs...).
_WORD_CHARS = (
    r"\w\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u064b-\u065f\u0670\u06d6-\u06ed"
    r"\u0900-\u0dff\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd"
    r"\u1000-\u109f\u1780-\u17ff\u3099\u309a"
)
_EMOJI = (
    r"\U0001f1e6-\U0001f1ff\U0001f300-\U0001f5ff\U0001f600-\U0001f64f\U0001f680-\U0001f6ff"
    r"\U0001f900-\U0001faff\u2600-\u27bf\u2b50\u2b55"
)
_EMOTICON = r"(?::|;|=)-?[()dpo/\\|]+|<3|\^_?\^|:'\("
_TOKEN = re.compile(
    rf"{_EMOTICON}|[{_EMOJI}]|[{_WORD_CHARS}]+(?:['\u2019][{_WORD_CHARS}]+)*|[.!?;,:…]",
    re.IGNORECASE,
)
_THAI = re.compile(r"[\u0e01-\u0e4e]")
_THAI_RUN = re.compile(r"[\u0e01-\u0e4e]{2,}")
_LETTER = re.compile(rf"[^\W\d_]|[{_EMOJI}]")
EMOJI_RE = re.compile(rf"[{_EMOJI}]")
PUNCTUATION = frozenset(".!?;,:…")


def clean(text: object) -> str:
    """Readable text from anything a CSV cell or API field may hold: HTML stripped, control
    characters and invalid bytes removed, Unicode NFC, at most MAX_CHARS characters."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    value = str(text)[: MAX_CHARS * 4]
    if "<" in value:
        value = _TAG.sub(" ", value)
    if "&" in value:
        value = html.unescape(value)
    value = _CONTROL.sub(" ", value)
    value = unicodedata.normalize("NFC", value)
    value = _SPACES.sub(" ", value).strip()
    return value[:MAX_CHARS]


def prepare(text: str) -> str:
    """Lower-cased text for features: links, emails and @handles replaced, long letter runs
    ("soooo", "มากกกก") shortened to two."""
    value = text.lower()
    if "http" in value or "www." in value:
        value = _URL.sub(" url ", value)
    if "@" in value:
        value = _EMAIL.sub(" email ", value)
        value = _USER.sub(" @user ", value)
    return _REPEAT.sub(r"\1\1", value)


def has_letters(text: str) -> bool:
    """Whether the text holds at least one letter (or emoji) worth analysing."""
    return _LETTER.search(text) is not None


def _deaccent_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x1F00):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            table[code] = base
    table.update({ord("đ"): "d", ord("Đ"): "D", ord("ł"): "l", ord("Ł"): "L", ord("ø"): "o"})
    return table


_DEACCENT = _deaccent_table()


def deaccent(text: str) -> str:
    """Latin text without diacritics: "giao hàng nhanh" -> "giao hang nhanh", "ačiū" -> "aciu"."""
    return text.translate(_DEACCENT)


_PLAIN_WORDS: dict[str, str] = {}


def plain_word(word: str) -> str:
    """deaccent() of one word, cached (words repeat a lot)."""
    plain = _PLAIN_WORDS.get(word)
    if plain is None:
        if len(_PLAIN_WORDS) > 300_000:
            _PLAIN_WORDS.clear()
        plain = _PLAIN_WORDS[word] = word if word.isascii() else word.translate(_DEACCENT)
    return plain


def is_thai(text: str) -> bool:
    return _THAI.search(text) is not None


@cache
def _thai_dictionary() -> str | None:
    """Load PyThaiNLP's CC0 Thai word list into nlpo3 (once); None when unavailable."""
    import importlib.util
    from pathlib import Path

    import nlpo3

    spec = importlib.util.find_spec("pythainlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    words = Path(next(iter(spec.submodule_search_locations))) / "corpus" / "words_th.txt"
    if not words.is_file():
        return None
    nlpo3.load_dict(str(words), "cxloop_th")
    return "cxloop_th"


def segment_thai(run: str) -> list[str]:
    """Thai words of a run of Thai letters (nlpo3 maximal matching over PyThaiNLP's word list)."""
    name = _thai_dictionary()
    if name is None:
        return [run]
    import nlpo3

    return [word for word in nlpo3.segment(run, name) if word.strip()]


def tokenise(text: str) -> list[str]:
    """Words, emoji, emoticons and sentence punctuation of prepared (lower-cased) text; Thai runs
    are split into words, and a space between Thai words counts as a comma."""
    tokens: list[str] = []
    end = 0
    for match in _TOKEN.finditer(text):
        word = match.group()
        thai = _THAI.match(word) is not None
        if thai and tokens and match.start() > end and _THAI.match(tokens[-1]):
            tokens.append(",")  # a space between Thai words ends a phrase
        end = match.end()
        if thai and len(word) > 2:
            tokens.extend(_split_thai(word))
        else:
            tokens.append(word)
    return tokens


def _split_thai(word: str) -> list[str]:
    parts: list[str] = []
    last = 0
    for run in _THAI_RUN.finditer(word):
        if run.start() > last:
            parts.append(word[last : run.start()])
        parts.extend(segment_thai(run.group()))
        last = run.end()
    if last < len(word):
        parts.append(word[last:])
    return parts
