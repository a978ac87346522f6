"""The FastAPI application: REST API, public survey pages and the dashboard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from cxloop import routes
from cxloop.core import handlers
from cxloop.core.database import make_engine, make_sessionmaker
from cxloop.core.security import LinkSigner
from cxloop.core.settings import Settings
from cxloop.core.templating import STATIC, make_templates
from cxloop.jobs.worker import embedded_worker


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="cxloop",
        version="0.1.0",
        description="Customer experience management: journeys, surveys, responses, metrics.",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=embedded_worker,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.sqlalchemy_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.templates = make_templates()
    app.state.link_signer = LinkSigner(settings.signing_key)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.signing_key,
        session_cookie="cxloop_session",
        max_age=settings.session_max_age_hours * 3600,
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )

    @app.middleware("http")
    async def _security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    handlers.install(app)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    routes.include_all(app)
    return app
