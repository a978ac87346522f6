"""The caller and one database session per request, for the ingestion routes.

The API key is checked (one indexed lookup) on the event loop itself: handing such small
queries to a worker thread costs more than running them, and the routes hand their slow part
(the commit, or a whole batch) to a worker thread anyway. Checked before the body is validated,
as with ApiAnalyst: a request without a valid key gets 401 whatever it sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from cxloop.core.deps import Principal, api_principal
from cxloop.core.security import Role

T = TypeVar("T")


@dataclass
class RequestDb:
    """The caller and the request's session."""

    caller: Principal
    session: Session

    async def in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Runs blocking work (e.g. a whole batch) in a worker thread, then closes the session."""
        return await anyio.to_thread.run_sync(_then_close, self.session, fn, args)


def _then_close(session: Session, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    try:
        return fn(*args)
    finally:
        session.close()


async def _analyst_db(request: Request) -> RequestDb:
    """As ApiAnalyst, plus a session for the request; the route closes it.

    A plain (not yield) dependency: cheaper per request. Should the route not run (its body is
    invalid), the session holds no connection by then and is simply dropped.
    """
    session: Session = request.app.state.sessionmaker()
    try:
        caller = api_principal(request, session)
        caller.require(Role.analyst)
        session.commit()  # ends the read transaction: no connection is held while waiting
    except BaseException:
        session.close()
        raise
    return RequestDb(caller, session)


AnalystDb = Annotated[RequestDb, Depends(_analyst_db)]
