"""The `nudge` command line (also `python -m service`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import sys
from pathlib import Path
from typing import Annotated

import typer

from service.settings import ADMIN_TOKEN_MIN_LENGTH, Settings, SettingsError, load_settings

app = typer.Typer(help="Small text-message nudges for couples.", no_args_is_help=True)
catalog_app = typer.Typer(help="The prompt catalog in messages/.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    from service.database import make_engine
    from service.migrations.runner import upgrade

    settings = _settings()
    upgrade(make_engine(settings.database_url))
    typer.echo("Database is up to date.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes. They share the database safely; with SCHEDULER_ENABLED "
            "each one also ticks (safe, but run one `nudge worker` instead).",
        ),
    ] = 1,
) -> None:
    """Serve the web app (and the scheduler when SCHEDULER_ENABLED); migrates first."""
    import uvicorn

    from service.app import build_runtime, create_app, freeze_long_lived_objects
    from service.migrations.runner import upgrade

    settings = _settings()
    if settings.admin_token_is_weak:
        typer.echo(
            f"Warning: ADMIN_TOKEN is shorter than {ADMIN_TOKEN_MIN_LENGTH} characters; anyone "
            "who guesses it reads every subscriber. Use a long random one.",
            err=True,
        )
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    typer.echo(
        f"Serving on http://{host}:{port} (SMS transport: {settings.transport}, "
        f"scheduler: {'on' if settings.scheduler_enabled else 'off'}, processes: {workers})"
    )
    # log_config=None: uvicorn's own lines go through our (masked, JSON in production) logging.
    if workers > 1:
        runtime.engine.dispose()  # each process opens its own connections
        uvicorn.run(
            "service.app:app_from_environment",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            proxy_headers=settings.forwarded_allow_ips is not None,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            log_config=None,
        )
        return
    app = create_app(settings, runtime)
    freeze_long_lived_objects()
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_config=None,
    )


@app.command()
def worker() -> None:
    """Run the scheduler alone, without the web server."""
    from service.app import build_runtime
    from service.dispatch.worker import build_dispatcher, start_scheduler
    from service.logs import configure_logging
    from service.migrations.runner import upgrade

    settings = _settings()
    configure_logging(settings)
    runtime = build_runtime(settings)
    upgrade(runtime.engine)

    async def run() -> None:
        dispatcher = build_dispatcher(runtime.engine, settings, runtime.catalog)
        scheduler = start_scheduler(dispatcher)
        typer.echo("Worker ticking every minute. Ctrl+C to stop.")
        try:
            await asyncio.Event().wait()
        finally:
            scheduler.shutdown(wait=False)
            await dispatcher.transport.aclose()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


def _parse_instant(value: str | None) -> datetime.datetime:
    if value is None:
        return datetime.datetime.now(datetime.UTC)
    try:
        instant = datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO-8601 time: {value!r}") from exc
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=datetime.UTC)  # a bare time is read as UTC
    return instant.astimezone(datetime.UTC)


@app.command()
def tick(
    at: Annotated[
        str | None,
        typer.Option("--at", help="Run as if it were this ISO-8601 time (UTC if no offset)."),
    ] = None,
) -> None:
    """Run one dispatch pass and print how many prompts it sent."""
    from service.app import build_runtime
    from service.dispatch.worker import build_dispatcher
    from service.metrics import timed_tick
    from service.migrations.runner import upgrade

    now = _parse_instant(at)
    settings = _settings()
    if settings.admin_token_is_weak:
        typer.echo(
            f"Warning: ADMIN_TOKEN is shorter than {ADMIN_TOKEN_MIN_LENGTH} characters; anyone "
            "who guesses it reads every subscriber. Use a long random one.",
            err=True,
        )
    runtime = build_runtime(settings)
    upgrade(runtime.engine)

    async def run() -> int:
        dispatcher = build_dispatcher(runtime.engine, settings, runtime.catalog)
        try:
            report = await timed_tick(dispatcher, now)
        finally:
            await dispatcher.transport.aclose()
        return report.sent

    sent = asyncio.run(run())
    typer.echo(f"Sent {sent} prompt{'s' if sent != 1 else ''} as of {now.isoformat()}.")


@catalog_app.command("check")
def catalog_check(
    directory: Annotated[
        Path | None, typer.Argument(help="Catalog folder (default: MESSAGES_DIR, messages/).")
    ] = None,
) -> None:
    """Validate messages/ and print each prompt's encoding and segment count, then each
    language's profile: ideas, forms, depth, time of day, and when an idea first repeats."""
    from service.app import catalog_directory
    from service.catalog import check_catalog, format_report
    from service.catalog.year import profile_lines

    folder = directory or catalog_directory(_settings())
    report = check_catalog(folder)
    for line in format_report(report):
        typer.echo(line)
    if not report.ok or report.catalog is None:
        raise typer.Exit(1)
    for line in profile_lines(report.catalog):
        typer.echo(line)


@app.command()
def text(
    body: Annotated[str, typer.Argument(help="What the phone texts, e.g. JOIN.")],
    sender: Annotated[
        str, typer.Option("--from", help="The texting phone number.")
    ] = "+15555550123",
    url: Annotated[str | None, typer.Option(help="Service URL (default: PUBLIC_BASE_URL).")] = None,
) -> None:
    """Text the running service like a phone would: a webhook signed as Twilio signs it."""
    from service.phone_simulator import send_signed_text

    settings = _settings()
    reply = send_signed_text(settings, sender=sender, body=body, base_url=url)
    typer.echo(reply if reply else "(no reply)")


def main() -> None:
    try:
        app()
    except SettingsError as exc:  # pragma: no cover - surfaced by _settings already
        typer.echo(str(exc), err=True)
        sys.exit(2)
