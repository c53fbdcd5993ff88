"""The Litestar application factory: wires settings, database, auth, pages and the API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import (
    AlembicAsyncConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.auth import AuthMiddleware, RotatingSessionConfig, sweep_sessions_forever
from api.bounds import PathBoundsMiddleware, reject_unknown_query
from api.cli import TueroeffnerCLIPlugin
from api.controllers.cases import CaseApi
from api.controllers.health import health, ready
from api.controllers.households import HouseholdApi
from api.controllers.intake import IntakeApi
from api.controllers.matches import ROUTES as MATCH_API_ROUTES
from api.controllers.proposals import ROUTES as PROPOSAL_API_ROUTES
from api.controllers.rent_limits import RentLimitApi
from api.controllers.vacancies import VacancyApi
from api.errors import exception_handler
from api.headers import security_headers_hook
from api.observability import RequestLogMiddleware, configure_logging
from api.openapi import install as install_truthful_openapi
from api.templating import template_config
from api.views import ROUTES as VIEW_ROUTES
from api.views.matches import ROUTES as MATCH_VIEW_ROUTES
from matching.acceptance.service import AcceptanceService, model_directory
from matching.config import PROJECT_ROOT, Settings, get_settings
from matching.db.engine import make_engine, make_session_factory
from matching.households import name_index
from matching.notifications.settings import SmtpSettings, smtp_configured
from matching.ranking import RankingService
from matching.scheduler.runner import run_forever
from matching.security import crypto
from matching.security.dev_secrets import with_dev_secrets

STATIC_DIR = Path(__file__).resolve().parent / "static"


def _session_store(settings: Settings) -> Store:
    kind = settings.security.session_store
    if kind.startswith("redis://"):
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=kind, namespace="tueroeffner-sessions")
    if kind == "memory":
        return MemoryStore()
    return FileStore(Path(settings.var_dir) / "sessions", create_directories=True)


log = logging.getLogger(__name__)


async def _index_unindexed_names(factory: async_sessionmaker[AsyncSession]) -> None:
    """Names written before the blind index existed (or by an old version) become
    searchable; a no-op query once everything is indexed."""
    try:
        async with factory() as session, session.begin():
            count = await name_index.backfill(session)
    except (SQLAlchemyError, OSError):
        # Not migrated yet (`litestar database upgrade` comes first) or not reachable: the
        # app still starts, /ready reports the database, the next start builds the index.
        log.warning("name index not built: database not migrated or not reachable")
        return
    if count:
        log.info("name index built", extra={"households": count})


def create_app(settings: Settings | None = None) -> Litestar:
    settings = with_dev_secrets(settings or get_settings())
    # uvicorn (``litestar run``) rewrites the client address from X-Forwarded-For for the
    # hosts listed here; it reads the variable after the app is built: only our list counts.
    os.environ["FORWARDED_ALLOW_IPS"] = ",".join(settings.security.trusted_proxies)
    configure_logging()
    crypto.configure(settings.security.encryption_keys)
    # the learned acceptance chance (shown beside the score; missing model: shown as such);
    # a policy weighing it has the ranking ask it for the chances of the passing pairs
    acceptance = AcceptanceService(model_directory(Path(settings.var_dir)))
    # Every policy is validated here: a broken one stops the start, naming the key.
    ranking = RankingService(settings.matching.default_policy, chances=acceptance)
    # Echo stays off whatever the environment says: it would log statement parameters.
    engine = make_engine(replace(settings.database, echo=False))
    session_factory = make_session_factory(engine)
    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_dependency_key="db_session",
        before_send_handler="autocommit_include_redirects",
        alembic_config=AlembicAsyncConfig(
            script_config=str(PROJECT_ROOT / "alembic.ini"),
            script_location=str(PROJECT_ROOT / "migrations"),
            version_table_name="alembic_versions",
        ),
    )
    sec = settings.security
    session_config = RotatingSessionConfig(
        store="sessions",
        key="tueroeffner_session",
        max_age=sec.session_absolute_hours * 3600,
        httponly=True,
        secure=sec.secure_cookies,
        samesite="lax",
        renew_on_access=True,
    )
    csrf = CSRFConfig(
        secret=sec.secret_key,
        cookie_name="tueroeffner_csrf",
        cookie_secure=sec.secure_cookies,
        cookie_samesite="strict",
        header_name="x-csrftoken",
        exclude=["/api/", "/health", "/ready", "/schema"],
    )

    scheduler_stop = asyncio.Event()
    scheduler_tasks: list[asyncio.Task[None]] = []

    session_store = _session_store(settings)

    async def on_startup() -> None:
        await _index_unindexed_names(session_factory)
        if settings.scheduler_enabled:  # deadlines, reminders and the outbox worker
            scheduler_stop.clear()
            scheduler_tasks.append(
                asyncio.create_task(sweep_sessions_forever(session_store, scheduler_stop))
            )
            scheduler_tasks.append(
                asyncio.create_task(
                    run_forever(
                        session_factory,
                        settings.scheduler_interval_seconds,
                        smtp_settings=SmtpSettings() if smtp_configured() else None,
                        settings=settings,
                        stop=scheduler_stop,
                    )
                )
            )

    async def on_shutdown() -> None:
        scheduler_stop.set()
        while scheduler_tasks:
            task = scheduler_tasks.pop()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, timeout=10)
        await engine.dispose()

    app = Litestar(
        route_handlers=[
            health,
            ready,
            HouseholdApi,
            CaseApi,
            VacancyApi,
            IntakeApi,
            RentLimitApi,
            *VIEW_ROUTES,
            *MATCH_API_ROUTES,
            *PROPOSAL_API_ROUTES,
            *MATCH_VIEW_ROUTES,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], include_in_schema=False
            ),
        ],
        plugins=[
            SQLAlchemyPlugin(config=db_config),
            ProblemDetailsPlugin(ProblemDetailsConfig()),
            TueroeffnerCLIPlugin(),
        ],
        middleware=[
            PathBoundsMiddleware(),
            session_config.middleware,
            DefineMiddleware(AuthMiddleware, exclude=["^/static", "^/health$"]),
        ],
        stores={"sessions": session_store},
        csrf_config=csrf,
        template_config=template_config(),
        exception_handlers={Exception: exception_handler, HTTPException: exception_handler},
        before_send=[security_headers_hook(sec.secure_cookies)],
        before_request=reject_unknown_query,
        openapi_config=OpenAPIConfig(
            title="Türöffner API",
            version="1.0.0",
            description="Wohnungsangebote, Haushalte und Vorschläge der Fachstelle Wohin.",
            path="/schema",
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])],
        ),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        state=_state(settings, session_factory),
        debug=False,
        logging_config=None,  # configure_logging: JSON lines, no personal data
    )
    install_truthful_openapi(app)  # problem statuses, bearer scheme, closed request bodies
    app.state.ranking = ranking  # cached snapshots + engine (api.views.matches)
    app.state.acceptance = acceptance
    app.asgi_handler = RequestLogMiddleware(app.asgi_handler)  # also sees 404s and errors
    return app


def _state(settings: Settings, session_factory: Any) -> Any:
    from litestar.datastructures import State

    from matching.security.throttle import DatabaseThrottleStore, LoginThrottle

    return State(
        {
            "settings": settings,
            "session_factory": session_factory,
            "login_throttle": LoginThrottle(DatabaseThrottleStore(session_factory)),
        }
    )
