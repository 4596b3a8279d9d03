"""A small Twilio-compatible HTTP server for tests and benchmarks.

It speaks the slice of the 2010-04-01 REST API that the service uses (create and fetch a
Message) with Twilio's auth, validation, JSON shapes and error bodies, so the real SDK can
talk to it over real HTTP. Failures (status + Twilio error code, optionally delayed) can be
injected per destination number or for every request, from Python or over HTTP:

    POST /_fake/rules           {"to": "+1555...", "status": 429, "code": 20429, "times": 2,
                                 "delay": 0.0}  (one rule; "to" null = every number,
                                 "times" null = always, "status" null = only delay)
                                or {"rules": [rule, ...], "latency": 0.01}
    POST /_fake/reset           forget messages, rules, counters and latency
    GET  /_fake/messages        accepted messages as a JSON list
    GET  /_fake/requests/count  {"count": n}: every Twilio API request, failed ones included
    GET  /_fake/stats           {"requests", "messages", "max_concurrent"}

Run it on its own for benchmarks:

    python -m tests.fake_twilio --port 8099 --account-sid AC... --auth-token ...

State lives in memory and the request handler does no logging: benchmarks push tens of
thousands of messages through it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import email.utils
import functools
import json
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType, TracebackType
from typing import Any, Final, Self

from aiohttp import web
from yarl import URL

from service.sms_encoding import segment_info

API_VERSION: Final = "2010-04-01"
MAX_BODY_CHARACTERS: Final = 1600
# E.164: a plus, then 8 to 15 digits, the first of which (the country code) is never 0.
E164_PATTERN: Final = re.compile(r"\+[1-9][0-9]{7,14}")
STOP_TIMEOUT_SECONDS: Final = 10.0
# How long stop() lets requests that are still sleeping (injected delays) finish.
SHUTDOWN_GRACE_SECONDS: Final = 0.25

_ERROR_MESSAGES: Final[Mapping[int, str]] = {
    20003: "Authenticate",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20503: "Service is unavailable. Please try again",
    21211: "Invalid 'To' Phone Number: {to}",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the "
    "'To' number: {to}.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21612: "The 'To' phone number: {to}, is not currently reachable using the 'From' phone "
    "number via SMS.",
    21614: "'To' number {to} is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}


def twilio_error_message(code: int, *, to: str = "", path: str = "") -> str:
    """Twilio's wording for an error code (a generic sentence for codes it does not know)."""
    template = _ERROR_MESSAGES.get(code)
    if template is None:
        return f"Error {code}"
    return template.format(to=to, path=path)


def twilio_error_body(status: int, code: int, message: str) -> dict[str, Any]:
    """The JSON body Twilio answers errors with."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@dataclass(frozen=True)
class FormProblem:
    status: int
    code: int
    message: str


def validate_message_form(form: Mapping[str, str]) -> FormProblem | None:
    """The first thing Twilio would reject in a create-Message form, or None if it is fine."""
    to = form.get("To", "")
    if not to:
        return FormProblem(400, 21604, twilio_error_message(21604))
    if not (form.get("From") or form.get("MessagingServiceSid")):
        return FormProblem(400, 21603, twilio_error_message(21603))
    body = form.get("Body", "")
    if not body:
        return FormProblem(400, 21602, twilio_error_message(21602))
    if E164_PATTERN.fullmatch(to) is None:
        return FormProblem(400, 21211, twilio_error_message(21211, to=to))
    if len(body) > MAX_BODY_CHARACTERS:
        return FormProblem(400, 21617, twilio_error_message(21617))
    return None


@dataclass(frozen=True)
class FakeMessage:
    """A message the fake accepted."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    received_at: datetime
    # When its request reached the server, before any injected latency or delay (monotonic).
    arrived_at: float = 0.0

    @property
    def status(self) -> str:
        # Twilio says "accepted" while a Messaging Service still has to pick the sender.
        return "queued" if self.from_ else "accepted"

    def as_listing(self) -> dict[str, Any]:
        """The shape GET /_fake/messages lists."""
        return {
            "sid": self.sid,
            "to": self.to,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "body": self.body,
            "status_callback": self.status_callback,
            "received_at": self.received_at.isoformat(),
        }


# Both memoised because benchmarks send many messages per second, mostly with few texts.
@functools.lru_cache(maxsize=4096)
def _segment_count(body: str) -> int:
    return segment_info(body).segments


@functools.lru_cache(maxsize=8)
def _rfc2822_date(epoch_second: int) -> str:
    return email.utils.format_datetime(datetime.fromtimestamp(epoch_second, UTC))


