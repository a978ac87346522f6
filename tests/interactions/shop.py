"""A workspace with a journey and touchpoints on several channels, built through the services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from cxloop.journeys import service as journeys
from tests.factories import Tenant, make_tenant


@dataclass
class Shop:
    tenant: Tenant
    checkout: str  # touchpoint ids
    support_call: str
    chat: str

    def headers(self) -> dict[str, str]:
        return self.tenant.headers()


def make_shop(db: Session) -> Shop:
    tenant = make_tenant(db)
    ws = tenant.workspace.id
    journey = journeys.create_journey(db, ws, "Online shop", template="purchase")
    _before, during, after = journeys.list_stages(db, ws, journey.id)
    checkout = journeys.create_touchpoint(db, ws, during.id, "Checkout", "web", key="checkout")
    call = journeys.create_touchpoint(db, ws, after.id, "Support call", "phone", key="support-call")
    chat = journeys.create_touchpoint(db, ws, after.id, "Help chat", "chat", key="help-chat")
    db.commit()
    return Shop(tenant=tenant, checkout=checkout.id, support_call=call.id, chat=chat.id)
