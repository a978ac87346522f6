"""Contact pages: a searchable list, and a contact with attributes and a timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from cxloop.contacts import service
from cxloop.contacts.schemas import ContactFilter
from cxloop.core.deps import DbSession, PageViewer
from cxloop.core.web import render
from cxloop.interactions import service as interactions

router = APIRouter()
PER_PAGE = 50
TIMELINE_LIMIT = 200


@router.get("/app/contacts", response_class=HTMLResponse)
def contacts_page(
    request: Request,
    caller: PageViewer,
    db: DbSession,
    q: str = "",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    items, total = service.list_contacts(
        db, caller.workspace_id, ContactFilter(q=q.strip() or None), limit=PER_PAGE, offset=offset
    )
    context = {
        "contacts": items,
        "total": total,
        "q": q,
        "offset": offset,
        "per_page": PER_PAGE,
        "prev_offset": max(0, offset - PER_PAGE) if offset > 0 else None,
        "next_offset": offset + PER_PAGE if offset + PER_PAGE < total else None,
    }
    return render(request, "contacts/list.html", context)


@router.get("/app/contacts/{contact_id}", response_class=HTMLResponse)
def contact_page(contact_id: str, request: Request, caller: PageViewer, db: DbSession) -> Response:
    contact = service.get_contact(db, caller.workspace_id, contact_id)
    timeline = interactions.timeline(db, caller.workspace_id, contact.id, TIMELINE_LIMIT)
    channels = sorted({e.channel for e in timeline if e.channel})
    context = {
        "contact": contact,
        "attributes": sorted((contact.attributes or {}).items()),
        "timeline": timeline,
        "channels": channels,
        "limit": TIMELINE_LIMIT,
    }
    return render(request, "contacts/detail.html", context)
