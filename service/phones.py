"""Phone numbers: E.164 normalisation and the timezone a number suggests."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezones


class InvalidPhoneNumber(ValueError):
    """The text is not a phone number we can text."""


@functools.lru_cache(maxsize=4096)  # parsing costs ~50 us, on every webhook; senders repeat
def normalize_phone(raw: str, default_region: str = "US") -> str:
    """E.164 form of a number, e.g. '+14155550123'; raises InvalidPhoneNumber."""
    try:
        number = phonenumbers.parse(raw.strip(), default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhoneNumber(f"not a possible phone number: {raw!r}")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def zones_for_number(e164: str, default: str) -> tuple[str, ...]:
    """Every timezone the number could be in (a UK mobile: London, Guernsey, Jersey, Isle of
    Man), in phonenumbers' order; the default alone when the number tells nothing."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return (default,)
    zones = []
    for zone in phone_timezones.time_zones_for_number(number):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue  # "Etc/Unknown", or a name this system's tz database lacks
        zones.append(zone)
    return tuple(zones) or (default,)


def country_of(e164: str) -> str | None:
    """The ISO code of the number's country ("US", "GB"), or None when it is not known."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    # A number outside any allocated range still says its country code ("+44" is the UK).
    region = phonenumbers.region_code_for_number(
        number
    ) or phonenumbers.region_code_for_country_code(number.country_code or 0)
    return str(region) if region and region != "ZZ" else None


def mask_phone(e164: str) -> str:
    """Everything but the last four digits hidden, for logs and operator screens."""
    return "*" * max(len(e164) - 4, 0) + e164[-4:]