def message_resource(message: FakeMessage) -> dict[str, Any]:
    """The Message resource JSON, as Twilio returns it on create and fetch."""
    uri = f"/{API_VERSION}/Accounts/{message.account_sid}/Messages/{message.sid}"
    created = _rfc2822_date(int(message.received_at.timestamp()))
    return {
        "account_sid": message.account_sid,
        "api_version": API_VERSION,
        "body": message.body,
        "date_created": created,
        "date_sent": None,
        "date_updated": created,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": message.from_,
        "messaging_service_sid": message.messaging_service_sid,
        "num_media": "0",
        "num_segments": str(_segment_count(message.body)),
        "price": None,
        "price_unit": "USD",
        "sid": message.sid,
        "status": message.status,
        "subresource_uris": {
            "media": f"{uri}/Media.json",
            "feedback": f"{uri}/Feedback.json",
        },
        "to": message.to,
        "uri": f"{uri}.json",
    }


@dataclass
class FailureRule:
    """Answer matching requests with `status`/`code` after `delay` seconds.

    to None matches every number; remaining None means always. A status of None (or below
    400) only delays: the request is then handled normally.
    """

    to: str | None
    status: int | None
    code: int
    remaining: int | None
    delay: float


def failure_rule_from_json(data: Any) -> FailureRule:
    """Parse one rule of POST /_fake/rules; ValueError says what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("a rule must be a JSON object")
    to = data.get("to")
    status = data.get("status")
    code = data.get("code", 0)
    times = data.get("times", 1)
    delay = data.get("delay", 0.0)
    if to is not None and not isinstance(to, str):
        raise ValueError("'to' must be a string or null")
    if status is not None and not isinstance(status, int):
        raise ValueError("'status' must be an integer or null")
    if not isinstance(code, int):
        raise ValueError("'code' must be an integer")
    if status is None and "code" in data:
        raise ValueError("a rule with a 'code' needs a 'status'")
    if times is not None and (not isinstance(times, int) or times < 1):
        raise ValueError("'times' must be a positive integer or null")
    if not isinstance(delay, int | float) or delay < 0:
        raise ValueError("'delay' must be a non-negative number")
    return FailureRule(to=to, status=status, code=code, remaining=times, delay=float(delay))


class FakeTwilioState:
    """Messages, rules and counters, shared by the server thread and the Python API."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: dict[str, FakeMessage] = {}
        self._rules: list[FailureRule] = []
        self.latency = 0.0
        self.request_count = 0
        self.in_flight = 0
        self.max_concurrent = 0

    def request_started(self) -> None:
        with self._lock:
            self.request_count += 1
            self.in_flight += 1
            self.max_concurrent = max(self.max_concurrent, self.in_flight)

    def request_finished(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def add_rule(self, rule: FailureRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def take_rule(self, to: str) -> FailureRule | None:
        """The rule for this number (its own rules before catch-all ones), using one turn."""
        with self._lock:
            if not self._rules:
                return None
            rule = next((r for r in self._rules if r.to == to), None)
            if rule is None:
                rule = next((r for r in self._rules if r.to is None), None)
            if rule is None:
                return None
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining == 0:
                    self._rules.remove(rule)
            return rule

    def add_message(self, message: FakeMessage) -> None:
        with self._lock:
            self._messages[message.sid] = message

    def get_message(self, sid: str) -> FakeMessage | None:
        with self._lock:
            return self._messages.get(sid)

    def messages(self) -> list[FakeMessage]:
        with self._lock:
            return list(self._messages.values())

    def message_count(self) -> int:
        with self._lock:
            return len(self._messages)

    def reset(self) -> None:
        with self._lock:
            self._messages.clear()
            self._rules.clear()
            self.latency = 0.0
            self.request_count = 0
            # Requests still being answered keep their place in in_flight.
            self.max_concurrent = self.in_flight


def _json_response(status: int, payload: object) -> web.Response:
    return web.Response(status=status, text=json.dumps(payload), content_type="application/json")


def _error_response(status: int, code: int, message: str) -> web.Response:
    return _json_response(status, twilio_error_body(status, code, message))


def parse_form(raw_form: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body as a dict (the last of repeated fields)."""
    # yarl (an aiohttp dependency) decodes queries in compiled code, about twice as fast as
    # urllib.parse.parse_qsl; encoded=True keeps it from quoting the text a second time.
    return dict(URL.build(query_string=raw_form.decode(), encoded=True).query)


def _new_message_sid() -> str:
    return "SM" + os.urandom(16).hex()


def basic_authorization(username: str, password: str) -> str:
    """An HTTP Basic Authorization header value."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


def _credentials_match(header: str | None, account_sid: str, auth_token: str) -> bool:
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    return decoded == f"{account_sid}:{auth_token}"


def build_app(state: FakeTwilioState, account_sid: str, auth_token: str) -> web.Application:
    """The aiohttp application: Twilio's Messages endpoints plus the /_fake control API."""
    expected_authorization = basic_authorization(account_sid, auth_token)

    def authorized(request: web.Request) -> bool:
        header = request.headers.get("Authorization")
        # The exact header is the common case; decoding handles unusual but valid encodings.
        authenticated = header == expected_authorization or _credentials_match(
            header, account_sid, auth_token
        )
        return authenticated and request.match_info["account_sid"] == account_sid

    async def create_message(request: web.Request) -> web.Response:
        state.request_started()
        arrived_at = time.monotonic()
        try:
            if state.latency > 0:
                await asyncio.sleep(state.latency)
            if not authorized(request):
                return _error_response(401, 20003, twilio_error_message(20003))
            form = parse_form(await request.read())
            to = form.get("To", "")
            rule = state.take_rule(to)
            if rule is not None:
                if rule.delay > 0:
                    await asyncio.sleep(rule.delay)
                if rule.status is not None and rule.status >= 400:
                    explanation = twilio_error_message(rule.code, to=to, path=request.path)
                    return _error_response(rule.status, rule.code, explanation)
            problem = validate_message_form(form)
            if problem is not None:
                return _error_response(problem.status, problem.code, problem.message)
            message = FakeMessage(
                sid=_new_message_sid(),
                account_sid=account_sid,
                to=to,
                from_=form.get("From") or None,
                messaging_service_sid=form.get("MessagingServiceSid") or None,
                body=form["Body"],
                status_callback=form.get("StatusCallback") or None,
                received_at=datetime.now(UTC),
                arrived_at=arrived_at,
            )
            state.add_message(message)
            return _json_response(201, message_resource(message))
        finally:
            state.request_finished()

    async def fetch_message(request: web.Request) -> web.Response:
        state.request_started()
        try:
            if state.latency > 0:
                await asyncio.sleep(state.latency)
            if not authorized(request):
                return _error_response(401, 20003, twilio_error_message(20003))
            message = state.get_message(request.match_info["sid"])
            if message is None:
                return _error_response(404, 20404, twilio_error_message(20404, path=request.path))
            return _json_response(200, message_resource(message))
        finally:
            state.request_finished()

    async def not_found(request: web.Request) -> web.Response:
        return _error_response(404, 20404, twilio_error_message(20404, path=request.path))

    async def add_rules(request: web.Request) -> web.Response:
        try:
            payload = await request.json()
            if not isinstance(payload, dict):
                raise ValueError("expected a JSON object")
            if "rules" in payload or "latency" in payload:
                rules = [failure_rule_from_json(item) for item in payload.get("rules", [])]
                latency = payload.get("latency")
            else:
                rules, latency = [failure_rule_from_json(payload)], None
            if latency is not None and (not isinstance(latency, int | float) or latency < 0):
                raise ValueError("'latency' must be a non-negative number")
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            return _json_response(400, {"error": str(exc)})
        for rule in rules:
            state.add_rule(rule)
        if latency is not None:
            state.latency = float(latency)
        return _json_response(200, {"rules_added": len(rules), "latency": state.latency})

    async def reset(request: web.Request) -> web.Response:
        state.reset()
        return _json_response(200, {"ok": True})

    async def list_messages(request: web.Request) -> web.Response:
        return _json_response(200, [message.as_listing() for message in state.messages()])

    async def request_count(request: web.Request) -> web.Response:
        return _json_response(200, {"count": state.request_count})

    async def stats(request: web.Request) -> web.Response:
        return _json_response(
            200,
            {
                "requests": state.request_count,
                "messages": state.message_count(),
                "max_concurrent": state.max_concurrent,
            },
        )

    app = web.Application()
    accounts = f"/{API_VERSION}/Accounts/{{account_sid}}"
    app.router.add_post(f"{accounts}/Messages.json", create_message)
    app.router.add_get(f"{accounts}/Messages/{{sid}}.json", fetch_message)
    app.router.add_post("/_fake/rules", add_rules)
    app.router.add_post("/_fake/reset", reset)
    app.router.add_get("/_fake/messages", list_messages)
    app.router.add_get("/_fake/requests/count", request_count)
    app.router.add_get("/_fake/stats", stats)
    app.router.add_route("*", "/{tail:.*}", not_found)
    return app


def _new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop  # a uvicorn[standard] dependency; roughly doubles requests per second
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class FakeTwilio:
    """The fake server, run on its own event loop in a background thread.

    with FakeTwilio("AC...", "token") as fake:
        client = tests.twilio_sync_client.make_sync_client("AC...", "token", fake.base_url)
    """

    def __init__(
        self, account_sid: str, auth_token: str, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._state = FakeTwilioState()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None
        self._startup_error: BaseException | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        """Start listening; returns once requests are accepted."""
        if self._thread is not None:
            raise RuntimeError("FakeTwilio is already running")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # Binding here, not in the thread, so "address in use" is raised to the caller.
        sock = socket.create_server((self.host, self._requested_port), family=family, backlog=1024)
        self._port = sock.getsockname()[1]
        ready = threading.Event()
        self._startup_error = None
        self._thread = threading.Thread(
            target=self._run_server, args=(sock, ready), name="fake-twilio", daemon=True
        )
        self._thread.start()
        ready.wait()
        if self._startup_error is not None:
            self._thread.join()
            self._thread = None
            raise RuntimeError("FakeTwilio could not start") from self._startup_error
        return self

    def stop(self) -> None:
        thread, loop, stop_requested = self._thread, self._loop, self._stop_requested
        if thread is None:
            return
        if loop is not None and stop_requested is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stop_requested.set)
        thread.join(STOP_TIMEOUT_SECONDS)
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run_server(self, sock: socket.socket, ready: threading.Event) -> None:
        loop = _new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(sock, ready))
        except BaseException as exc:
            self._startup_error = exc
        finally:
            ready.set()
            loop.close()
            self._loop = None

    async def _serve(self, sock: socket.socket, ready: threading.Event) -> None:
        self._stop_requested = asyncio.Event()
        app = build_app(self._state, self.account_sid, self.auth_token)
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE_SECONDS
        )
        await runner.setup()
        try:
            await web.SockSite(runner, sock, backlog=1024).start()
            ready.set()
            await self._stop_requested.wait()
        finally:
            await runner.cleanup()

    # -- observation -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeTwilio is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    @property
    def messages(self) -> list[FakeMessage]:
        """The accepted messages, oldest first (a copy)."""
        return self._state.messages()

    @property
    def request_count(self) -> int:
        """Twilio API requests received, failed ones included."""
        return self._state.request_count

    @property
    def max_concurrent(self) -> int:
        """The most Twilio API requests ever being answered at the same time."""
        return self._state.max_concurrent

    # -- steering --------------------------------------------------------------------------

    def fail(
        self,
        to: str | None,
        status: int,
        code: int,
        times: int | None = 1,
        delay: float = 0.0,
    ) -> None:
        """Answer requests to `to` (None: any number) with `status` and Twilio error `code`.

        times: how many requests (None: all of them); delay: seconds to wait before answering.
        """
        self._state.add_rule(self._rule(to, status, code, times, delay))

    def delay(self, to: str | None, seconds: float, times: int | None = 1) -> None:
        """Handle requests to `to` normally, but only after `seconds` (a slow Twilio)."""
        self._state.add_rule(self._rule(to, None, 0, times, seconds))

    def set_latency(self, seconds: float) -> None:
        """Wait this long before answering every Twilio API request."""
        if seconds < 0:
            raise ValueError("latency cannot be negative")
        self._state.latency = seconds

    def reset(self) -> None:
        """Forget messages, rules, counters and latency."""
        self._state.reset()

    @staticmethod
    def _rule(
        to: str | None, status: int | None, code: int, times: int | None, delay: float
    ) -> FailureRule:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for always")
        if delay < 0:
            raise ValueError("delay cannot be negative")
        return FailureRule(to=to, status=status, code=code, remaining=times, delay=delay)


def _parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fake_twilio", description="Run a local Twilio-compatible server."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument(
        "--account-sid",
        default=os.environ.get("TWILIO_ACCOUNT_SID"),
        help="default: $TWILIO_ACCOUNT_SID",
    )
    parser.add_argument(
        "--auth-token",
        default=os.environ.get("TWILIO_AUTH_TOKEN"),
        help="default: $TWILIO_AUTH_TOKEN",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    arguments = parser.parse_args(argv)
    if not arguments.account_sid or not arguments.auth_token:
        parser.error("--account-sid and --auth-token are required (or set the env variables)")
    return arguments


@contextlib.contextmanager
def _sigterm_as_keyboard_interrupt() -> Iterator[None]:
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parse_arguments(argv)
    fake = FakeTwilio(arguments.account_sid, arguments.auth_token, arguments.host, arguments.port)
    fake.set_latency(arguments.latency)
    # The signal may land while the address is still being printed: suppress from there on.
    with _sigterm_as_keyboard_interrupt(), fake, contextlib.suppress(KeyboardInterrupt):
        print(fake.base_url, flush=True)
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
