"""Does a reply say that a try did not land? Pure, from a short list of phrase patterns.

A warm "Love that!" back to "he ignored me" would sting, so such replies get an encouragement
instead of a celebration. Patterns are phrases over the text's plain words (apostrophes
dropped: "didn't" reads "didnt"), never single ambiguous words; "not bad" stays good, and a
rough start that turned out well ("awkward at first but then we laughed") is a good one.
"""

from __future__ import annotations

import re

from service.conversation.intents import normalize, plain_words
from service.conversation.vocabulary import without_accents

_NOT_LANDED = (
    r"\b(didnt|did not|doesnt|does not) (go well|go so well|go great|go as planned|work|land|"
    r"help|respond|answer|reply|care|notice|want to|like it|seem to care)\b",
    r"\b(went|going|go) (badly|bad|wrong|poorly|south|sideways)\b",
    r"\bnot (great|good|well|so good|so great|the best)\b(?! at\b)",
    r"\b(wasnt|was not|isnt|is not) (great|good|nice|fun|easy|well received|interested)\b",
    r"\b(ignored|dismissed|rejected|brushed off|snapped at|laughed at) (me|it|my)\b",
    r"\b(brushed|pushed|waved) me (off|away)\b",
    r"\brolled (his|her|their) eyes\b",
    r"\b(we|i) (argued|fought|had a fight|had an argument|got into a fight)\b",
    r"\b(it|that) (backfired|made (it|things) worse|fell flat)\b",
    r"\b(felt|was|so|kind of|kinda) (awkward|weird|cringe|sad|hurt|rejected|lonely|stupid)\b",
    r"\b(im|i am|i feel|feeling|i felt) (so |really |a bit |kind of )?"
    r"(sad|upset|hurt|frustrated|disappointed|lonely|discouraged|rejected)\b",
    r"\bhurt my feelings\b",
    r"\b(no|zero|without any) (response|reaction|reply|answer)\b",
    r"\b(couldnt|could not|didnt get to|didnt have time|never got to|forgot to)\b",
    r"^(no|nope|nah|meh|ugh|not really|not yet|not today|didnt|i didnt|not great)$",
    # Spanish, read without accents ("salió" is "salio").
    r"\b(salio|fue|resulto|termino) (mal|fatal|pesimo|horrible|raro|incomodo)\b",
    r"\bno (salio|funciono|sirvio|resulto|le gusto|me hizo caso|me contesto|me respondio"
    r"|dijo nada|reacciono|pude|alcance|tuve tiempo)\b",
    r"\b(me|nos) (ignoro|rechazo|evito|dejo en visto|grito|ignora|rechaza)\b",
    r"\b(discutimos|peleamos|nos peleamos|terminamos peleando|terminamos discutiendo)\b",
    r"\b(me siento|me senti|estoy|quede) (muy |un poco |bien )?(triste|mal|dolida?|frustrada?"
    r"|decepcionada?|sola?|rechazada?|desanimada?)\b",
    r"\bse (enojo|molesto|fue|alejo|burlo)\b",
    r"\b(ni caso|nada de nada|sin respuesta|ni me miro)\b",
    r"\bya no (hablamos|nos hablamos)\b",
    r"^(no|nop|nel|nada|todavia no|aun no|hoy no|meh|uf)$",
)
_TURNED_OUT_WELL = (
    r"\bbut (then |in the end |after a while |after that |still |it was |it turned out )*"
    r"(great|good|lovely|nice|fun|sweet|worth it|ok|okay|fine|we laughed|she laughed|"
    r"he laughed|they laughed|it worked|we talked|we hugged)\b",
    r"\bpero (luego |al final |despues |igual )*(bien|genial|lindo|bonito|nos reimos"
    r"|funciono|hablamos|nos abrazamos|valio la pena)\b",
)
_DISCOURAGED = re.compile("|".join(f"(?:{pattern})" for pattern in _NOT_LANDED))
_RECOVERED = re.compile("|".join(f"(?:{pattern})" for pattern in _TURNED_OUT_WELL))


def sounds_discouraged(text: str) -> bool:
    words = plain_words(without_accents(normalize(text)))
    return bool(_DISCOURAGED.search(words)) and not _RECOVERED.search(words)


# A greeting alone, or a question about the service itself: heard, but no reply to a prompt.
_GREETING = re.compile(
    r"^(hi|hello|hey|hiya|yo|good (morning|afternoon|evening)|hola|buenas|buenos dias"
    r"|buenas tardes|buenas noches|que tal)( there| again| you| team)?$"
)
_SERVICE_QUESTION = re.compile(
    r"\b(who is this|whos this|who are you|what is this|whats this|what do i do"
    r"|how does (this|it) work|how do i|is this a bot|are you a bot|are you real"
    r"|quien es|quien eres|quienes son|que es esto|como funciona|que hago|eres un bot)\b"
)


def is_about_the_service(text: str) -> bool:
    words = plain_words(without_accents(normalize(text)))
    return bool(_GREETING.fullmatch(words) or _SERVICE_QUESTION.search(words))
