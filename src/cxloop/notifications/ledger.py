"""The delivery log, written in its own short transactions beside the job's.

An email or a webhook leaves the building before the job's transaction commits. So the
delivery's state is committed on its own: "sent" right after the server accepted the message,
which makes a rerun of the same job (a worker killed in between, a lost lease) a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cxloop.core.database import utcnow
from cxloop.notifications import repository as repo
from cxloop.notifications.models import WebhookEndpoint

FINAL = ("sent", "failed", "skipped")


@dataclass(frozen=True)
class Started:
    id: str
    status: str
    created_at: datetime
    last_error: str | None

    @property
    def done(self) -> bool:
        return self.status in FINAL


class Ledger:
    """Writes a job's delivery row in transactions of its own (same database as `db`)."""

    def __init__(self, db: Session, job_id: int) -> None:
        self.bind = db.get_bind()
        self.job_id = job_id

    def _session(self) -> Session:
        return Session(self.bind, expire_on_commit=False)

    def start(self, attempt: int, values: dict[str, Any]) -> Started:
        """The job's delivery (stored now if the job was queued without one), with this
        attempt counted unless the delivery is already final."""
        with self._session() as s:
            row = repo.delivery_of_job(s, self.job_id)
            if row is None:
                repo.insert_delivery(s, {**values, "job_id": self.job_id, "status": "queued"})
                s.commit()
                row = repo.delivery_of_job(s, self.job_id)
                assert row is not None
            if row.status not in FINAL:
                for key in ("target", "endpoint_id", "subject"):  # may have changed since
                    if values.get(key) is not None:
                        setattr(row, key, values[key])
                row.attempts = max(row.attempts, attempt)
                row.updated_at = utcnow()
                s.commit()
            return Started(row.id, row.status, row.created_at, row.last_error)

    def finish(
        self,
        status: str,
        error: str | None = None,
        *,
        response_status: int | None = None,
        message_id: str | None = None,
        deactivate: WebhookEndpoint | None = None,
    ) -> None:
        """Records the outcome of this attempt (committed at once)."""
        now = utcnow()
        with self._session() as s:
            row = repo.delivery_of_job(s, self.job_id)
            if row is None:
                return
            row.status = status
            row.last_error = error[:2000] if error else None
            row.updated_at = now
            if response_status is not None:
                row.response_status = response_status
            if message_id is not None:
                row.message_id = message_id
            if status == "sent":
                row.sent_at = now
            if deactivate is not None:
                endpoint = s.get(WebhookEndpoint, deactivate.id)
                if endpoint is not None:
                    endpoint.active = False
                    endpoint.deactivated_reason = error
            s.commit()
