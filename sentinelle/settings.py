"""Settings, read from the environment (prefix ``SENTINELLE_``).

``SENTINELLE_HOME``
    Data folder (database, recordings, generated files). Default ``~/.local/share/sentinelle``.
``SENTINELLE_DATABASE_URL``
    SQLAlchemy URL. Default: ``sqlite:///$SENTINELLE_HOME/sentinelle.db`` (embedded, WAL mode).
    PostgreSQL: ``postgresql+psycopg://user:password@host:5432/dbname``.
``SENTINELLE_SECRET_KEY``
    Server secret (at least 32 characters) from which the keys for camera credentials at rest,
    the audit log's head checkpoint and sessions are derived. Default:
    ``$SENTINELLE_HOME/secret.key``, generated on first use with mode 0600. Losing it makes the
    stored stream credentials unreadable.
``SENTINELLE_AUDIT_RETENTION_DAYS``
    How long audit entries are kept (separate from video retention). Default 1095 (3 years).
``SENTINELLE_SESSION_HOURS`` / ``SENTINELLE_SESSION_IDLE_MINUTES``
    Absolute lifetime of a web session and its idle timeout. Defaults 12 h and 30 min.
``SENTINELLE_COOKIE_SECURE``
    Send the session cookie over HTTPS only (set it behind TLS). Default false.
``SENTINELLE_MODELS_DIR``
    Folder of the model files (YOLOX-Nano, BlazeFace) that ``scripts/setup`` extracts. Default
    ``share/sentinelle/models`` inside the virtualenv (see ``sentinelle.vision.models``).

Settings are built once by the CLI or the web app and passed down; nothing reads the environment
at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    return Path.home() / ".local" / "share" / "sentinelle"


class Settings(BaseSettings):
    """Root settings of a Sentinelle installation."""

    model_config = SettingsConfigDict(env_prefix="SENTINELLE_", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Data folder")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is sentinelle.db in the data folder"
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Server secret; default is secret.key in the data folder"
    )
    audit_retention_days: int = Field(
        default=1095, ge=365, le=3650, description="Audit log retention (separate from video)"
    )
    session_hours: float = Field(default=12, gt=0, le=24, description="Session lifetime")
    session_idle_minutes: float = Field(
        default=30, gt=0, le=24 * 60, description="Session idle timeout"
    )
    cookie_secure: bool = Field(default=False, description="Session cookie over HTTPS only")
    models_dir: Path | None = Field(
        default=None, description="Model files folder; default share/sentinelle/models in the venv"
    )

    @model_validator(mode="after")
    def _fill_database_url(self) -> Settings:
        self.home = self.home.expanduser()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'sentinelle.db'}"
        return self

    @property
    def url(self) -> str:
        assert self.database_url is not None
        return self.database_url

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home
