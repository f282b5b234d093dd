"""Settings, read from the environment (prefix ``SENTINELLE_``).

``SENTINELLE_HOME``
    Data folder (database, recordings, generated files). Default ``~/.local/share/sentinelle``.
``SENTINELLE_DATABASE_URL``
    SQLAlchemy URL. Default: ``sqlite:///$SENTINELLE_HOME/sentinelle.db`` (embedded, WAL mode).
    PostgreSQL: ``postgresql+psycopg://user:password@host:5432/dbname``.

Settings are built once by the CLI or the web app and passed down; nothing reads the environment
at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
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
