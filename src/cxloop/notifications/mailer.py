"""Email over SMTP: builds the message (text + HTML alternative, language, one-click
unsubscribe, a Message-ID stable across retries) and sends it, telling permanent refusals
(5xx, an invalid address) from temporary ones (4xx, no connection, a timeout)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from cxloop.core.email_address import normalised
from cxloop.core.settings import Settings
from cxloop.notifications import outbox


class SendFailed(Exception):
    """The message was not accepted; `permanent` says whether trying again can help."""

    def __init__(self, reason: str, *, permanent: bool, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.status = status


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    language: str | None = None
    unsubscribe_url: str | None = None


def checked_address(address: str) -> str:
    """The normalised address, or SendFailed (permanent) saying why it cannot be used."""
    try:
        return normalised(address)
    except ValueError as exc:
        raise SendFailed(f"invalid address '{address}': {exc}", permanent=True) from None


def message_id(settings: Settings, job_id: int, workspace_id: str | None) -> str:
    """`<cxloop.job-<id>.<workspace>@<sender's domain>>`: the same for every retry of a job."""
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "cxloop.local"
    return f"<cxloop.job-{job_id}.{workspace_id or 'system'}@{domain}>"


def build(settings: Settings, email: Email, msg_id: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = settings.smtp_from
    message["To"] = email.to
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = msg_id
    message["Auto-Submitted"] = "auto-generated"
    if email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text)
    if email.html:
        message.add_alternative(email.html, subtype="html")
    if email.language:  # after the content: setting content clears Content-* headers
        message["Content-Language"] = email.language
        for part in message.iter_parts():
            part["Content-Language"] = email.language
    return message


def _reason(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"SMTP {code} {' '.join(words.split())}".strip()


def _refused(code: int, text: bytes | str) -> SendFailed:
    return SendFailed(_reason(code, text), permanent=500 <= code < 600, status=code)


def send(settings: Settings, message: EmailMessage, to: str) -> None:
    """Hands the message to the SMTP server (or the development outbox folder); raises
    SendFailed when it is not accepted."""
    if settings.email_outbox is not None:
        outbox.write(settings.email_outbox, message)
        return
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    sender = parseaddr(settings.smtp_from)[1] or settings.smtp_from
    try:
        client: smtplib.SMTP
        if settings.smtp_security == "ssl":
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout,
                context=context,
            )  # fmt: skip
        else:
            client = smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
            )
        with client:
            if settings.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                client.login(settings.smtp_username, settings.smtp_password or "")
            client.send_message(message, from_addr=sender, to_addrs=[to])
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (550, b"recipient refused"))
        raise _refused(code, text) from None
    except smtplib.SMTPAuthenticationError as exc:  # a settings problem: retry once fixed
        reason = f"SMTP login refused by {where}: {_reason(exc.smtp_code, exc.smtp_error)}"
        raise SendFailed(reason, permanent=False, status=exc.smtp_code) from None
    except smtplib.SMTPResponseException as exc:
        raise _refused(exc.smtp_code, exc.smtp_error) from None
    except TimeoutError:
        reason = f"SMTP server {where} did not answer within {settings.smtp_timeout:g} s"
        raise SendFailed(reason, permanent=False) from None
    except smtplib.SMTPServerDisconnected as exc:
        reason = f"SMTP server {where} closed the connection: {exc}"
        raise SendFailed(reason, permanent=False) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise SendFailed(f"cannot reach SMTP server {where}: {exc}", permanent=False) from None
