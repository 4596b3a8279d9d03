"""Log set-up: one handler for stdlib and structlog logging, phone numbers masked in every line.

Logs are JSON lines in production (the Twilio transport) and readable lines in development
(the console transport), unless LOG_FORMAT says otherwise. Anything that looks like a phone
number is masked to its last four digits before a line is written, whoever logged it.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

from service.phones import mask_phone
from service.settings import Settings, SmsTransportKind

# E.164 numbers, also URL-encoded ("%2B1415..."), as they appear in messages and query strings.
PHONE_PATTERN = re.compile(r"(?:\+|%2[bB])\d{7,15}\b")
HANDLER_NAME = "nudge"
QUIET_LIBRARIES = ("twilio", "httpx", "httpcore")


def mask_phones(text: str) -> str:
    return PHONE_PATTERN.sub(lambda match: mask_phone(match.group()), text)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_phones(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_masked(item) for item in value)
    return value


def mask_phone_numbers(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: every string in the event, the message included, masked."""
    return {key: _masked(value) for key, value in event_dict.items()}


def wants_json(settings: Settings) -> bool:
    if settings.log_format == "auto":
        return settings.transport is SmsTransportKind.TWILIO
    return settings.log_format == "json"


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Route stdlib and structlog logging through one handler on the root logger.

    Calling it again replaces the handler it added before (tests build many apps), and leaves
    other handlers alone.
    """
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if wants_json(settings)
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            mask_phone_numbers,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    # HTTP clients log every request at INFO (costly at volume, and noisy); warnings stay.
    for name in QUIET_LIBRARIES:
        library = logging.getLogger(name)
        if library.level == logging.NOTSET:
            library.setLevel(logging.WARNING)
    return handler
