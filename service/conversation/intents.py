"""What an inbound text means: a pure parser from the raw body to an Intent.

Most inbound texts are ordinary replies to a prompt, so the parser is conservative: a keyword
counts only when it stands alone (or with its argument and a "please"). The carrier keywords
follow the contract to the letter and are never matched fuzzily; subscriber commands tolerate one
typo in words of five letters or more.

Decisions a reader may look for:
- CONFIRM: YES, Y, YEP, YEAH, YEA, YUP (alone, or with "please"). "ok" and "sure" are not
  consent: a pending number must say yes.
- TIME with a bare hour (no am/pm) reads 1-8 as pm and 9-11 as am, so the time lands inside the
  default 08:00-21:00 send window (8 is read as 8pm: evenings are when couples are together).
  A two-digit hour with a leading zero ("08:30") or 0, 12-23 is a 24-hour clock.
  MORNING is 08:30, EVENING 19:00, NOON 12:00 ("time lunch" is 12:00 too, but "lunch" alone is
  an ordinary reply).
- PAUSE alone is a week; 1-90 days are accepted; 0 or more than 90 days is UNCLEAR_COMMAND (a
  reply can then explain the limit, which a silent clamp could not).
- LOVE alone is a MESSAGE: "Love ❤️" is a common reply, not a command attempt.
- A command word followed by ordinary language ("time flies", "love you", "name it") is a
  MESSAGE; one followed by something else that doesn't parse is UNCLEAR_COMMAND when the whole
  text has at most three words ("time banana"), and a MESSAGE when longer.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from service.conversation.vocabulary import Vocabulary, without_accents


class IntentKind(StrEnum):
    OPT_IN = "opt_in"
    CONFIRM = "confirm"
    OPT_OUT = "opt_out"
    HELP = "help"
    WINS = "wins"
    MENU = "menu"
    PAUSE = "pause"
    RESUME = "resume"
    TIME = "time"
    MORE = "more"
    LESS = "less"
    NEW = "new"
    NAME = "name"
    LOVE = "love"
    SKIP = "skip"
    ZONE = "zone"
    LANGUAGE = "language"
    PAIR = "pair"
    DATE = "date"  # the member's anniversary
    UNPAIR = "unpair"
    UNCLEAR_COMMAND = "unclear_command"
    MESSAGE = "message"


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    keyword: str | None = None  # the command word matched (typo corrected); None for free text
    free_text_opt_out: bool = False  # OPT_OUT recognised from a sentence, not a lone keyword
    days: int | None = None
    time_of_day: datetime.time | None = None
    name: str | None = None
    love_language: str | None = None  # one of LOVE_LANGUAGES
    command: str | None = None  # for UNCLEAR_COMMAND: "time", "pause", "love" or "name"
    place: str | None = None  # for ZONE: the place as written
    code: str | None = None  # for PAIR, and JOIN with a partner's code: as written
    anniversary: tuple[int, int] | None = None  # for DATE: (month, day)
    # The language the text was in, when its words say so (UNIRME, SI, AYUDA are Spanish; for
    # LANGUAGE, the language asked for); None when the words are the same in both.
    language: str | None = None


OPT_OUT_KEYWORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
)
OPT_IN_KEYWORDS = frozenset({"join", "start", "subscribe", "unstop"})
LOVE_LANGUAGES = ("words", "time", "touch", "acts", "gifts")
MAX_PAUSE_DAYS = 90
DEFAULT_PAUSE_DAYS = 7
MAX_NAME_LENGTH = 20

# --- normalizing ------------------------------------------------------------------------------

# Phones type curly apostrophes ("don’t"); NFKC leaves them alone, so map them by hand.
_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'"})
# Invisible characters that only say how to draw the text (variation selectors follow emoji).
_INVISIBLE = dict.fromkeys([0x200B, 0x2060, 0xFEFF, *range(0xFE00, 0xFE10)])


@functools.lru_cache(maxsize=256)  # the intent, the safety net and the tone all read one text
def normalize(text: str) -> str:
    """NFKC, case-folded, trimmed of surrounding spaces, punctuation and emoji, single-spaced."""
    folded = unicodedata.normalize("NFKC", text.translate(_APOSTROPHES)).casefold()
    folded = unicodedata.normalize("NFKC", folded).translate(_INVISIBLE)
    start = next((i for i, char in enumerate(folded) if _is_letter_or_digit(char)), None)
    if start is None:
        return ""
    end = 1 + next(i for i in range(len(folded) - 1, -1, -1) if _is_letter_or_digit(folded[i]))
    # Combining marks belong to the letter before them.
    while end < len(folded) and unicodedata.category(folded[end]).startswith("M"):
        end += 1
    return " ".join(folded[start:end].split())


def _is_letter_or_digit(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def plain_words(normalized: str) -> str:
    """Letters and digits only, apostrophes dropped ("don't" -> "dont"): the form patterns read."""
    return " ".join(re.sub(r"[\W_]+", " ", normalized.replace("'", "")).split())


# --- free-text opt-out ------------------------------------------------------------------------

_POLITE_WORD = r"(?:please|pls|plz|thanks|thank you|thx|ty)"
_ASKING = (
    r"(?:please|pls|plz|kindly|just|hey|ok|okay|so|seriously|omg"
    r"|can you|could you|would you|will you|can u|could u)"
)
_WANTING = (
    r"(?:(?:i|we) )?(?:want to|wanna|would like to|id like to|need to|wish to|let me"
    r"|help me|how do i|how can i|how to|can i|could i)"
)
_TAIL = (
    r"(?: (?:anymore|any more|again|ever again|for good|completely|right now|now|already|asap"
    rf"|immediately|seriously|ok|okay|{_POLITE_WORD}))*"
)
_MESSAGE_NOUN = (
    r"(?:texts?|txts?|texting|messages?|msgs?|messaging|sms|prompts?|nudges?|reminders?"
    r"|notifications?|alerts?|emails?|spam)"
)
_THING = (
    rf"(?:{_MESSAGE_NOUN}|subscription|service|program|programme|list|mailing list|account"
    r"|consent|stuff|things?|everything|all|it|this|that|these|those|them)"
)
_DETERMINER = (
    r"(?:the|these|this|those|that|your|my|all|all the|all these|all your|any"
    r"|of these|of this|of the|of your)"
)
_OBJECT = rf"(?:{_DETERMINER} )?{_THING}"
_ME = r"(?:me|us|my number|this number|my phone|my phone number)"
_SENDING = (
    r"(?:texting|txting|messaging|msging|sending|contacting|emailing|bugging|bothering"
    r"|spamming|calling|getting|receiving)"
)
_SEND = r"(?:text|txt|message|msg|contact|send|email|call|bother|bug|spam|sms)"

_FREE_TEXT_OPT_OUT = re.compile(
    "|".join(
        f"(?:{pattern})"
        for pattern in (
            # stop / quit / end ... : "stop it", "quit texting me", "i want to stop getting these"
            # ("i want to end it" is left alone: it may be about the relationship, or worse)
            rf"(?:{_ASKING} )*(?:(?:{_WANTING} )?(?:stop|stopall|quit)|cease|end|halt)"
            rf"(?: (?:stop|stopall|quit|end))*(?: {_SENDING})?(?: {_ME})?(?: {_OBJECT})?{_TAIL}",
            # unsubscribe / cancel ... : "unsubscribe me", "cancel my subscription", "opt out"
            rf"(?:{_ASKING} )*(?:{_WANTING} )?(?:unsubscribe|unsub|cancel|revoke|optout|opt out"
            rf"|deregister|unregister|unenroll)(?: {_ME}| {_OBJECT})?"
            rf"(?: from (?:{_DETERMINER} )?{_THING})?{_TAIL}",
            # "opt me out"
            rf"(?:{_ASKING} )*(?:{_WANTING} )?opt {_ME} out(?: of (?:{_DETERMINER} )?{_THING})?"
            rf"{_TAIL}",
            # "remove me (from this list)", "take me off your list"
            rf"(?:{_ASKING} )*(?:{_WANTING} )?(?:(?:remove|delete|drop|unsubscribe) {_ME}"
            rf"(?: (?:from|off|out of) (?:{_DETERMINER} )?{_THING})?"
            rf"|take {_ME} off(?: (?:{_DETERMINER} )?{_THING})?){_TAIL}",
            # "no more texts", "no more of these", "done with these messages"
            rf"(?:{_ASKING} )*(?:no more|no further|no|enough|done with)(?: of)?"
            rf"(?: {_DETERMINER})? (?:{_MESSAGE_NOUN}|these|them){_TAIL}",
            # "dont text me anymore", "don't message me again", "never text me again"
            rf"(?:{_ASKING} )*(?:dont|do not|never|dont ever|do not ever) {_SEND}(?: me| us)?"
            rf"(?: {_OBJECT})?{_TAIL}",
            # "i don't want these texts anymore"
            rf"(?:i )?(?:dont|do not|no longer) want(?: to (?:receive|get))?(?: any)?(?: more)?"
            rf"(?: {_DETERMINER})? {_MESSAGE_NOUN}{_TAIL}",
            rf"(?:{_ASKING} )*(?:just )?leave (?:me|us) alone{_TAIL}",
        )
    )
)


def _is_free_text_opt_out(plain: str) -> bool:
    return _FREE_TEXT_OPT_OUT.fullmatch(plain) is not None


# --- subscriber commands ----------------------------------------------------------------------

_MESSAGE_WORDS = frozenset({"texts", "prompts", "messages", "nudges"})

# Command words without an argument, and what may follow them besides politeness.
_STANDALONE: dict[str, tuple[IntentKind, frozenset[str]]] = {
    **dict.fromkeys(
        ("yes", "y", "yep", "yeah", "yea", "yup"), (IntentKind.CONFIRM, frozenset({""}))
    ),
    "help": (IntentKind.HELP, frozenset({"", "me"})),
    "info": (IntentKind.HELP, frozenset({""})),
    "wins": (IntentKind.WINS, frozenset({""})),
    "menu": (IntentKind.MENU, frozenset({"", "options"})),
    "commands": (IntentKind.MENU, frozenset({""})),
    **dict.fromkeys(
        ("resume", "unpause"),
        (IntentKind.RESUME, _MESSAGE_WORDS | {"", "again", "the texts", "the prompts"}),
    ),
    "more": (IntentKind.MORE, _MESSAGE_WORDS | {"", "often", "frequently"}),
    **dict.fromkeys(
        ("less", "fewer"), (IntentKind.LESS, _MESSAGE_WORDS | {"", "often", "frequently"})
    ),
    **dict.fromkeys(
        ("new", "another"),
        (IntentKind.NEW, frozenset({"", "one", "prompt", "idea", "nudge", "question"})),
    ),
    "skip": (IntentKind.SKIP, frozenset({"", "it", "this", "this one", "that", "question"})),
}
_NAMED_TIMES = {
    "morning": datetime.time(8, 30),
    "evening": datetime.time(19, 0),
    "noon": datetime.time(12, 0),
}
_TIME_WORDS = {
    **_NAMED_TIMES,
    "mornings": _NAMED_TIMES["morning"],
    "in the morning": _NAMED_TIMES["morning"],
    "evenings": _NAMED_TIMES["evening"],
    "in the evening": _NAMED_TIMES["evening"],
    "lunch": _NAMED_TIMES["noon"],
    "lunchtime": _NAMED_TIMES["noon"],
    "midday": _NAMED_TIMES["noon"],
}
_ARGUMENT_COMMANDS = frozenset({"time", "pause", "name", "love", "date"})
_PAUSE_WITHOUT_DAYS = _MESSAGE_WORDS | {"", "it", "for now", "for a bit", "for a while"}

# Only words of five letters or more are corrected, and only towards these commands.
_TYPO_TARGETS = ("pause", "unpause", "resume", "commands", "another", "morning", "evening")
# Real words one edit away from a target: they mean themselves.
_NOT_TYPOS = frozenset({"cause", "parse", "passe", "presume", "commando", "mourning", "moaning"})

# A command word followed by one of these is ordinary language: "time flies", "love you".
_ORDINARY_FOLLOWERS = frozenset(
    {
        *("is", "was", "are", "were", "be", "been", "am", "has", "had"),
        *("to", "for", "of", "in", "on", "at", "with", "and", "or", "but", "so"),
        *("the", "a", "an", "my", "your", "our", "his", "her", "their", "its"),
        *("it", "this", "that", "these", "those", "i", "me", "you", "u", "ya", "yall"),
        *("we", "us", "him", "them", "all", "everything", "lots", "much", "love"),
        *("flies", "flew", "fly", "well", "spent", "together", "out", "off", "alone"),
        *("again", "too", "doing"),
    }
)


MAX_PLACE_LENGTH = 60
_ZONE_COMMAND = re.compile(r"(?:zone|zona|time ?zone|tz|zona horaria|huso horario)\b[\s:=,-]*")


_ENGLISH_WORDS = frozenset({"english", "ingles", "in english"})


_PAIR_COMMAND = re.compile(
    r"(?:pair|emparejar|vincular)(?:(?: with)?(?: code)?[\s:#-]+(?P<code>.+))?"
)
_UNPAIR_COMMAND = re.compile(r"(?:unpair|desemparejar|desvincular)")
_JOIN_WITH_CODE = re.compile(r"(?P<join>[a-z]+)[\s:#-]+(?P<code>\d{6})")


def parse_intent(text: str, vocabularies: Sequence[Vocabulary] = ()) -> Intent:
    """What `text` means; `vocabularies` are the keywords of the languages besides English
    (the catalog's), read as well as English's by everyone."""
    normalized = normalize(text)
    bare = without_accents(normalized)
    plain_bare = plain_words(bare)
    pairing = _PAIR_COMMAND.fullmatch(bare)
    if pairing is not None:
        code = re.sub(r"(?<=\d)[ -](?=\d)", "", (pairing["code"] or "").strip())
        if " " not in code:  # "pair up tonight" is a reply, "PAIR 123 456" a code
            return Intent(IntentKind.PAIR, keyword="pair", code=code or None)
    if _UNPAIR_COMMAND.fullmatch(bare):
        return Intent(IntentKind.UNPAIR, keyword="unpair")
    joining = _JOIN_WITH_CODE.fullmatch(bare)
    if joining is not None:
        joined = parse_intent(joining["join"], vocabularies)
        if joined.kind is IntentKind.OPT_IN:
            return replace(joined, code=joining["code"])
    if normalized in OPT_OUT_KEYWORDS:
        return Intent(IntentKind.OPT_OUT, keyword=normalized)
    if normalized in OPT_IN_KEYWORDS:
        return Intent(IntentKind.OPT_IN, keyword=normalized)
    for words in vocabularies:
        if plain_bare in words.opt_out:
            return Intent(IntentKind.OPT_OUT, keyword=plain_bare, language=words.language)
        if plain_bare in words.opt_in:
            return Intent(IntentKind.OPT_IN, keyword=plain_bare, language=words.language)
    if _is_free_text_opt_out(plain_words(normalized)):
        return Intent(IntentKind.OPT_OUT, free_text_opt_out=True)
    for words in vocabularies:
        language = words.language
        if words.is_stop_sentence(plain_bare):
            return Intent(IntentKind.OPT_OUT, free_text_opt_out=True, language=language)
        if plain_bare in words.confirm:
            return Intent(IntentKind.CONFIRM, keyword=plain_bare, language=language)
        if plain_bare in words.help:
            return Intent(IntentKind.HELP, keyword=plain_bare, language=language)
        if plain_bare in words.language_words:
            return Intent(IntentKind.LANGUAGE, keyword=plain_bare, language=language)
    if plain_bare in _ENGLISH_WORDS:
        return Intent(IntentKind.LANGUAGE, keyword=plain_bare, language="en")
    zone = _ZONE_COMMAND.match(normalized)
    if zone is not None:
        place = normalized[zone.end() :].strip()
        too_long = len(place) > MAX_PLACE_LENGTH
        return Intent(IntentKind.ZONE, keyword="zone", place=None if too_long else place)
    for words in vocabularies:
        said_in_english = words.in_english(bare)
        if said_in_english is None:
            continue
        if said_in_english.startswith("name"):  # a name keeps its accents: "NOMBRE José"
            said_in_english = "name " + normalized.partition(" ")[2]
        command = _parse_command(said_in_english, day_first=True)
        if command.kind is not IntentKind.MESSAGE:
            return replace(command, language=words.language)
    return _parse_command(normalized)


def _parse_command(normalized: str, day_first: bool = False) -> Intent:
    """A subscriber command, or an ordinary MESSAGE. `day_first`: a numeric date such as 4/6
    is the 4th of June (as in Spanish), not April 6th."""
    normalized = re.sub(r"^(?:please|pls|plz|kindly)\b[\s,]*", "", normalized)
    head = re.match(r"[^\W\d_]+", normalized)
    if head is None:
        return Intent(IntentKind.MESSAGE)
    word = _correct_typo(head.group())
    rest = normalized[head.end() :].lstrip(" :=-,")
    return (
        _parse_standalone(word, plain_words(rest))
        or _parse_argument_command(word, rest, normalized, day_first)
        or _parse_sentence_forms(normalized)
        or Intent(IntentKind.MESSAGE)
    )


def _correct_typo(word: str) -> str:
    if len(word) < 5 or word in _NOT_TYPOS or word in _TYPO_TARGETS:
        return word
    close = [target for target in _TYPO_TARGETS if _within_one_edit(word, target)]
    return close[0] if len(close) == 1 else word


def _within_one_edit(typed: str, target: str) -> bool:
    """Damerau-Levenshtein distance <= 1: one insertion, deletion, substitution or swap."""
    if abs(len(typed) - len(target)) > 1:
        return False
    prefix = 0
    while prefix < min(len(typed), len(target)) and typed[prefix] == target[prefix]:
        prefix += 1
    typed_rest, target_rest = typed[prefix:], target[prefix:]
    return (
        typed_rest[1:] == target_rest[1:]  # substitution (or equal)
        or typed_rest[1:] == target_rest  # insertion
        or typed_rest == target_rest[1:]  # deletion
        or (typed_rest[:2] == target_rest[1::-1] and typed_rest[2:] == target_rest[2:])
    )


def _without_politeness(plain: str) -> str:
    return re.sub(rf"(?:^| )(?:{_POLITE_WORD}|now)$", "", plain).strip()


def _parse_standalone(word: str, rest: str) -> Intent | None:
    tails = {rest, _without_politeness(rest)}  # both, so "pause for now" keeps its "now"
    if word in _STANDALONE:
        kind, allowed = _STANDALONE[word]
        return Intent(kind, keyword=word) if tails & allowed else None
    if word in _NAMED_TIMES and "" in tails:
        return Intent(IntentKind.TIME, keyword=word, time_of_day=_NAMED_TIMES[word])
    if word == "pause" and tails & _PAUSE_WITHOUT_DAYS:
        return Intent(IntentKind.PAUSE, keyword=word, days=DEFAULT_PAUSE_DAYS)
    return None


def _parse_argument_command(
    word: str, rest: str, normalized: str, day_first: bool = False
) -> Intent | None:
    if word not in _ARGUMENT_COMMANDS:
        return None
    if word == "date":
        return _parse_date(rest, day_first)
    parsed = {
        "time": _parse_time,
        "pause": _parse_pause,
        "name": _parse_name,
        "love": _parse_love,
    }[word](rest)
    if parsed is not None:
        return parsed
    rest_words = plain_words(rest).split()
    if not rest_words:
        return None if word == "love" else _unclear(word)
    if rest_words[0] in _ORDINARY_FOLLOWERS or len(plain_words(normalized).split()) > 3:
        return None
    return _unclear(word)


def _unclear(command: str) -> Intent:
    return Intent(IntentKind.UNCLEAR_COMMAND, keyword=command, command=command)


# --- TIME -------------------------------------------------------------------------------------

_CLOCK = re.compile(
    r"(?:(?:at|is|@) ?)?(?P<hour>\d{1,2})(?:[:.h]?(?P<minute>\d{2}))?"
    r" ?(?P<meridiem>[ap](?:\.? ?m)?\.?)?(?: ?o'?clock)?"
)


def _parse_time(rest: str) -> Intent | None:
    plain = _without_politeness(plain_words(rest))
    named = _TIME_WORDS.get(re.sub(r"^(?:at|is) ", "", plain))
    if named is not None:
        return Intent(IntentKind.TIME, keyword="time", time_of_day=named)
    match = _CLOCK.fullmatch(re.sub(r"[\s,]*\b(?:please|pls|plz|thanks|thx)$", "", rest))
    if match is None:
        return None
    time_of_day = _clock_time(match["hour"], match["minute"], match["meridiem"])
    if time_of_day is None:
        return None
    return Intent(IntentKind.TIME, keyword="time", time_of_day=time_of_day)


def _clock_time(
    hour_text: str, minute_text: str | None, meridiem: str | None
) -> datetime.time | None:
    hour, minute = int(hour_text), int(minute_text or 0)
    if minute > 59:
        return None
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    elif hour > 23:
        return None
    elif 1 <= hour <= 8 and not hour_text.startswith("0"):
        hour += 12  # nobody asks for a 3am prompt: a bare 1-8 means the afternoon or evening
    return datetime.time(hour, minute)


# --- DATE -------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, full in enumerate(
        (
            "january", "february", "march", "april", "may", "june", "july",
            "august", "september", "october", "november", "december",
        ),
        start=1,
    )
    for name in (full, full[:3], "sept" if full == "september" else full)
}  # fmt: skip
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_NAMED_DATE = re.compile(
    rf"(?:(?P<month>{_MONTH_NAME}) (?:the )?{_DAY}|(?:the )?{_DAY.replace('day', 'day2')}"
    rf" (?:of )?(?P<month2>{_MONTH_NAME}))(?: (?:of )?\d{{4}})?"
)
_NUMERIC_DATE = re.compile(r"(?P<first>\d{1,2})[/.-](?P<second>\d{1,2})(?:[/.-]\d{2,4})?")


def _parse_date(rest: str, day_first: bool) -> Intent | None:
    """DATE June 14, DATE 14th of June, DATE 6/14 (14/6 when `day_first`); a year is
    ignored. DATE alone, or with something date-like that is no date, is UNCLEAR_COMMAND;
    "date night was fun" is an ordinary reply."""
    plain = _without_politeness(plain_words(rest.replace(",", " ")))
    compact = re.sub(r"\s+", "", rest.strip(" .!"))
    month = day = None
    if (named := _NAMED_DATE.fullmatch(plain)) is not None:
        month = _MONTHS[named["month"] or named["month2"]]
        day = int(named["day"] or named["day2"])
    elif (numeric := _NUMERIC_DATE.fullmatch(compact)) is not None:
        first, second = int(numeric["first"]), int(numeric["second"])
        month, day = (
            (second, first) if (day_first or first > 12) and second <= 12 else (first, second)
        )
    if month is not None and day is not None and _is_calendar_day(month, day):
        return Intent(IntentKind.DATE, keyword="date", anniversary=(month, day))
    date_like = not plain or re.search(rf"\d|\b(?:{_MONTH_NAME})\b", plain)
    return _unclear("date") if date_like else None


def _is_calendar_day(month: int, day: int) -> bool:
    try:
        datetime.date(2000, month, day)  # a leap year, so February 29 is a date
    except ValueError:
        return False
    return True


# --- PAUSE ------------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "couple": 2, "a couple": 2,
    "a couple of": 2, "couple of": 2,
}  # fmt: skip
_ARTICLES = frozenset({"a", "an", "couple", "a couple", "a couple of", "couple of"})
_UNIT_DAYS = {
    **dict.fromkeys(("d", "day", "days"), 1),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7),
    **dict.fromkeys(("mo", "month", "months"), 30),
}
_PAUSE_LENGTH = re.compile(
    rf"(?:for )?(?P<count>\d{{1,4}}|{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})?"
    rf" ?(?P<unit>{'|'.join(_UNIT_DAYS)})?"
)


def _parse_pause(rest: str) -> Intent | None:
    plain = _without_politeness(plain_words(rest))
    match = _PAUSE_LENGTH.fullmatch(plain)
    if match is None or not (match["count"] or match["unit"]):
        return None
    if not match["unit"] and match["count"] in _ARTICLES:
        return None  # "pause a couple" says too little
    count_text = match["count"] or "1"
    count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS[count_text]
    days = count * _UNIT_DAYS[match["unit"] or "d"]
    if not 1 <= days <= MAX_PAUSE_DAYS:
        return None
    return Intent(IntentKind.PAUSE, keyword="pause", days=days)


# --- NAME -------------------------------------------------------------------------------------

_NAME_WORD = r"[^\W\d_]+(?:['-][^\W\d_]+)*"
_NOT_NAMES = _ORDINARY_FOLLOWERS | {"please", "pls", "plz", "thanks", "thx", "ty", "now"}
_NAME_ARGUMENT = re.compile(rf"(?:(?:is|=) |'s )?(?P<first>{_NAME_WORD})(?: {_NAME_WORD})?")
_PARTNER = (
    r"(?:partner|wife|husband|boyfriend|girlfriend|spouse|fiance|fiancee|fiancé|fiancée|bf|gf"
    r"|hubby|wifey|other half)"
)
_PARTNER_NAME_SENTENCE = re.compile(
    rf"(?:(?:my|our) )?{_PARTNER}(?:'?s)? name(?:'s| is|:)? ?(?P<rest>.+)"
    r"|(?:his|her|their) name(?:'s| is|:) ?(?P<pronoun_rest>.+)"
)


def _parse_name(rest: str) -> Intent | None:
    match = _NAME_ARGUMENT.fullmatch(rest)
    if match is None:
        return None
    first = match["first"]
    if len(first) > MAX_NAME_LENGTH or first in _NOT_NAMES:
        return None
    return Intent(IntentKind.NAME, keyword="name", name=first.title())


# --- LOVE -------------------------------------------------------------------------------------

_LOVE_LANGUAGE_PHRASES = {
    **dict.fromkeys(
        (
            "words", "word", "words of affirmation", "word of affirmation",
            "words of affirmations", "affirmation", "affirmations", "kind words",
        ),
        "words",
    ),
    **dict.fromkeys(("time", "quality time", "time together", "qt"), "time"),
    **dict.fromkeys(("touch", "physical touch", "physical", "touching"), "touch"),
    **dict.fromkeys(
        ("acts", "act", "acts of service", "act of service", "acts of services", "service"),
        "acts",
    ),
    **dict.fromkeys(
        (
            "gifts", "gift", "receiving gifts", "gift giving", "giving gifts", "presents",
            "gifting",
        ),
        "gifts",
    ),
}  # fmt: skip
_LOVE_LANGUAGE_SENTENCE = re.compile(r"(?:my|our) love (?P<rest>(?:language|lang)s? .+)")


def _parse_love(rest: str) -> Intent | None:
    plain = _without_politeness(plain_words(rest))
    plain = re.sub(r"^(?:language|lang)s?(?: (?:is|are))? ?", "", plain)
    language = _LOVE_LANGUAGE_PHRASES.get(plain)
    if language is None:
        return None
    return Intent(IntentKind.LOVE, keyword="love", love_language=language)


def _parse_sentence_forms(normalized: str) -> Intent | None:
    """Sentences that carry a setting: "my partner's name is Sam", "my love language is touch"."""
    partner = _PARTNER_NAME_SENTENCE.fullmatch(normalized)
    if partner is not None:
        return _parse_name(partner["rest"] or partner["pronoun_rest"])
    love = _LOVE_LANGUAGE_SENTENCE.fullmatch(normalized)
    if love is not None:
        return _parse_love(love["rest"])
    return None
