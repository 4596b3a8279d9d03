"""The FastAPI application: routes, the runtime objects, and the in-process scheduler."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI

from service.admin.routes import router as admin_router
from service.catalog import Catalog, load_catalog
from service.conversation.routes import router as inbound_router
from service.dashboard.routes import router as dashboard_router
from service.dashboard.routes import static_files as dashboard_static_files
from service.database import make_engine, transactions_at_once
from service.deps import Runtime
from service.dispatch.routes import router as status_router
from service.dispatch.worker import build_dispatcher, start_scheduler
from service.health import router as health_router
from service.logs import configure_logging
from service.metrics import install_metrics
from service.request_limits import RequestBodyLimit
from service.safety.detection import warm_up
from service.settings import Settings, load_settings
from service.simulator.routes import install_simulator

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def catalog_directory(settings: Settings) -> Path:
    directory = Path(settings.messages_dir)
    if directory.is_absolute() or directory.exists():
        return directory
    return PROJECT_ROOT / directory  # run from elsewhere: the catalog shipped beside the code


def build_runtime(settings: Settings) -> Runtime:
    catalog: Catalog = load_catalog(catalog_directory(settings))
    return Runtime(settings=settings, engine=make_engine(settings.database_url), catalog=catalog)


def freeze_long_lived_objects() -> None:
    """For a server process, once its app is built: what exists now (routes, the catalog,
    SQLAlchemy's metadata) lives as long as the process, so the cyclic collector stops walking
    it. Its full collections otherwise paused requests for tens of milliseconds under load,
    doubling the webhook's p99 (BENCHMARKS.md)."""
    gc.collect()
    gc.freeze()


def app_from_environment() -> FastAPI:
    """The app of one `nudge serve --workers N` process, configured as its parent was."""
    app = create_app(load_settings())
    freeze_long_lived_objects()
    return app


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or build_runtime(settings)
    warm_up()  # the safety rules compile with the app (0.3 s), not while a text waits

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = None
        dispatcher = None
        runtime.answering = anyio.CapacityLimiter(transactions_at_once(runtime.engine))
        if settings.scheduler_enabled:
            dispatcher = build_dispatcher(runtime.engine, settings, runtime.catalog)
            scheduler = start_scheduler(dispatcher)
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            if dispatcher is not None:
                await dispatcher.transport.aclose()

    app = FastAPI(
        title=f"{settings.program_name} nudges",
        description="Small text-message prompts that help couples feel close.",
        lifespan=lifespan,
        docs_url="/docs" if settings.api_docs else None,
        redoc_url="/redoc" if settings.api_docs else None,
    )
    app.state.runtime = runtime
    app.include_router(inbound_router)
    app.include_router(status_router)
    app.include_router(health_router)
    app.include_router(admin_router)
    app.include_router(dashboard_router)
    app.mount("/static", dashboard_static_files(), name="static")
    install_simulator(app, settings)  # only with SMS_TRANSPORT=console
    configure_logging(settings)
    install_metrics(app)  # GET /metrics and webhook timing
    app.add_middleware(RequestBodyLimit)

    return app
