"""Reading a 1-5 answer to the check-in out of a text: pure.

Strict on purpose. The answer is the whole text, give or take a few words around the number
("a 4", "4/5", "I'd say 4", "un cuatro", "4 de 5") and any punctuation or emoji. A number that
is part of a sentence ("2 kids", "I'm 5 min late") is not an answer: such texts go on as any
other text, and storing a number someone did not mean as their closeness would be worse than
missing one.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from service.conversation.intents import normalize
from service.conversation.vocabulary import without_accents

LOWEST: Final = 1
HIGHEST: Final = 5

_NUMBERS: Final = {
    **{str(n): n for n in range(LOWEST, HIGHEST + 1)},
    **{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5},
    **{"uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5},
}
# Words people put before a number they give as a rating, in either language.
_LEAD = (
    r"(?:(?:i'?d|i would) say|i think|i guess|maybe|probably|about|around|honestly|like"
    r"|(?:yo )?diria(?: que)?|creo que|tal vez|quizas|como|mas o menos)"
)
_ARTICLE = r"(?:a|a solid|un|un buen)"
_OUT_OF_FIVE = r"(?:\s*/\s*|\s+(?:out of|of|de|sobre)\s+)(?:5|five|cinco)"
_THANKS = r"(?:thanks|thank you|thx|ty|gracias)"
_SIGNED: Final = re.compile(r"[-+\u2212]\d")  # "-1" is not 1, and "+5" is no rating either
_ANSWER: Final = re.compile(
    rf"(?:{_LEAD}\s+)?(?:{_ARTICLE}\s+)?(?P<number>[a-z0-9]+)(?:{_OUT_OF_FIVE})?"
    rf"(?:\s*,?\s*{_THANKS})?"
)


def parse_score(text: str) -> int | None:
    """The score 1-5 that `text` gives, or None when it is not plainly a rating."""
    if _SIGNED.search(unicodedata.normalize("NFKC", text)):
        return None
    found = _ANSWER.fullmatch(_plain(text))
    if found is None:
        return None
    return _NUMBERS.get(found["number"])


def _plain(text: str) -> str:
    """Case-folded, accents and marks dropped ("4️⃣" is "4"), ends trimmed of punctuation and
    emoji, spaces single."""
    folded = without_accents(normalize(text))
    return "".join(char for char in folded if not unicodedata.category(char).startswith("M"))
