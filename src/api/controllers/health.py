"""Liveness and readiness for the operator and the load balancer."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from litestar import Request, get
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy.ext.asyncio import async_sessionmaker


@get("/health", tags=["Betrieb"], summary="Prozess läuft", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", tags=["Betrieb"], summary="Datenbank erreichbar")
async def ready(request: Request[Any, Any, Any]) -> dict[str, str]:
    factory: async_sessionmaker[Any] = request.app.state.session_factory
    try:
        async with asyncio.timeout(2):
            async with factory() as session:
                await session.execute(sa.text("SELECT 1"))
    except Exception as exc:
        raise ProblemDetailsException(
            detail="Die Datenbank ist nicht erreichbar.",
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            title="Nicht bereit",
            extra={"code": "unavailable"},
        ) from exc
    return {"status": "ready"}
