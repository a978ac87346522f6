"""`cxloop text classify INPUT.csv --output OUTPUT.csv`: comment analytics on any CSV file,
without a database.

Adds the columns language, sentiment (positive|neutral|negative|mixed), sentiment_score (-1..1),
themes (theme keys joined by |) and key_phrases (joined by |). Exit codes: 0 done; 1 the file
cannot be used (missing, unreadable, no such text column); 2 bad options.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cxloop.core.errors import CxError

ADDED = ("language", "sentiment", "sentiment_score", "themes", "key_phrases")
CHUNK = 1000
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    return typer.Exit(code)


def _languages(value: str | None) -> list[str] | None:
    if not value:
        return None
    codes = [code.strip().lower() for code in value.split(",") if code.strip()]
    bad = [code for code in codes if not code.isalpha() or len(code) not in (2, 3)]
    if bad:
        raise _fail(f"--languages: '{bad[0]}' is not a language code such as en, vi, th, lt", 2)
    return codes


def classify(
    input_path: Annotated[
        Path, typer.Argument(metavar="INPUT.csv", help="CSV file with a column of comments.")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the CSV with added columns.")
    ],
    text_column: Annotated[str, typer.Option(help="Column that holds the comments.")] = "text",
    languages: Annotated[
        str | None,
        typer.Option(help="Expected languages, e.g. en,vi,th,lt (biases language detection)."),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="Encoding of the input (default: UTF-8/UTF-16, else Windows-1252)."),
    ] = None,
    taxonomy: Annotated[
        Path | None,
        typer.Option(help="JSON file with your own themes (added to the default CX themes)."),
    ] = None,
) -> None:
    """Add language, sentiment, themes and key phrases to every row of a CSV file."""
    from cxloop.text.analysers import load_analyser
    from cxloop.text.csv_io import read_table
    from cxloop.text.csv_io import text_column as find_column

    expected = _languages(languages)
    if not input_path.is_file():
        raise _fail(f"INPUT.csv: {input_path} does not exist or is not a file")
    try:
        table = read_table(input_path.read_bytes(), encoding)
        column = find_column(table.header, text_column)
        options: dict[str, Any] = {"taxonomy": _taxonomy(taxonomy)} if taxonomy else {}
        analyser = load_analyser(None, **options)
    except OSError as exc:
        raise _fail(f"INPUT.csv: cannot read {input_path}: {exc.strerror}") from exc
    except CxError as exc:
        raise _fail(exc.message) from exc
    header = list(table.header)
    positions = []
    for name in ADDED:
        if name in header:
            positions.append(header.index(name))
        else:
            header.append(name)
            positions.append(len(header) - 1)
    columns = (TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        handle = output.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise _fail(f"--output: cannot write {output}: {exc.strerror}") from exc
    with handle, Progress(*columns, console=err, transient=True) as progress:
        writer = csv.writer(handle)
        writer.writerow(header)
        task = progress.add_task("rows", total=len(table.rows))
        for start in range(0, len(table.rows), CHUNK):
            chunk = table.rows[start : start + CHUNK]
            texts = [row[column] if column < len(row) else "" for row in chunk]
            for row, result in zip(chunk, analyser.analyse(texts, languages=expected), strict=True):
                values = (
                    result.language,
                    result.sentiment,
                    f"{result.sentiment_score:.4f}",
                    "|".join(result.theme_keys),
                    "|".join(result.key_phrases),
                )
                out = row + [""] * (len(header) - len(row))
                for position, value in zip(positions, values, strict=True):
                    out[position] = value
                writer.writerow(out)
            progress.advance(task, len(chunk))
    err.print(f"analysed {len(table.rows)} rows ({table.encoding}) -> {output}", highlight=False)


def _taxonomy(path: Path) -> object:
    from cxloop.text.taxonomy import Taxonomy, load_taxonomy

    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise CxError(f"--taxonomy: cannot read {path} as JSON ({exc})") from exc
    if isinstance(data, list):
        data = {"themes": data}
    if not isinstance(data, dict):
        raise CxError("--taxonomy: the file must hold an object with a 'themes' list")
    themes = Taxonomy.from_dict(data).themes
    return load_taxonomy("cx_themes").with_themes(themes)
