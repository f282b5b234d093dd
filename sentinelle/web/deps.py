"""Shared dependencies of the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sentinelle.web.view import NetworkView


def get_view(request: Request) -> NetworkView:
    return request.app.state.views.current()


ViewDep = Annotated[NetworkView, Depends(get_view)]
