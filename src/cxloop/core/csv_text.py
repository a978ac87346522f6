"""Reading customers' CSV files as text: encoding and delimiter detection, shared by every
CSV import (responses, text classification, survey translations)."""

from __future__ import annotations

from cxloop.core.errors import Invalid

DELIMITERS = (",", ";", "\t", "|")


def decode(data: bytes, encoding: str | None = None, *, binary: bool = True) -> tuple[str, str]:
    """The file's text and its encoding: the one given, else a BOM (UTF-8, UTF-16), UTF-16
    without BOM, UTF-8, Windows-1252, and Latin-1 as the last resort. With ``binary=False``
    a file with NUL bytes that is not UTF-16 is refused instead of read."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError as exc:
            raise Invalid(f"encoding: '{encoding}' is not an encoding Python knows") from exc
        except UnicodeDecodeError as exc:
            raise Invalid(f"file: not valid {encoding} text (byte {exc.start})") from exc
    if data.startswith(b"PK\x03\x04"):
        raise Invalid("file: this looks like an Excel workbook; save it as CSV UTF-8 first")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    sample = data[:4000]
    if sample and sample.count(0) * 4 >= len(sample):
        even_zeros = sample[0::2].count(0)
        codec = "utf-16-be" if even_zeros > sample[1::2].count(0) else "utf-16-le"
        return data.decode(codec, errors="replace"), codec
    if not binary and b"\x00" in data:
        raise Invalid("file: this is not a text file (it contains NUL bytes); save it as CSV")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; tab |, else a comma."""
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
