from __future__ import annotations

import csv
import io
from pathlib import Path

import typer
from typer.testing import CliRunner

from cxloop.text.classify_cli import classify

app = typer.Typer()
app.command()(classify)
runner = CliRunner()

ROWS = [
    ("1", "love the app but the delivery was slow"),
    ("2", "Giao hàng nhanh, sản phẩm rất tốt"),
    ("3", "พนักงานบริการดีมาก"),
    ("4", "Prekė atkeliavo sugadinta, labai nusivyliau"),
    ("5", ""),
]


def write_csv(
    path: Path,
    rows: list[tuple[str, str]],
    header: tuple[str, str] = ("id", "text"),
    encoding: str = "utf-8",
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def read_output(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_classify_adds_columns(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", ROWS)
    result = runner.invoke(
        app, [str(source), "--output", str(tmp_path / "out.csv"), "--languages", "en,vi,th,lt"]
    )
    assert result.exit_code == 0, result.output
    rows = read_output(tmp_path / "out.csv")
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert list(rows[0]) == [
        "id",
        "text",
        "language",
        "sentiment",
        "sentiment_score",
        "themes",
        "key_phrases",
    ]
    assert [r["language"] for r in rows] == ["en", "vi", "th", "lt", "und"]
    assert [r["sentiment"] for r in rows] == [
        "mixed",
        "positive",
        "positive",
        "negative",
        "neutral",
    ]
    assert {"delivery", "website_app"} <= set(rows[0]["themes"].split("|"))
    assert -1 <= float(rows[3]["sentiment_score"]) < 0
    assert rows[4]["themes"] == "" and rows[4]["sentiment_score"] == "0.0000"


def test_other_text_column_and_semicolons(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("Comment;Score\nThe app is great;9\n", encoding="utf-8")
    result = runner.invoke(
        app, [str(source), "-o", str(tmp_path / "out.csv"), "--text-column", "comment"]
    )
    assert result.exit_code == 0, result.output
    [row] = read_output(tmp_path / "out.csv")
    assert row["Score"] == "9" and row["sentiment"] == "positive" and "website_app" in row["themes"]


def test_missing_text_column_names_it_and_lists_the_columns(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", ROWS, header=("id", "feedback"))
    result = runner.invoke(app, [str(source), "--output", str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    assert "no column 'text'" in result.output
    assert "'id', 'feedback'" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_windows_1252_and_utf16_files(tmp_path: Path) -> None:
    rows = [
        ("1", "Café was great, très bon service \u2013 merci"),
        ("2", "The waiter\u2019s attitude was rude"),
    ]
    for encoding in ("cp1252", "utf-16", "utf-8-sig"):
        source = write_csv(tmp_path / f"{encoding}.csv", rows, encoding=encoding)
        out = tmp_path / f"{encoding}.out.csv"
        result = runner.invoke(app, [str(source), "--output", str(out)])
        assert result.exit_code == 0, result.output
        texts = [r["text"] for r in read_output(out)]
        assert texts == [rows[0][1], rows[1][1]], encoding
        assert read_output(out)[1]["sentiment"] == "negative"


def test_bad_options_and_files(tmp_path: Path) -> None:
    missing = runner.invoke(app, [str(tmp_path / "nope.csv"), "--output", str(tmp_path / "o.csv")])
    assert missing.exit_code == 1 and "does not exist" in missing.output
    source = write_csv(tmp_path / "in.csv", ROWS)
    bad = runner.invoke(
        app, [str(source), "--output", str(tmp_path / "o.csv"), "--languages", "english!"]
    )
    assert bad.exit_code == 2 and "--languages" in bad.output
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(app, [str(empty), "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 1 and "empty" in result.output
