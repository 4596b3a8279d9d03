"""Browser tests: the real app served by uvicorn, driven by Playwright in Debian's Chromium.

Chromium comes from the distribution (`apt-get install chromium`), installed here when it is
missing; Playwright never downloads a browser. Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from service.app import build_runtime, create_app
from service.migrations.runner import upgrade
from service.settings import Settings, SmsTransportKind

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
ADMIN_TOKEN = "browser-admin-token-" + "z" * 12


def _install_chromium() -> None:
    """Debian's package, as root or through passwordless sudo; never Playwright's download."""
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        result = subprocess.run(
            prefix + command, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            pytest.fail(
                f"Chromium is needed for the browser tests and could not be installed with "
                f"{' '.join(command)!r}: {result.stderr[-2000:]}"
            )


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if shutil.which("apt-get") is None:
            pytest.fail(f"Chromium is missing at {CHROMIUM} and apt-get is not available.")
        _install_chromium()
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is still missing at {CHROMIUM}.")
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """The app on a real port, with the embedded defaults: SQLite and the console transport."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'browser.db'}",
        sms_transport=SmsTransportKind.CONSOLE,
        public_base_url=base_url,
        admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
        scheduler_enabled=False,
        _env_file=None,  # type: ignore[call-arg]
    )
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    config = uvicorn.Config(
        create_app(settings, runtime),
        host="127.0.0.1",
        port=port,
        log_config=None,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    while thread.is_alive() and not ready.wait(0.05):
        if server.started:
            ready.set()
    if not server.started:
        pytest.fail("the app did not start")
    yield base_url
    server.should_exit = True
    thread.join(timeout=10)
    runtime.engine.dispose()


@pytest.fixture(scope="module")  # not session: Playwright's loop must be gone before other tests
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()
