"""The Spanish a texter may use: keywords, commands and sentences that mean "stop".

Pure tables and patterns over a text already normalised by `intents.normalize`; matching
ignores accents, since many phones and people leave them out ("si", "mas", "menu").
"""

from __future__ import annotations

import re
import unicodedata

SPANISH = "es"

OPT_OUT_KEYWORDS = frozenset(
    {"alto", "parar", "pare", "cancelar", "baja", "detener", "no mas", "darme de baja"}
)
OPT_IN_KEYWORDS = frozenset({"unirme", "alta", "empezar", "comenzar"})
CONFIRM_KEYWORDS = frozenset({"si", "sip", "claro que si", "si claro", "si por favor"})
HELP_KEYWORDS = frozenset({"ayuda", "informacion"})

# A Spanish command word, and the English command the parser already knows.
COMMANDS = {
    "logros": "wins",
    "opciones": "menu",
    "pausa": "pause",
    "pausar": "pause",
    "reanudar": "resume",
    "continuar": "resume",
    "hora": "time",
    "mas": "more",
    "menos": "less",
    "nuevo": "new",
    "otro": "new",
    "nombre": "name",
    "amor": "love",
    "omitir": "skip",
    "saltar": "skip",
    "zona": "zone",
}
# Words that may follow a command, said the English way for the parser.
ARGUMENT_WORDS = {
    "dia": "day",
    "dias": "days",
    "semana": "week",
    "semanas": "weeks",
    "mes": "month",
    "una": "a",
    "un": "a",
    "manana": "morning",
    "mananas": "morning",
    "tarde": "evening",
    "tardes": "evening",
    "noche": "evening",
    "mediodia": "noon",
    "palabras": "words",
    "tiempo": "time",
    "contacto": "touch",
    "caricias": "touch",
    "actos": "acts",
    "ayuda": "acts",
    "regalos": "gifts",
    "detalles": "gifts",
    "mensajes": "texts",
    "por favor": "please",
    "porfa": "please",
    "gracias": "thanks",
}
LANGUAGE_WORDS = {"espanol": "es", "castellano": "es", "english": "en", "ingles": "en"}

_MESSAGES = r"(?:mensajes?|textos?|msjs?|mensajitos|sms|recordatorios|notificaciones)"
_PLEASE = r"(?:por favor|porfa|porfavor|plis|gracias)"
_SEND = (
    r"(?:manden|mandes|mande|envien|envies|envie|escriban|escribas|escriba|contacten"
    r"|molesten|molestes)"
)
_FREE_TEXT_OPT_OUT = re.compile(
    "|".join(
        f"(?:{pattern})"
        for pattern in (
            # "ya no quiero mensajes", "no quiero recibir mas mensajes"
            rf"(?:{_PLEASE} )?(?:ya )?no quiero (?:recibir |que me manden |que me envien )?"
            rf"(?:mas )?(?:sus |estos |los |tus )?{_MESSAGES}(?: mas)?(?: {_PLEASE})?",
            # "no me manden mas mensajes", "no me escriban mas"
            rf"(?:{_PLEASE} )?(?:ya )?no me {_SEND}(?: mas)?(?: {_MESSAGES})?(?: mas)?"
            rf"(?: {_PLEASE})?",
            # "dejen de escribirme", "deja de mandarme mensajes"
            rf"(?:{_PLEASE} )?(?:dejen|deja|dejar) de (?:escribirme|mandarme|enviarme"
            rf"|molestarme|contactarme|textearme)(?: {_MESSAGES})?(?: {_PLEASE})?",
            # "por favor quitenme de la lista", "sacame de esta lista", "darme de baja"
            rf"(?:{_PLEASE} )?(?:quitenme|quitame|sacame|saquenme|borrenme|borrame|eliminenme"
            rf"|eliminame|denme de baja|dame de baja|darme de baja)"
            rf"(?: de (?:la|esta|su|tu|sus) (?:lista|suscripcion|servicio|programa))?"
            rf"(?: {_PLEASE})?",
            # "quiero darme de baja", "quiero cancelar la suscripcion"
            rf"(?:{_PLEASE} )?(?:quiero|quisiera) (?:darme de baja|desuscribirme"
            rf"|cancelar (?:la |mi )?suscripcion|salirme(?: de (?:la lista|esto))?)"
            rf"(?: {_PLEASE})?",
            rf"(?:{_PLEASE} )?no mas {_MESSAGES}(?: {_PLEASE})?",
        )
    )
)

# Words that mark a text as Spanish when a stranger writes it: a greeting, a question.
_SPANISH_MARKERS = frozenset(
    {
        "hola", "buenas", "buenos", "dias", "tardes", "gracias", "informacion", "quiero",
        "que", "como", "quien", "donde", "cuando", "por", "para", "es", "esto", "este",
        "usted", "ustedes", "mi", "pareja", "esposo", "esposa", "novio", "novia", "ayuda",
        "saludos", "disculpe", "necesito", "puedo", "tengo", "soy", "somos", "estoy", "si",
    }
)  # fmt: skip


def without_accents(text: str) -> str:
    """ "más" -> "mas", "español" -> "espanol": how Spanish is often texted."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def is_free_text_opt_out(plain: str) -> bool:
    """`plain`: the text's plain words, without accents."""
    return _FREE_TEXT_OPT_OUT.fullmatch(plain) is not None


def looks_spanish(plain: str, raw: str) -> bool:
    """A stranger's text that is likely Spanish: a Spanish word among its first few, or the
    opening ¿ or ¡ only Spanish uses."""
    if "¿" in raw or "¡" in raw:
        return True
    return any(word in _SPANISH_MARKERS for word in plain.split()[:6])


def in_english(bare: str) -> str | None:
    """A Spanish command said the English way ("pausa 3 dias" -> "pause 3 days"), or None
    when `bare` (a normalised text without accents) does not start with a Spanish command."""
    head = re.match(r"[^\W\d_]+", bare)
    if head is None or head.group() not in COMMANDS:
        return None
    rest = bare[head.end() :]
    for word, english in sorted(ARGUMENT_WORDS.items(), key=lambda item: -len(item[0])):
        rest = re.sub(rf"\b{word}\b", english, rest)
    return (COMMANDS[head.group()] + rest).strip()
