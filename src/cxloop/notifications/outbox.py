"""A folder outbox for development and the demo: with `CXLOOP_EMAIL_OUTBOX` set, emails are
written there as .eml files instead of going to SMTP, and /app/outbox shows a workspace its own.

The workspace is read back from the Message-ID (`<cxloop.job-<id>.<workspace>@...>`), so one
workspace never sees another's mail.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

_ID = re.compile(r"<cxloop\.job-(\d+)\.([^@>]+)@")


def write(folder: Path, message: EmailMessage) -> Path:
    """Stores the message as <job>-<workspace>.eml (atomically; a retry overwrites it)."""
    match = _ID.search(str(message["Message-ID"] or ""))
    name = f"{match.group(1)}-{match.group(2)}" if match else f"{datetime.now(UTC):%Y%m%d%H%M%S%f}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.eml"
    partial = path.with_suffix(".tmp")
    partial.write_bytes(message.as_bytes(policy=policy.SMTP))
    os.replace(partial, path)
    return path


@dataclass(frozen=True)
class OutboxEmail:
    name: str
    to: str
    subject: str
    date: datetime
    text: str
    html: str | None


def _read(path: Path) -> OutboxEmail:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    return OutboxEmail(
        path.stem,
        str(message["To"] or ""),
        str(message["Subject"] or ""),
        datetime.fromtimestamp(path.stat().st_mtime, UTC),
        text_part.get_content() if isinstance(text_part, EmailMessage) else "",
        html_part.get_content() if isinstance(html_part, EmailMessage) else None,
    )


def emails(folder: Path, workspace_id: str, limit: int = 50) -> list[OutboxEmail]:
    """The workspace's newest emails in the outbox."""
    if not folder.is_dir():
        return []
    mine = [p for p in folder.glob(f"*-{workspace_id}.eml") if p.stem.split("-", 1)[0].isdigit()]
    mine.sort(key=lambda p: int(p.stem.split("-", 1)[0]), reverse=True)
    return [_read(p) for p in mine[:limit]]
