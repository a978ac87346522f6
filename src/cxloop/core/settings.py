"""Settings from the environment (prefix ``CXLOOP_``); secrets have no production defaults."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CXLOOP_", extra="ignore")

    env: Literal["development", "production"] = Field(
        "development", description="`production` refuses to start without explicit secrets."
    )
    data_dir: Path = Field(
        Path("data"), description="Folder for the SQLite file and local secrets."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: a SQLite file (WAL) in the data folder."
    )
    secret_key: str | None = Field(
        None,
        description="Signs session cookies and survey links. Required in production; "
        "in development a random key is kept in the data folder.",
    )
    base_url: str = Field("http://127.0.0.1:8000", description="Public address used in links.")
    host: str = Field("127.0.0.1", description="Address `cxloop serve` binds to.")
    port: int = Field(8000, description="Port `cxloop serve` listens on.")
    survey_link_max_age_days: int = Field(
        60, description="How long a personal survey link stays valid."
    )
    session_max_age_hours: int = Field(12, description="How long a login lasts.")
    batch_max_items: int = Field(1000, description="Largest response batch accepted by the API.")
    analytics_engine: Literal["sql", "duckdb", "auto"] = Field(
        "auto",
        description="Where metrics are computed: `sql` (the database), `duckdb` (a columnar "
        "copy kept up to date) or `auto` (DuckDB for workspaces above the threshold).",
    )
    analytics_path: str | None = Field(
        None,
        description="DuckDB file of the columnar copy (`:memory:` keeps it in memory); "
        "default: beside the SQLite file, else `analytics.duckdb` in the data folder.",
    )
    analytics_auto_threshold: int = Field(
        200_000, description="With `auto`, workspaces with more answers than this use DuckDB."
    )
    analytics_verify_seconds: int = Field(
        300,
        description="How often the DuckDB copy compares its row count with the database "
        "(deleted answers are then caught and the copy rebuilt) and re-reads touchpoints and "
        "contact attributes: a contact's changed attributes reach DuckDB-computed metrics "
        "within this time.",
    )
    jobs_embedded: bool = Field(
        True,
        description="Run background jobs in a thread of the web process; set false when "
        "`cxloop worker` processes run them.",
    )
    jobs_poll_seconds: float = Field(0.5, description="How often an idle worker looks for jobs.")
    jobs_lease_seconds: float = Field(
        300, description="How long a worker holds a job before another may take it over."
    )
    jobs_retry_base_seconds: float = Field(
        2, description="First retry delay of a failed job; it doubles per attempt (max 1 h)."
    )
    text_analyser: str = Field(
        "cxloop.text.pipeline:DefaultAnalyser",
        description="Comment analyser as `module:Class` (swap in a bigger model).",
    )
    events_rate_limit: str = Field(
        "600/minute", description="Most events one API key may send (`limits` notation)."
    )
    widget_rate_limit: str = Field(
        "60/minute", description="Most widget requests per widget key and client address."
    )
    rate_limit_storage: str = Field(
        "memory://",
        description="Where rate-limit counters live (`limits` storage URI); the in-memory "
        "default counts per process: use e.g. `redis://host:6379` with several web replicas.",
    )
    smtp_host: str = Field("localhost", description="SMTP server that sends emails.")
    email_outbox: Path | None = Field(
        None,
        description="Development and demo: write emails as .eml files to this folder instead of "
        "sending them (shown at /app/outbox).",
    )
    smtp_port: int = Field(
        25, description="Port of the SMTP server (587 with starttls, 465 with ssl)."
    )
    smtp_security: Literal["none", "starttls", "ssl"] = Field(
        "none",
        description="`none`, `starttls` (upgrade a plain connection) or `ssl` (TLS from the "
        "start).",
    )
    smtp_username: str | None = Field(
        None, description="SMTP login; none: send without logging in."
    )
    smtp_password: str | None = Field(None, description="SMTP password (no default).")
    smtp_from: str = Field(
        "cxloop <no-reply@cxloop.local>", description="Sender of emails (`Name <address>`)."
    )
    smtp_timeout: float = Field(
        20, description="Seconds to wait for the SMTP server before the email is retried later."
    )
    webhook_timeout: float = Field(
        10, description="Seconds to wait for a webhook endpoint before the delivery is retried."
    )
    webhook_private_targets: bool = Field(
        False,
        description="Allow webhooks to loopback, private and link-local addresses (endpoints "
        "on your own network). Off: such deliveries fail and say why (no server-side request "
        "forgery through a workspace's endpoints).",
    )
    sms_gateway_url: str | None = Field(
        None, description="HTTP SMS gateway that receives a POST per message (none: SMS is off)."
    )
    sms_auth_header: str | None = Field(
        None, description="Header sent to the SMS gateway, e.g. `Authorization: Bearer abc`."
    )
    sms_body_template: str = Field(
        '{"to": "{to}", "text": "{text}"}',
        description="SMS gateway body; `{to}` and `{text}` are replaced (JSON-escaped).",
    )

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        if self.env == "production":
            if not self.secret_key or len(self.secret_key) < 32:
                raise ValueError("CXLOOP_SECRET_KEY (32+ characters) is required in production")
            if not self.database_url:
                raise ValueError("CXLOOP_DATABASE_URL is required in production")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{(self.data_dir / 'cxloop.sqlite3').resolve()}"

    @property
    def analytics_location(self) -> str:
        """The DuckDB file (or ``:memory:``) of the analytics copy."""
        if self.analytics_path:
            return self.analytics_path
        url = self.sqlalchemy_url
        if url.startswith("sqlite:///") and not url.endswith(":memory:"):
            return url.removeprefix("sqlite:///") + ".analytics.duckdb"
        return str((self.data_dir / "analytics.duckdb").resolve())

    @cached_property
    def signing_key(self) -> str:
        """The secret key, or (development only) a random one persisted in the data folder."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


def get_settings() -> Settings:
    return Settings()
