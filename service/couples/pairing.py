"""Whether a pairing code may pair two members: a pure decision over what the database says.

A code is six digits, single use, valid for CODE_LIFETIME, and never pairs a member with
themselves, with someone already paired, or with someone who left.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

CODE_LIFETIME: Final = datetime.timedelta(days=7)
# Wrong codes a number may try in FAILURE_PERIOD: enough for typos, hopeless for guessing.
MAX_FAILED_CODES: Final = 5
FAILURE_PERIOD: Final = datetime.timedelta(hours=1)


class CodeCheck(StrEnum):
    VALID = "valid"
    WRONG = "wrong"  # no such code, or not six digits
    USED = "used"
    EXPIRED = "expired"
    OWN = "own"  # the member's own code
    UNAVAILABLE = "unavailable"  # its owner left or is paired already
    THROTTLED = "throttled"  # too many wrong codes from this number lately


@dataclass(frozen=True)
class CodeFacts:
    """What the database holds about a code that was found."""

    owner_id: int
    expires_at: datetime.datetime
    used: bool
    owner_active: bool
    owner_paired: bool


def check_code(
    code: str,
    found: CodeFacts | None,
    claimant_id: int | None,
    recent_failures: int,
    now: datetime.datetime,
) -> CodeCheck:
    if recent_failures >= MAX_FAILED_CODES:
        return CodeCheck.THROTTLED
    if not is_code(code) or found is None:
        return CodeCheck.WRONG
    if claimant_id is not None and found.owner_id == claimant_id:
        return CodeCheck.OWN
    if found.used:
        return CodeCheck.USED
    if now >= found.expires_at:
        return CodeCheck.EXPIRED
    if not found.owner_active or found.owner_paired:
        return CodeCheck.UNAVAILABLE
    return CodeCheck.VALID


def is_code(text: str) -> bool:
    return len(text) == 6 and text.isascii() and text.isdigit()
