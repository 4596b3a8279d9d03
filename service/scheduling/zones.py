"""Which timezone a subscriber is in: the zones a number could be in, and a place they name.

Pure: a place's text in, an IANA zone name out (or None). Places are matched as people type
them: any case, with or without accents, with one typo or so ("Pert", "denvr").
"""

from __future__ import annotations

import functools
import unicodedata
import zoneinfo
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

# Common abbreviations, each read as the zone most people using it mean.
ABBREVIATIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(("pst", "pdt", "pt", "pacific"), "America/Los_Angeles"),
        **dict.fromkeys(("mst", "mdt", "mt", "mountain"), "America/Denver"),
        **dict.fromkeys(("cst", "cdt", "ct", "central"), "America/Chicago"),
        **dict.fromkeys(("est", "edt", "et", "eastern"), "America/New_York"),
        **dict.fromkeys(("akst", "akdt", "alaska"), "America/Anchorage"),
        **dict.fromkeys(("hst", "hawaii"), "Pacific/Honolulu"),
        **dict.fromkeys(("ast", "adt", "atlantic"), "America/Halifax"),
        **dict.fromkeys(("gmt", "bst", "uk"), "Europe/London"),
        **dict.fromkeys(("cet", "cest"), "Europe/Paris"),
        **dict.fromkeys(("aest", "aedt"), "Australia/Sydney"),
        **dict.fromkeys(("acst", "acdt"), "Australia/Adelaide"),
        "awst": "Australia/Perth",
        **dict.fromkeys(("nzst", "nzdt", "new zealand", "nueva zelanda"), "Pacific/Auckland"),
        "utc": "UTC",
    }
)
# Big places that are not a zone's own city, in English and Spanish.
PLACES: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(
            (
                "seattle", "san francisco", "san diego", "las vegas", "portland", "sacramento",
                "san jose", "oakland", "california", "washington state", "oregon", "nevada",
                "los angeles", "la",
            ),
            "America/Los_Angeles",
        ),
        **dict.fromkeys(
            ("salt lake city", "albuquerque", "colorado", "utah", "new mexico", "el paso"),
            "America/Denver",
        ),
        **dict.fromkeys(
            (
                "dallas", "houston", "austin", "san antonio", "texas", "minneapolis",
                "new orleans", "kansas city", "st louis", "saint louis", "milwaukee",
                "nashville", "memphis", "oklahoma city", "tulsa", "oklahoma", "illinois",
            ),
            "America/Chicago",
        ),
        **dict.fromkeys(
            (
                "new york city", "nyc", "nueva york", "brooklyn", "boston", "philadelphia",
                "washington", "washington dc", "dc", "atlanta", "miami", "orlando", "tampa",
                "charlotte", "baltimore", "pittsburgh", "cleveland", "columbus", "florida",
                "georgia", "ohio", "virginia", "carolina", "new jersey",
            ),
            "America/New_York",
        ),
        **dict.fromkeys(("montreal", "ottawa", "quebec"), "America/Toronto"),
        **dict.fromkeys(("calgary",), "America/Edmonton"),
        **dict.fromkeys(("san juan", "puerto rico"), "America/Puerto_Rico"),
        **dict.fromkeys(
            ("ciudad de mexico", "cdmx", "mexico city", "mexico", "guadalajara", "puebla"),
            "America/Mexico_City",
        ),
        **dict.fromkeys(
            ("manchester", "edinburgh", "glasgow", "cardiff", "belfast", "liverpool",
             "birmingham", "londres", "england", "scotland", "wales", "inglaterra"),
            "Europe/London",
        ),
        **dict.fromkeys(
            ("barcelona", "sevilla", "seville", "valencia", "bilbao", "malaga", "spain",
             "espana"),
            "Europe/Madrid",
        ),
        **dict.fromkeys(("canberra", "newcastle"), "Australia/Sydney"),
        **dict.fromkeys(("gold coast", "queensland"), "Australia/Brisbane"),
        **dict.fromkeys(("wellington", "christchurch", "queenstown"), "Pacific/Auckland"),
        "ny": "America/New_York",
    }
)  # fmt: skip
MATCH_SCORE: Final = 85  # a close enough spelling; below it, the place is unknown
MAX_PLACE_LENGTH: Final = 60


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(letters.replace("_", " ").replace(".", " ").replace(",", " ").split())


@functools.cache
def _names() -> Mapping[str, str]:
    """Every name a place may go by -> its zone: IANA names and their cities, then ours."""
    names: dict[str, str] = {}
    for zone in sorted(zoneinfo.available_timezones()):
        if zone.startswith(("Etc/", "SystemV/", "US/", "posixrules")) or "/" not in zone:
            continue
        names.setdefault(_plain(zone), zone)
        names.setdefault(_plain(zone.rsplit("/", 1)[1]), zone)
    names.update(PLACES)
    names.update(ABBREVIATIONS)
    return MappingProxyType(names)


def resolve_place(place: str | None) -> str | None:
    """The IANA zone for a city, an IANA name or a common abbreviation; None if unknown."""
    if not place or len(place) > MAX_PLACE_LENGTH:
        return None
    wanted = _plain(place)
    if not wanted:
        return None
    names = _names()
    if wanted in names:
        return names[wanted]
    if len(wanted) < 4:
        return None  # too short to guess at: "ab" is no place
    found = process.extractOne(wanted, list(names), scorer=fuzz.ratio, score_cutoff=MATCH_SCORE)
    return names[found[0]] if found else None


def zone_label(zone: str) -> str:
    """How a reply names a zone: its city ("Perth", "New York")."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


# --- sending when a number could be in several zones -------------------------------------


def zones_of(timezone: str, candidate_zones: str | None) -> tuple[ZoneInfo, ...]:
    """Every zone a subscriber could be in: the candidates while unconfirmed, else theirs."""
    names = candidate_zones.split() if candidate_zones else [timezone]
    return tuple(ZoneInfo(name) for name in names)
