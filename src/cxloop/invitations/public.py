"""Public links: ``/i/<token>`` (personal invitation), one-click NPS, the open pixel, and the
one-click unsubscribe ``/u/<token>`` (GET confirms, POST per RFC 8058 opts out at once)."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxloop.core.deps import AppSettings, DbSession
from cxloop.core.errors import CxError
from cxloop.core.web import render
from cxloop.governance import service as governance
from cxloop.invitations import links, service

router = APIRouter(include_in_schema=False)

# a transparent 1x1 GIF
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@router.get("/i/{token}")
def open_invitation(token: str, db: DbSession, settings: AppSettings) -> Response:
    """Records "opened" and sends the respondent to the survey page with the token."""
    invitation = service.resolve(db, settings, token)
    url = service.open_link(db, settings, invitation, token)
    db.commit()
    return RedirectResponse(url, status_code=303)


@router.get("/i/{token}/nps/{score}")
def nps_click(token: str, score: int, db: DbSession, settings: AppSettings) -> Response:
    """The email's 0-10 scale: records the first click's score, then opens the survey."""
    invitation = service.resolve(db, settings, token)
    url, _ = service.click_nps(db, settings, invitation, token, score)
    db.commit()
    return RedirectResponse(url, status_code=303)


@router.get("/i/{token}/open.gif")
def open_pixel(token: str, db: DbSession, settings: AppSettings) -> Response:
    """The open-tracking pixel: never an error (a mail client shows nothing either way)."""
    try:
        invitation = service.resolve(db, settings, token)
        service.open_link(db, settings, invitation, token)
        db.commit()
    except CxError:
        db.rollback()
    headers = {"cache-control": "no-store"}
    return Response(PIXEL, media_type="image/gif", headers=headers)


@router.get("/u/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: str, request: Request, settings: AppSettings) -> Response:
    """Confirms before opting out (link scanners follow GETs; only a POST opts out)."""
    _, _, channel = links.read_unsubscribe_token(settings, token)
    return render(
        request, "invitations/unsubscribe.html", {"token": token, "channel": channel, "done": False}
    )


@router.post("/u/{token}", response_class=HTMLResponse)
def unsubscribe(token: str, request: Request, db: DbSession, settings: AppSettings) -> Response:
    """One-click unsubscribe (RFC 8058 ``List-Unsubscribe=One-Click``): opts out at once."""
    workspace_id, contact_id, channel = links.read_unsubscribe_token(settings, token)
    try:
        governance.opt_out(db, workspace_id, contact_id, channel, "unsubscribe-link")
        db.commit()
    except CxError:  # the contact was deleted: nothing left to contact
        db.rollback()
    return render(
        request, "invitations/unsubscribe.html", {"token": token, "channel": channel, "done": True}
    )
