"""REST API of the contacts feature."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from cxloop.contacts import service
from cxloop.contacts.schemas import (
    ContactCreate,
    ContactFilter,
    ContactRead,
    ContactUpdate,
    ContactUpsert,
)
from cxloop.core.deps import ApiAnalyst, ApiViewer, DbSession
from cxloop.core.errors import NotFound
from cxloop.core.pagination import Page, PageParams, page_params

router = APIRouter(tags=["contacts"])
Paging = Annotated[PageParams, Depends(page_params)]


@router.get("/contacts", response_model=Page[ContactRead])
def list_contacts(
    request: Request,
    caller: ApiViewer,
    db: DbSession,
    paging: Paging,
    email: str | None = None,
    external_id: str | None = None,
    language: str | None = None,
    q: Annotated[str | None, Query(description="Text in the name, email or external id.")] = None,
) -> Page[ContactRead]:
    """Lists contacts, newest first. Filter attributes with `attr.<name>=<value>` (equality)."""
    attributes = {
        key[5:]: value
        for key, value in request.query_params.multi_items()
        if key.startswith("attr.")
    }
    filters = ContactFilter(
        email=email, external_id=external_id, language=language, q=q, attributes=attributes
    )
    items, total = service.list_contacts(
        db, caller.workspace_id, filters, limit=paging.limit, offset=paging.offset
    )
    return Page(
        items=[ContactRead.model_validate(c) for c in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("/contacts", response_model=ContactRead, status_code=201)
def create_contact(body: ContactCreate, caller: ApiAnalyst, db: DbSession) -> ContactRead:
    contact = service.create_contact(db, caller.workspace_id, **body.model_dump())
    db.commit()
    return ContactRead.model_validate(contact)


@router.get("/contacts/by-external-id/{external_id}", response_model=ContactRead)
def get_by_external_id(external_id: str, caller: ApiViewer, db: DbSession) -> ContactRead:
    contact = service.find_contact(db, caller.workspace_id, external_id=external_id)
    if contact is None or contact.external_id != external_id:
        raise NotFound(f"contact with external id '{external_id}' does not exist")
    return ContactRead.model_validate(contact)


@router.put("/contacts/by-external-id/{external_id}", response_model=ContactRead)
def upsert_by_external_id(
    external_id: str, body: ContactUpsert, caller: ApiAnalyst, db: DbSession, response: Response
) -> ContactRead:
    """Creates the contact with this external id (201) or updates it (200); attributes merge.

    Without a match on the external id, a contact with the same email and no external id is
    linked to it instead of creating a second one.
    """
    fields = body.model_dump(exclude_unset=True)
    email = fields.pop("email", None)
    contact, created = service.upsert_contact(
        db, caller.workspace_id, external_id=external_id, email=email, **fields
    )
    db.commit()
    response.status_code = 201 if created else 200
    return ContactRead.model_validate(contact)


@router.put("/contacts/by-email/{email}", response_model=ContactRead)
def upsert_by_email(
    email: str, body: ContactUpsert, caller: ApiAnalyst, db: DbSession, response: Response
) -> ContactRead:
    """Creates the contact with this email (201) or updates it (200); attributes merge."""
    fields = body.model_dump(exclude_unset=True)
    fields.pop("email", None)
    contact, created = service.upsert_contact(db, caller.workspace_id, email=email, **fields)
    db.commit()
    response.status_code = 201 if created else 200
    return ContactRead.model_validate(contact)


@router.get("/contacts/{contact_id}", response_model=ContactRead)
def get_contact(contact_id: str, caller: ApiViewer, db: DbSession) -> ContactRead:
    return ContactRead.model_validate(service.get_contact(db, caller.workspace_id, contact_id))


@router.patch("/contacts/{contact_id}", response_model=ContactRead)
def update_contact(
    contact_id: str, body: ContactUpdate, caller: ApiAnalyst, db: DbSession
) -> ContactRead:
    contact = service.update_contact(
        db, caller.workspace_id, contact_id, **body.model_dump(exclude_unset=True)
    )
    db.commit()
    return ContactRead.model_validate(contact)


@router.delete("/contacts/{contact_id}", status_code=204)
def delete_contact(contact_id: str, caller: ApiAnalyst, db: DbSession) -> Response:
    service.delete_contact(db, caller.workspace_id, contact_id)
    db.commit()
    return Response(status_code=204)
