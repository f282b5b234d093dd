"""The web app and REST API (FastAPI): public map, planner's map, public and internal API."""

from sentinelle.web.app import create_app

__all__ = ["create_app"]
