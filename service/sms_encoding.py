"""How a text is encoded as SMS and how many segments (billable parts) it takes.

Pure functions, no I/O. Rules follow GSM 03.38 / 3GPP TS 23.038 and the usual
concatenated-SMS limits:

* GSM-7: 160 septets in a single message, 153 per segment once the text is split
  (the user data header takes the rest). Characters from the extension table are sent
  as an escape plus the character, so they cost 2 septets, and the pair is never split
  across two segments.
* UCS-2 (used as soon as one character is outside GSM-7): 70 UTF-16 code units in a
  single message, 67 per segment once split. Characters outside the Basic Multilingual
  Plane (most emoji) take a surrogate pair of 2 code units, which is never split.

The empty text is reported as 1 GSM-7 segment of 0 units: sending it still costs a
message, and it contains nothing that forces UCS-2.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True)
class SegmentInfo:
    """units: septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2."""

    encoding: Encoding
    units: int
    segments: int


# GSM 03.38 default alphabet, in code order 0x00-0x7F. The escape code 0x1B is left
# out on purpose: it is not a character a text can contain.
GSM7_BASIC_CHARACTERS: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Reached through the escape code, so each costs 2 septets.
GSM7_EXTENSION_CHARACTERS: Final = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE_SEGMENT_UNITS: Final = 160
GSM7_MULTIPART_SEGMENT_UNITS: Final = 153
UCS2_SINGLE_SEGMENT_UNITS: Final = 70
UCS2_MULTIPART_SEGMENT_UNITS: Final = 67


def _is_gsm7_character(character: str) -> bool:
    return character in GSM7_BASIC_CHARACTERS or character in GSM7_EXTENSION_CHARACTERS


def is_gsm7(text: str) -> bool:
    """True when every character of `text` can be sent in the GSM-7 alphabet."""
    return all(_is_gsm7_character(character) for character in text)


def non_gsm_characters(text: str) -> list[str]:
    """The characters that force UCS-2, each once, in order of first appearance."""
    return list(dict.fromkeys(c for c in text if not _is_gsm7_character(c)))


def _gsm7_septets(character: str) -> int:
    return 2 if character in GSM7_EXTENSION_CHARACTERS else 1


def _utf16_code_units(character: str) -> int:
    return 2 if ord(character) > 0xFFFF else 1


def _count_segments(unit_costs: list[int], single_limit: int, multipart_limit: int) -> int:
    """Segments needed for characters of the given unit costs, never splitting a character."""
    if sum(unit_costs) <= single_limit:
        return 1
    segments = 1
    used_in_segment = 0
    for cost in unit_costs:
        if used_in_segment + cost > multipart_limit:
            segments += 1
            used_in_segment = 0
        used_in_segment += cost
    return segments


def segment_info(text: str) -> SegmentInfo:
    """Encoding, size in units and number of SMS segments needed to send `text`."""
    if is_gsm7(text):
        costs = [_gsm7_septets(character) for character in text]
        segments = _count_segments(costs, GSM7_SINGLE_SEGMENT_UNITS, GSM7_MULTIPART_SEGMENT_UNITS)
        return SegmentInfo(Encoding.GSM7, sum(costs), segments)
    costs = [_utf16_code_units(character) for character in text]
    segments = _count_segments(costs, UCS2_SINGLE_SEGMENT_UNITS, UCS2_MULTIPART_SEGMENT_UNITS)
    return SegmentInfo(Encoding.UCS2, sum(costs), segments)


# Twilio's Smart Encoding: look-alikes of GSM-7 characters that phones and editors type
# (curly quotes, dashes, ellipses, odd spaces), sent as their plain forms so one of them
# does not turn a whole text into UCS-2 at less than half the characters per segment.
_SMART: Final = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u02bc\u00b4\u0060", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2022", "-"),
        "\u2026": "...",
        **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007", " "),
        **dict.fromkeys("\u2008\u2009\u200a\u202f\u205f\u3000", " "),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", ""),
    }
)


def smart_encoded(text: str) -> str:
    """The text as Twilio's Smart Encoding would send it (see _SMART)."""
    return text.translate(_SMART)
