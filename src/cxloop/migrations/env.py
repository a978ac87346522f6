"""Alembic environment: the URL comes from the caller or from CXLOOP_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from cxloop.core import models_registry  # noqa: F401  (registers every table)
from cxloop.core.database import Base, make_engine
from cxloop.core.settings import Settings

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or Settings().sqlalchemy_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


run_migrations_online()
