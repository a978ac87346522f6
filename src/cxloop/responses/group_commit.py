"""Group commit: concurrent single submissions share one transaction and one commit.

A commit waits for the disk (fsync); on SQLite with synchronous=FULL that is most of the cost
of a small write, and only one writer can commit at a time. Each request validates its
response on the event loop and queues it; one writer at a time takes everything queued,
inserts it in one transaction and commits it in a worker thread, then answers every request
of the group. A response is thus committed before its request is answered. If the shared
insert hits a unique constraint (the same idempotency key twice at the same moment), the
group is stored response by response so that only the repeat fails.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import anyio.to_thread
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cxloop.core.errors import Conflict
from cxloop.responses import service
from cxloop.responses.schemas import ResponseCreate, ResponseRead

MAX_GROUP = 500


@dataclass
class _Writer:
    """The queue of one database on one event loop, and its running flush (if any)."""

    loop: asyncio.AbstractEventLoop
    engine: Engine
    factory: sessionmaker[Session]
    queue: list[tuple[service.Prepared, asyncio.Future[None]]] = field(default_factory=list)
    flushing: asyncio.Task[None] | None = None

    async def store(self, prepared: service.Prepared) -> None:
        """Returns once ``prepared`` is committed; raises what storing it raised."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.queue.append((prepared, done))
        if self.flushing is None:
            self.flushing = asyncio.create_task(self._flush())
        await asyncio.shield(done)  # a client that hangs up does not undo its write

    async def _flush(self) -> None:
        try:
            while self.queue:
                group, self.queue = self.queue[:MAX_GROUP], self.queue[MAX_GROUP:]
                try:
                    errors = await anyio.to_thread.run_sync(
                        _write, self.factory, [p for p, _ in group]
                    )
                except BaseException as exc:
                    errors = [exc] * len(group)
                for (_, done), error in zip(group, errors, strict=True):
                    if done.cancelled():
                        continue
                    if error is None:
                        done.set_result(None)
                    else:
                        done.set_exception(error)
        finally:
            self.flushing = None


def _write(
    factory: sessionmaker[Session], group: list[service.Prepared]
) -> list[BaseException | None]:
    """Stores the group in one transaction; on a unique violation, one by one."""
    with factory() as db, service.write_turn(db):
        try:
            service.store(db, group)
            db.commit()
            return [None] * len(group)
        except IntegrityError:
            db.rollback()
        errors: list[BaseException | None] = []
        for prepared in group:
            try:
                service.store(db, [prepared])
                db.commit()
                errors.append(None)
            except IntegrityError as exc:
                db.rollback()
                errors.append(exc)
        return errors


def _prepare(db: Session, workspace_id: str, data: ResponseCreate) -> service.Prepared:
    try:
        prepared = service.prepare(db, workspace_id, data, source="api", history=True)
    except Conflict:
        # The contact's lookup and its uniqueness checks are separate statements: a concurrent
        # request that committed the same new contact in between makes them fail. It is
        # committed now, so a second try finds it; a real conflict is raised again.
        prepared = service.prepare(db, workspace_id, data, source="api", history=True)
    db.commit()  # a contact created on the way is stored before the response
    return prepared


_WRITERS: dict[tuple[int, int], _Writer] = {}


def _writer(engine: Engine, factory: sessionmaker[Session]) -> _Writer:
    loop = asyncio.get_running_loop()
    key = (id(loop), id(engine))
    found = _WRITERS.get(key)
    if found is None or found.loop is not loop or found.engine is not engine:
        found = _WRITERS[key] = _Writer(loop, engine, factory)
    return found


async def submit_committed(
    db: Session, factory: sessionmaker[Session], workspace_id: str, data: ResponseCreate
) -> ResponseRead:
    """``service.submit`` and a commit, the commit shared with concurrent requests.

    The same idempotency key returns the stored response (duplicate=True), as ``submit`` does;
    the unique constraint catches a repeat, so a first submission costs no extra lookup.
    """
    if data.contact is not None and not data.contact.id:
        # May create the contact: a write, which can wait for SQLite's lock; not on the loop.
        prepared = await anyio.to_thread.run_sync(_prepare, db, workspace_id, data)
    else:
        prepared = _prepare(db, workspace_id, data)
    try:
        await _writer(db.get_bind().engine, factory).store(prepared)
    except IntegrityError:
        stored = service.stored_duplicate(db, workspace_id, prepared.idempotency_key)
        if stored is None:
            raise
        return stored
    return service.read_prepared(prepared)
