"""REST API of the widget settings (admin): the embed snippet, allowed origins, key rotation."""

from __future__ import annotations

from fastapi import APIRouter

from cxloop.core.deps import ApiAdmin, AppSettings, DbSession
from cxloop.widget import service
from cxloop.widget.schemas import OriginsWrite, WidgetRead

router = APIRouter(tags=["widget"])


@router.get("/widget", response_model=WidgetRead)
def get_widget(caller: ApiAdmin, db: DbSession, settings: AppSettings) -> WidgetRead:
    """The public widget key, the one-tag embed snippet and the allowed origins."""
    found = service.config(db, caller.workspace_id)
    db.commit()
    return service.read(found, settings)


@router.put("/widget/origins", response_model=WidgetRead)
def set_origins(
    body: OriginsWrite, caller: ApiAdmin, db: DbSession, settings: AppSettings
) -> WidgetRead:
    """Replaces the sites allowed to embed the widget (CORS), e.g. https://shop.example."""
    found = service.set_origins(db, caller.workspace_id, body.allowed_origins)
    db.commit()
    return service.read(found, settings)


@router.post("/widget/rotate-key", response_model=WidgetRead)
def rotate_key(caller: ApiAdmin, db: DbSession, settings: AppSettings) -> WidgetRead:
    """A new public key: pages embedding the old key stop working until updated."""
    found = service.rotate_key(db, caller.workspace_id)
    db.commit()
    return service.read(found, settings)
