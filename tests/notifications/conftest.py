"""Real components for notification tests: an SMTP server (aiosmtpd), HTTP receivers
(http.server in a thread), a port that accepts connections and never answers, and a worker
with short retries and timeouts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.settings import Settings
from cxloop.jobs import service as jobs
from cxloop.jobs.worker import Worker
from tests.conftest import free_port


class Inbox:
    """An SMTP handler: refuses recipients or DATA as scripted, keeps accepted messages."""

    def __init__(self) -> None:
        self.rcpt_replies: dict[str, str] = {}  # recipient: e.g. "550 5.1.1 No such user"
        self.data_replies: dict[str, list[str]] = {}  # recipient: next replies to DATA
        self.messages: list[EmailMessage] = []
        self.tried: list[EmailMessage] = []  # every DATA received, accepted or not
        self.recipients: list[str] = []  # every RCPT TO, accepted or not

    def of(self, workspace_id: str, accepted: bool = True) -> list[EmailMessage]:
        """The messages of one workspace (its id is in the Message-ID): other tests' queued
        emails may reach this server too, since a worker runs every due job."""
        found = self.messages if accepted else self.tried
        return [m for m in found if f".{workspace_id}@" in str(m["Message-ID"])]

    async def handle_RCPT(
        self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str, options: Any
    ) -> str:
        self.recipients.append(address)
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=default)
        assert isinstance(message, EmailMessage)
        self.tried.append(message)
        for rcpt in envelope.rcpt_tos:
            if self.data_replies.get(rcpt):
                return self.data_replies[rcpt].pop(0)
        self.messages.append(message)
        return "250 2.0.0 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP endpoint answering with scripted (status, delay seconds), then 200."""

    script: list[tuple[int, float]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            status, delay = receiver.script.pop(0) if receiver.script else (200, 0.0)
            if delay:
                receiver.release.wait(delay)
            try:
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(b"\x00not json{{")  # the sender ignores the body
            except OSError:
                pass  # the sender gave up waiting

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    servers: list[tuple[ThreadingHTTPServer, Receiver]] = []

    def make(*script: tuple[int, float]) -> Receiver:
        receiver = Receiver(list(script))
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
        server.daemon_threads = True
        receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/cx"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((server, receiver))
        return receiver

    yield make
    for server, receiver in servers:
        receiver.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def blackhole() -> Iterator[str]:
    """A URL whose server accepts the connection and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/never"
    sock.close()


@pytest.fixture
def notify_settings(settings: Settings, smtp: tuple[Inbox, int]) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp[1],
            "smtp_timeout": 5.0,
            "smtp_from": "CX Team <cx@shop.example>",
            "webhook_timeout": 0.5,
        }
    )


@pytest.fixture
def make_worker(
    session_factory: sessionmaker[Session], notify_settings: Settings
) -> Callable[[], Worker]:
    def make() -> Worker:
        options = jobs.RunOptions(
            worker="notify-test", settings=notify_settings, retry_base_seconds=0.0
        )
        return Worker(session_factory, options, poll_seconds=0.05)

    return make
