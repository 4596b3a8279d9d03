import datetime
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.app import PROJECT_ROOT
from service.catalog import load_catalog
from service.conversation.intents import (
    OPT_IN_KEYWORDS,
    OPT_OUT_KEYWORDS,
    Intent,
    IntentKind,
    normalize,
    parse_intent,
)


def full_width(text: str) -> str:
    """ASCII letters and digits as their full-width forms, as some keyboards send them."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


# --- normalize --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOP", "stop"),
        ("ＳＴＯＰ", "stop"),
        ("STOP!!!", "stop"),
        ("'stop'", "stop"),
        ('"Stop"', "stop"),
        ("stop.", "stop"),
        ("*STOP*", "stop"),
        ("(stop)", "stop"),
        ("🛑 stop 🛑", "stop"),
        ("stop ❤️", "stop"),
        ("  \t stop \n", "stop"),
        ("\u200bstop\ufeff", "stop"),
        ("Time   19:30", "time 19:30"),
        ("I'm  so   happy", "i'm so happy"),
        ("I’m happy", "i'm happy"),
        ("don’t text me", "don't text me"),
        ("Time: 8 PM!", "time: 8 pm"),
        ("time 7 p.m.", "time 7 p.m"),
        ("ＴＩＭＥ　７ｐｍ", "time 7pm"),
        ("Straße", "strasse"),
        ("café!", "café"),
        ("cafe\u0301", "café"),
        ("#1 fan", "1 fan"),
        ("!!!", ""),
        ("", ""),
        ("   ", ""),
        ("🙂", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


@given(st.text())
def test_normalize_leaves_no_surrounding_space_or_double_space(text: str) -> None:
    normalized = normalize(text)
    assert normalized == normalized.strip()
    assert "  " not in normalized


# --- carrier keywords -------------------------------------------------------------------------


def test_carrier_keywords_follow_the_contract() -> None:
    assert {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"} == (
        OPT_OUT_KEYWORDS
    )
    assert {"join", "start", "subscribe", "unstop"} == OPT_IN_KEYWORDS


@pytest.mark.parametrize("keyword", sorted(OPT_OUT_KEYWORDS))
@pytest.mark.parametrize(
    "dress", [str.upper, str.lower, str.title, full_width, lambda k: f" {k.upper()}!!! "]
)
def test_lone_opt_out_keyword_is_an_opt_out(keyword: str, dress: Callable[[str], str]) -> None:
    assert parse_intent(dress(keyword)) == Intent(IntentKind.OPT_OUT, keyword=keyword)


@pytest.mark.parametrize("keyword", sorted(OPT_IN_KEYWORDS))
@pytest.mark.parametrize("dress", [str.upper, str.lower, full_width, lambda k: f"'{k}.'"])
def test_lone_opt_in_keyword_is_an_opt_in(keyword: str, dress: Callable[[str], str]) -> None:
    assert parse_intent(dress(keyword)) == Intent(IntentKind.OPT_IN, keyword=keyword)


@pytest.mark.parametrize(
    "text",
    ["stpo", "stp", "unsubscrib", "unsubcribe", "cancle", "start please", "joining"],
)
def test_carrier_keywords_are_never_guessed_from_typos(text: str) -> None:
    assert parse_intent(text).kind not in (IntentKind.OPT_OUT, IntentKind.OPT_IN)


# --- free-text opt-out ------------------------------------------------------------------------

OPT_OUTS = [
    "please stop texting me",
    "Please stop texting me.",
    "stop it",
    "STOP IT!!",
    "stop please",
    "Stop, please",
    "stop texting",
    "stop messaging me",
    "stop sending me these",
    "stop sending me these texts",
    "just stop",
    "can you stop texting me please",
    "unsubscribe me",
    "Unsubscribe me please",
    "opt out",
    "opt-out",
    "OPT OUT!",
    "opt me out",
    "please opt me out of this",
    "remove me",
    "remove me from this list",
    "remove my number from your list",
    "take me off your list",
    "take me off",
    "no more texts",
    "no more messages",
    "no more texts please",
    "no more of these",
    "dont text me anymore",
    "don't message me again",
    "don’t text me anymore",
    "do not contact me",
    "never text me again",
    "leave me alone",
    "i want to unsubscribe",
    "i would like to opt out",
    "I'd like to unsubscribe",
    "how do i unsubscribe",
    "cancel my subscription",
    "cancel it",
    "end this",
    "quit texting me",
    "stop all texts",
    "stop all",
    "STOP STOP",
    "stop stop stop",
    "stop!!",
    "ｓｔｏｐ ｔｅｘｔｉｎｇ ｍｅ",
    "ＳＴＯＰ ＰＬＥＡＳＥ",
    "🛑 stop texting me 🛑",
    "i don't want these texts anymore",
    "unsubscribe.",
    "revoke consent",
    "i want to stop getting these texts",
    "how do i stop these texts?",
    "help me unsubscribe",
    "we want to unsubscribe",
]


@pytest.mark.parametrize("text", OPT_OUTS)
def test_requests_to_stop_are_opt_outs(text: str) -> None:
    assert parse_intent(text).kind is IntentKind.OPT_OUT


@pytest.mark.parametrize(
    ("text", "free_text"),
    [
        ("stop!!", False),
        ("Unsubscribe.", False),
        ("stop please", True),
        ("STOP STOP", True),
        ("remove me", True),
        ("opt out", True),
    ],
)
def test_opt_out_records_whether_it_came_from_a_sentence(text: str, free_text: bool) -> None:
    intent = parse_intent(text)
    assert intent.kind is IntentKind.OPT_OUT
    assert intent.free_text_opt_out is free_text
    assert (intent.keyword is None) is free_text


NOT_OPT_OUTS = [
    "I can't stop smiling",
    "I can’t stop smiling!",
    "we never cancel date night",
    "stop by the bakery was a hit",
    "she told me to stop worrying",
    "we laughed until we had to stop",
    "no more fighting tonight, we hugged",
    "don't stop the prompts, I love them",
    "i'd hate to unsubscribe, this is great",
    "at the end we held hands",
    "he said quit hogging the blanket",
    "remove the dishes before she gets home - did it!",
    "end of the day hug done",
    "ＩＮ ＴＨＥ ＥＮＤ ＷＥ ＴＡＬＫＥＤ",
    "we couldn't stop laughing.",
    "Stop worrying, she said, and hugged me",
    "the end!! best night",
    "cancel plans and stay in? done",
    "no more secrets between us",
    "she said stop being so sweet",
    "i never want this to end",
    "no more excuses, we went on the walk",
    "time to end the day with a hug",
    "we quit our phones for an hour",
    "stop it you're making me blush",
    "lol we had to stop the movie to talk",
    "I told him to remove his shoes",
    "a day without texts from each other felt long",
    "i want to stop arguing so much",
    "we need to stop fighting about money",
]


@pytest.mark.parametrize("text", NOT_OPT_OUTS)
def test_ordinary_messages_with_stop_words_are_messages(text: str) -> None:
    assert parse_intent(text) == Intent(IntentKind.MESSAGE)


@given(st.lists(st.sampled_from(["smiling", "thinking", "her", "we", "it", "the", "texts"])))
def test_a_sentence_about_not_stopping_is_never_an_opt_out(words: list[str]) -> None:
    assert parse_intent(" ".join(["i can't stop", *words])).kind is not IntentKind.OPT_OUT


# --- subscriber commands ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("YES", Intent(IntentKind.CONFIRM, keyword="yes")),
        ("yes!", Intent(IntentKind.CONFIRM, keyword="yes")),
        ("Yes please", Intent(IntentKind.CONFIRM, keyword="yes")),
        ("y", Intent(IntentKind.CONFIRM, keyword="y")),
        ("Yep", Intent(IntentKind.CONFIRM, keyword="yep")),
        ("yeah", Intent(IntentKind.CONFIRM, keyword="yeah")),
        ("ＹＥＳ", Intent(IntentKind.CONFIRM, keyword="yes")),
        ("HELP", Intent(IntentKind.HELP, keyword="help")),
        ("help?", Intent(IntentKind.HELP, keyword="help")),
        ("help me", Intent(IntentKind.HELP, keyword="help")),
        ("Info", Intent(IntentKind.HELP, keyword="info")),
        ("WINS", Intent(IntentKind.WINS, keyword="wins")),
        ("wins?", Intent(IntentKind.WINS, keyword="wins")),
        ("MENU", Intent(IntentKind.MENU, keyword="menu")),
        ("menu please", Intent(IntentKind.MENU, keyword="menu")),
        ("commands", Intent(IntentKind.MENU, keyword="commands")),
        ("RESUME", Intent(IntentKind.RESUME, keyword="resume")),
        ("unpause", Intent(IntentKind.RESUME, keyword="unpause")),
        ("resume texts please", Intent(IntentKind.RESUME, keyword="resume")),
        ("MORE", Intent(IntentKind.MORE, keyword="more")),
        ("more often", Intent(IntentKind.MORE, keyword="more")),
        ("LESS", Intent(IntentKind.LESS, keyword="less")),
        ("less often please", Intent(IntentKind.LESS, keyword="less")),
        ("fewer texts", Intent(IntentKind.LESS, keyword="fewer")),
        ("NEW", Intent(IntentKind.NEW, keyword="new")),
        ("new prompt", Intent(IntentKind.NEW, keyword="new")),
        ("another", Intent(IntentKind.NEW, keyword="another")),
        ("another one", Intent(IntentKind.NEW, keyword="another")),
        ("SKIP", Intent(IntentKind.SKIP, keyword="skip")),
        ("skip this one", Intent(IntentKind.SKIP, keyword="skip")),
        ("PAUSE", Intent(IntentKind.PAUSE, keyword="pause", days=7)),
        ("pause for now", Intent(IntentKind.PAUSE, keyword="pause", days=7)),
        ("please pause 3 days", Intent(IntentKind.PAUSE, keyword="pause", days=3)),
        ("MORNING", Intent(IntentKind.TIME, keyword="morning", time_of_day=datetime.time(8, 30))),
        ("Evening!", Intent(IntentKind.TIME, keyword="evening", time_of_day=datetime.time(19))),
        ("noon", Intent(IntentKind.TIME, keyword="noon", time_of_day=datetime.time(12))),
        ("TIME 7pm", Intent(IntentKind.TIME, keyword="time", time_of_day=datetime.time(19))),
        ("NAME Sam", Intent(IntentKind.NAME, keyword="name", name="Sam")),
        ("LOVE WORDS", Intent(IntentKind.LOVE, keyword="love", love_language="words")),
    ],
)
def test_commands(text: str, expected: Intent) -> None:
    assert parse_intent(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("puase 3", Intent(IntentKind.PAUSE, keyword="pause", days=3)),
        ("pasue", Intent(IntentKind.PAUSE, keyword="pause", days=7)),
        ("pausee 2 days", Intent(IntentKind.PAUSE, keyword="pause", days=2)),
        ("resme", Intent(IntentKind.RESUME, keyword="resume")),
        ("Resmue", Intent(IntentKind.RESUME, keyword="resume")),
        ("unpase", Intent(IntentKind.RESUME, keyword="unpause")),
        ("comands", Intent(IntentKind.MENU, keyword="commands")),
        ("command", Intent(IntentKind.MENU, keyword="commands")),
        ("anothr", Intent(IntentKind.NEW, keyword="another")),
        ("mornin", Intent(IntentKind.TIME, keyword="morning", time_of_day=datetime.time(8, 30))),
        ("evenign", Intent(IntentKind.TIME, keyword="evening", time_of_day=datetime.time(19))),
    ],
)
def test_subscriber_commands_tolerate_one_typo(text: str, expected: Intent) -> None:
    assert parse_intent(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "same",  # one letter from NAME, but short words are never corrected
        "tame 7pm",
        "mine",
        "lose",
        "cause",
        "parse",
        "presume",
        "mourning",
        "moaning",
        "commando",
        "bunch",
        "lunch",
        "stow",
        "men",
        "love",
        "Love ❤️",
    ],
)
def test_ordinary_words_are_not_turned_into_commands(text: str) -> None:
    assert parse_intent(text) == Intent(IntentKind.MESSAGE)


# --- TIME -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TIME 7pm", datetime.time(19)),
        ("TIME 7 pm", datetime.time(19)),
        ("time 7 p.m.", datetime.time(19)),
        ("time 7p", datetime.time(19)),
        ("Time: 8 PM", datetime.time(20)),
        ("time 8am", datetime.time(8)),
        ("time 8:15 a.m.", datetime.time(8, 15)),
        ("TIME 19:30", datetime.time(19, 30)),
        ("time 19.30", datetime.time(19, 30)),
        ("time 7.30pm", datetime.time(19, 30)),
        ("time 7:30pm", datetime.time(19, 30)),
        ("time 1930", datetime.time(19, 30)),
        ("time 0830", datetime.time(8, 30)),
        ("time 08:30", datetime.time(8, 30)),
        ("time 20h30", datetime.time(20, 30)),
        ("time at 7pm", datetime.time(19)),
        ("time 7 o'clock", datetime.time(19)),
        ("time 7pm please", datetime.time(19)),
        ("time7pm", datetime.time(19)),
        ("ＴＩＭＥ ７ＰＭ", datetime.time(19)),
        ("time 12pm", datetime.time(12)),
        ("time 12am", datetime.time(0)),
        ("time 12", datetime.time(12)),
        ("time 13", datetime.time(13)),
        ("time 0", datetime.time(0)),
        # a bare hour: 1-8 is pm, 9-11 is am (see the module docstring)
        ("time 1", datetime.time(13)),
        ("time 6", datetime.time(18)),
        ("time 7", datetime.time(19)),
        ("time 7:30", datetime.time(19, 30)),
        ("time 8", datetime.time(20)),
        ("time 9", datetime.time(9)),
        ("time 11", datetime.time(11)),
        ("time morning", datetime.time(8, 30)),
        ("time in the evening", datetime.time(19)),
        ("time noon", datetime.time(12)),
        ("time lunch", datetime.time(12)),
    ],
)
def test_time(text: str, expected: datetime.time) -> None:
    assert parse_intent(text) == Intent(IntentKind.TIME, keyword="time", time_of_day=expected)


@given(
    hour=st.integers(1, 12),
    minute=st.integers(0, 59),
    meridiem=st.sampled_from(["am", "pm", "AM", "PM", " pm", " a.m."]),
)
def test_any_twelve_hour_clock_time_parses(hour: int, minute: int, meridiem: str) -> None:
    expected = datetime.time(hour % 12 + (12 if "p" in meridiem.lower() else 0), minute)
    intent = parse_intent(f"TIME {hour}:{minute:02d}{meridiem}")
    assert intent == Intent(IntentKind.TIME, keyword="time", time_of_day=expected)


@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_any_twenty_four_hour_clock_time_parses(hour: int, minute: int) -> None:
    intent = parse_intent(f"time {hour:02d}:{minute:02d}")
    assert intent.time_of_day == datetime.time(hour, minute)


# --- PAUSE ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("PAUSE", 7),
        ("pause please", 7),
        ("PAUSE 3", 3),
        ("pause 3 days", 3),
        ("pause 1 day", 1),
        ("pause 3d", 3),
        ("pause for 3 days", 3),
        ("pause: 5", 5),
        ("pause a week", 7),
        ("pause for a week", 7),
        ("pause 1 week", 7),
        ("pause for 2 weeks", 14),
        ("pause 2 wks", 14),
        ("pause two weeks", 14),
        ("pause two", 2),
        ("pause a couple of days", 2),
        ("pause a month", 30),
        ("pause 3 months", 90),
        ("pause 90", 90),
        ("PAUSE 3 DAYS PLEASE", 3),
    ],
)
def test_pause(text: str, days: int) -> None:
    assert parse_intent(text) == Intent(IntentKind.PAUSE, keyword="pause", days=days)


@given(st.integers(1, 90))
def test_pause_accepts_one_to_ninety_days(days: int) -> None:
    assert parse_intent(f"pause {days}").days == days


@given(st.integers(91, 10**30) | st.just(0))
def test_pause_rejects_zero_and_more_than_ninety_days(days: int) -> None:
    assert parse_intent(f"pause {days}") == Intent(
        IntentKind.UNCLEAR_COMMAND, keyword="pause", command="pause"
    )


# --- NAME -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("NAME Sam", "Sam"),
        ("name sam", "Sam"),
        ("name: Sam", "Sam"),
        ("Name - sam!", "Sam"),
        ("name is Sam", "Sam"),
        ("name's sam", "Sam"),
        ("NAME SAM SMITH", "Sam"),
        ("name mary-jane", "Mary-Jane"),
        ("name o'brien", "O'Brien"),
        ("name O’Brien", "O'Brien"),
        ("name josé", "José"),
        ("name ＡＮＡ", "Ana"),
        ("my partner's name is Sam", "Sam"),
        ("my wife's name is Ana", "Ana"),
        ("partner name: jo", "Jo"),
        ("his name is Leo", "Leo"),
        ("name Abcdefghijklmnopqrst", "Abcdefghijklmnopqrst"),
    ],
)
def test_name(text: str, name: str) -> None:
    assert parse_intent(text) == Intent(IntentKind.NAME, keyword="name", name=name)


# --- LOVE -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("LOVE WORDS", "words"),
        ("love word", "words"),
        ("love words of affirmation", "words"),
        ("Love: affirmations", "words"),
        ("LOVE TIME", "time"),
        ("love quality time", "time"),
        ("LOVE TOUCH", "touch"),
        ("love physical touch", "touch"),
        ("love language touch", "touch"),
        ("love language: physical touch", "touch"),
        ("LOVE ACTS", "acts"),
        ("love acts of service", "acts"),
        ("love act of service", "acts"),
        ("LOVE GIFTS", "gifts"),
        ("love gift", "gifts"),
        ("love receiving gifts", "gifts"),
        ("my love language is quality time", "time"),
        ("love words please", "words"),
    ],
)
def test_love_language(text: str, language: str) -> None:
    assert parse_intent(text) == Intent(IntentKind.LOVE, keyword="love", love_language=language)


# --- unclear commands and ordinary messages ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("TIME banana", "time"),
        ("time", "time"),
        ("time 25", "time"),
        ("time 13pm", "time"),
        ("time 7:75", "time"),
        ("time whenever", "time"),
        ("PAUSE forever", "pause"),
        ("pause 0", "pause"),
        ("pause 91", "pause"),
        ("pause 100 days", "pause"),
        ("pause 13 weeks", "pause"),
        ("puase forever", "pause"),
        ("LOVE pizza", "love"),
        ("love hugs please", "love"),
        ("love language", "love"),
        ("NAME", "name"),
        ("name:", "name"),
        ("name 123", "name"),
        ("name please", "name"),
        ("name Abcdefghijklmnopqrstu", "name"),
    ],
)
def test_unclear_commands(text: str, command: str) -> None:
    expected = Intent(IntentKind.UNCLEAR_COMMAND, keyword=command, command=command)
    assert parse_intent(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "time flies",
        "Time flies when we're together",
        "time together was lovely",
        "more of this please!",
        "less screen time tonight, we talked",
        "love you",
        "Love it!!",
        "love this prompt",
        "love that idea, we did it",
        "name it and claim it",
        "pause and breathe, we did that",
        "time banana split was our dessert",
        "new recipe tonight, it was great",
        "help each other with the dishes - done",
        "yes we did it!",
        "yes yes yes",
        "ok",
        "sure",
        "no",
        "Morning walk together ☀️",
        "good morning",
        "we had lunch together",
        "my partner's name is Sam and he loved it",
        "skip the small talk, we went deep",
        "menu planning for the week together",
        "7pm",
        "Sam",
        "",
        "   ",
        "🙂🙂",
    ],
)
def test_ordinary_messages(text: str) -> None:
    assert parse_intent(text) == Intent(IntentKind.MESSAGE)


SURROUNDINGS = st.text(alphabet=" \t\n!?.,;:'\"*()[]-~…🙂❤️🛑🙏", max_size=4)


@given(
    text=st.sampled_from(["stop", "STOP", "yes", "pause 3", "time 7pm", "name Sam", "stop it"]),
    before=SURROUNDINGS,
    after=SURROUNDINGS,
)
def test_surrounding_punctuation_and_emoji_never_change_the_intent(
    text: str, before: str, after: str
) -> None:
    assert parse_intent(f"{before}{text}{after}") == parse_intent(text)


@given(st.text())
def test_any_text_parses_to_an_intent(text: str) -> None:
    intent = parse_intent(text)
    assert isinstance(intent.kind, IntentKind)
    assert (intent.kind is IntentKind.UNCLEAR_COMMAND) == (intent.command is not None)


# The shipped catalog's other languages: the parser reads their keywords too.
VOCABULARIES = load_catalog(PROJECT_ROOT / "messages").vocabularies


@pytest.mark.parametrize(
    ("text", "kind", "language"),
    [
        ("ALTO", IntentKind.OPT_OUT, "es"),
        ("parar", IntentKind.OPT_OUT, "es"),
        ("Pare.", IntentKind.OPT_OUT, "es"),
        ("cancelar", IntentKind.OPT_OUT, "es"),
        ("BAJA", IntentKind.OPT_OUT, "es"),
        ("detener", IntentKind.OPT_OUT, "es"),
        ("NO MAS", IntentKind.OPT_OUT, "es"),
        ("no más!", IntentKind.OPT_OUT, "es"),
        ("ya no quiero mensajes", IntentKind.OPT_OUT, "es"),
        ("No me manden más mensajes", IntentKind.OPT_OUT, "es"),
        ("dejen de escribirme por favor", IntentKind.OPT_OUT, "es"),
        ("por favor quítenme de la lista", IntentKind.OPT_OUT, "es"),
        ("quiero darme de baja", IntentKind.OPT_OUT, "es"),
        ("UNIRME", IntentKind.OPT_IN, "es"),
        ("alta", IntentKind.OPT_IN, "es"),
        ("Empezar", IntentKind.OPT_IN, "es"),
        ("comenzar", IntentKind.OPT_IN, "es"),
        ("SI", IntentKind.CONFIRM, "es"),
        ("Sí", IntentKind.CONFIRM, "es"),
        ("AYUDA", IntentKind.HELP, "es"),
        ("ESPAÑOL", IntentKind.LANGUAGE, "es"),
        ("espanol", IntentKind.LANGUAGE, "es"),
        ("English", IntentKind.LANGUAGE, "en"),
        ("LOGROS", IntentKind.WINS, "es"),
        ("pausa 3", IntentKind.PAUSE, "es"),
        ("REANUDAR", IntentKind.RESUME, "es"),
        ("hora 19:30", IntentKind.TIME, "es"),
        ("más", IntentKind.MORE, "es"),
        ("menos", IntentKind.LESS, "es"),
        ("nuevo", IntentKind.NEW, "es"),
        ("nombre José", IntentKind.NAME, "es"),
        ("amor regalos", IntentKind.LOVE, "es"),
        ("ZONA Lima", IntentKind.ZONE, None),
        ("zone perth", IntentKind.ZONE, None),
        ("STOP", IntentKind.OPT_OUT, None),
    ],
)
def test_spanish_keywords_and_commands(text: str, kind: IntentKind, language: str | None) -> None:
    intent = parse_intent(text, VOCABULARIES)
    assert (intent.kind, intent.language) == (kind, language)


@pytest.mark.parametrize(
    "text",
    [
        "no puedo parar de sonreír",
        "vamos a cancelar la cena y quedarnos en casa",
        "alto y claro: te quiero",
        "me di de alta en el gym",
        "bajamos a la playa",
        "más o menos",
        "sí, me encantó hacerlo",
        "hora de dormir jaja",
        "nunca vamos a parar de reír",
        "no más peleas, solo abrazos",
    ],
)
def test_spanish_sentences_that_only_contain_such_words_are_replies(text: str) -> None:
    assert parse_intent(text, VOCABULARIES).kind is IntentKind.MESSAGE


@given(
    keyword=st.sampled_from(["alto", "parar", "pare", "cancelar", "baja", "detener", "no mas"]),
    before=st.sampled_from(["", " ", "  ", "¡", "."]),
    after=st.sampled_from(["", "!", ".", " ", "!!"]),
)
def test_a_spanish_stop_word_alone_is_an_opt_out_however_it_is_typed(
    keyword: str, before: str, after: str
) -> None:
    for typed in (keyword, keyword.upper(), keyword.title()):
        assert parse_intent(before + typed + after, VOCABULARIES).kind is IntentKind.OPT_OUT


def test_without_the_spanish_keywords_spanish_is_an_ordinary_message() -> None:
    assert parse_intent("ALTO").kind is IntentKind.MESSAGE
    assert parse_intent("ALTO", VOCABULARIES).kind is IntentKind.OPT_OUT


@pytest.mark.parametrize(
    ("text", "anniversary"),
    [
        ("DATE June 14", (6, 14)),
        ("date jun 14th", (6, 14)),
        ("Date: the 14th of June", (6, 14)),
        ("date 14 june 2015", (6, 14)),
        ("DATE 6/14", (6, 14)),
        ("date 6/14/2015", (6, 14)),
        ("date 25.12", (12, 25)),  # 25 can only be the day
        ("date feb 29", (2, 29)),
        ("FECHA 14 de junio", (6, 14)),
        ("aniversario 3 de septiembre del 2015", (9, 3)),
        ("fecha 4/6", (6, 4)),  # Spanish writes the day first
    ],
)
def test_date_gives_the_anniversary(text: str, anniversary: tuple[int, int]) -> None:
    intent = parse_intent(text, VOCABULARIES)
    assert intent.kind is IntentKind.DATE
    assert intent.anniversary == anniversary


@pytest.mark.parametrize("text", ["DATE", "date feb 30", "date 13/25", "date june", "fecha"])
def test_a_date_that_is_no_date_is_unclear(text: str) -> None:
    intent = parse_intent(text, VOCABULARIES)
    assert intent.kind is IntentKind.UNCLEAR_COMMAND and intent.command == "date"


@pytest.mark.parametrize(
    "text", ["date night was fun", "Date night!", "date went well", "fecha de hoy fue linda"]
)
def test_a_reply_about_a_date_is_not_the_command(text: str) -> None:
    assert parse_intent(text, VOCABULARIES).kind is IntentKind.MESSAGE


@given(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2000, 12, 31)))
def test_every_calendar_day_reads_back_in_both_spellings(day: datetime.date) -> None:
    month_name = day.strftime("%B")
    assert parse_intent(f"DATE {month_name} {day.day}").anniversary == (day.month, day.day)
    assert parse_intent(f"date {day.month}/{day.day}").anniversary == (day.month, day.day)
