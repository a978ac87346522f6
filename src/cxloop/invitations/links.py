"""Signed links: personal invitation links and one-click unsubscribe links."""

from __future__ import annotations

from cxloop.core.errors import Gone, NotFound
from cxloop.core.security import LinkSigner
from cxloop.core.settings import Settings

INVITATION_SALT = "invitation"
UNSUBSCRIBE_SALT = "unsubscribe"
UNSUBSCRIBE_MAX_AGE = 400 * 86400  # an old email's unsubscribe link keeps working for a year+


def _signer(settings: Settings, salt: str) -> LinkSigner:
    return LinkSigner(settings.signing_key, salt=salt)


def _base(settings: Settings) -> str:
    return settings.base_url.rstrip("/")


def invitation_token(settings: Settings, workspace_id: str, invitation_id: str) -> str:
    return _signer(settings, INVITATION_SALT).sign({"w": workspace_id, "i": invitation_id})


def read_invitation_token(settings: Settings, token: str) -> tuple[str, str]:
    """(workspace id, invitation id); NotFound for a forged token, Gone for an expired one."""
    max_age = settings.survey_link_max_age_days * 86400
    payload = _signer(settings, INVITATION_SALT).verify(token, max_age)
    if "w" not in payload or "i" not in payload:
        raise NotFound("this survey link is not valid")
    return payload["w"], payload["i"]


def invitation_url(settings: Settings, token: str) -> str:
    return f"{_base(settings)}/i/{token}"


def nps_url(settings: Settings, token: str, score: int) -> str:
    return f"{_base(settings)}/i/{token}/nps/{score}"


def pixel_url(settings: Settings, token: str) -> str:
    return f"{_base(settings)}/i/{token}/open.gif"


def unsubscribe_token(
    settings: Settings, workspace_id: str, contact_id: str, channel: str = "email"
) -> str:
    return _signer(settings, UNSUBSCRIBE_SALT).sign(
        {"w": workspace_id, "c": contact_id, "ch": channel}
    )


def unsubscribe_url(
    settings: Settings, workspace_id: str, contact_id: str, channel: str = "email"
) -> str:
    token = unsubscribe_token(settings, workspace_id, contact_id, channel)
    return f"{_base(settings)}/u/{token}"


def read_unsubscribe_token(settings: Settings, token: str) -> tuple[str, str, str]:
    try:
        payload = _signer(settings, UNSUBSCRIBE_SALT).verify(token, UNSUBSCRIBE_MAX_AGE)
    except Gone as exc:
        raise Gone("this unsubscribe link has expired; reply to the email instead") from exc
    except NotFound as exc:
        raise NotFound("this unsubscribe link is not valid") from exc
    if not {"w", "c", "ch"} <= payload.keys():
        raise NotFound("this unsubscribe link is not valid")
    return payload["w"], payload["c"], payload["ch"]
