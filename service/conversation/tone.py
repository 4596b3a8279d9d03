"""How a member's text sounds: one pure classifier, `classify_reply`, and `question_topic`.

The acknowledgement answers the kind: "Love that." back to "he walked away" would sting. The
safety net (service/safety) reads every text before this; danger is not this module's job.

A text is read in English and Spanish at once, as its plain words without accents ("salió"
reads "salio", "didn't" reads "didnt"):
1. A greeting alone or a question about the service itself ("how often will you text?",
   "¿cuánto cuesta?") is a SERVICE_QUESTION, unless it also tells how a try went.
2. The text is cut into clauses at punctuation and at contrast words (but, then, though, pero,
   aunque, luego), and each clause is searched for cues from families of patterns: it went well
   (GOOD: "we laughed", "le encantó"), it fell flat (OUTCOME: "he walked away", "me dejó en
   visto"), friction (FRICTION: argued, cold, ignored), a hard stretch (STRAIN: exhausted,
   lonely, "las cosas están difíciles"), not done yet (UNDONE: forgot, "no tuve tiempo") and
   lukewarm (LUKEWARM: meh, "ok i guess", "más o menos").
3. A negator at most three words before a cue turns it over, once: "not bad" is good, "didn't
   respond" friction, "no fighting tonight" good. Phrases that only look negative are inert:
   expectations ("didn't expect", "no pensé"), "can't stop smiling", "laughed so hard it hurt".
4. `_verdict` weighs the cues. Friction over weeks ("we're fighting a lot", "discutimos todo
   el tiempo") and strain are a HARD_MOMENT unless a try's outcome is told too; good with bad
   or lukewarm is MIXED, except a strain told before the good ("I was exhausted but it was
   lovely"); a text with no cue is NOT_YET, MIXED or NEUTRAL by its other words, and emoji
   or laughter decide only a text with no words to go by.
Families, not phrases: a new reply should fall in a family; a rule is added to a family, never
for one reply. tests/conversation/replies_*.yaml hold the labelled replies and their figures.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Final

from service.conversation.intents import normalize, plain_words
from service.conversation.vocabulary import without_accents


class ReplyTone(StrEnum):
    WENT_WELL = "went_well"
    WENT_BADLY = "went_badly"  # flat, ignored, a fight: warmth, never cheer
    MIXED = "mixed"  # some of it landed, or lukewarm
    NOT_YET = "not_yet"  # forgot, no time, later
    HARD_MOMENT = "hard_moment"  # a hard stretch, not this try's outcome (no danger)
    SERVICE_QUESTION = "service_question"  # a greeting alone, or a question to us
    NEUTRAL = "neutral"  # a plain answer: "the beach trip", "B"


class ServiceTopic(StrEnum):
    """What a text to the service itself is about."""

    GREETING = "greeting"  # hello alone
    WHO = "who"  # who is this, how did you get my number
    OFTEN = "often"  # how many texts, less often
    TIME = "time"  # when they come, changing the time
    PAUSE = "pause"  # a break
    STOP = "stop"  # how to end it
    BOT = "bot"  # a person or a program
    COST = "cost"  # does it cost anything
    OTHER = "other"  # how does this work, what do I do


class _Cue(Enum):
    GOOD = "good"
    OUTCOME = "outcome"  # how this try went, badly: never softened into a hard stretch
    FRICTION = "friction"  # conflict, coldness or hurt: this try's, or over weeks (ONGOING)
    STRAIN = "strain"  # a hard state of the member or the couple
    UNDONE = "undone"
    LUKEWARM = "lukewarm"
    HEDGE = "hedge"  # kind of, a bit: makes a good cue lukewarm
    COMPLETION = "completion"  # done, did it: good when nothing else is said
    INERT = "inert"  # looks like a cue or a negation and is neither


# What a negator turns a cue into; the rest stay as they are.
_NEGATED: Final = {
    _Cue.GOOD: _Cue.FRICTION,
    _Cue.OUTCOME: _Cue.GOOD,
    _Cue.FRICTION: _Cue.GOOD,
    _Cue.STRAIN: _Cue.GOOD,
    _Cue.COMPLETION: _Cue.UNDONE,  # "not done yet"
}

# Each family: regular expressions over plain words (lowercase, no accents or apostrophes),
# one a line of meaning, English then Spanish. Where matches overlap, the longer wins.
_FAMILIES: Final[dict[_Cue, tuple[str, ...]]] = {
    _Cue.INERT: (
        # Expectations, told in the past: what happened is in the words that follow.
        r"(didnt|did not|never|wasnt|was not|werent) (expect\w*|think|thought|imagine\w*"
        r"|believe)( (much|it|that|he|she|they|anything))?",
        r"(wasnt|was not|werent|were not) sure",
        r"no (pense|pensaba|esperaba|crei|creia|imagine|imaginaba|sabia si)",
        # "Can't stop smiling" smiled.
        r"(cant|couldnt|can not|could not|cannot) (stop|help|believe|wait)",
        r"no (puedo|podia|podiamos) (creer|parar de|dejar de)|no (paro|paraba|parabamos|para) de",
        # Before the try, not about it: "I was nervous but it went great".
        r"nervous|scared|hesitant|skeptical|nerviosa?o?|asustad[oa]|con miedo|dudaba",
        # Thanks to us, a greeting, a skill, how the service works.
        r"thanks|thank (you|u)|thx|ty|gracias|muchas gracias",
        r"good (morning|afternoon|evening|night)|buenos dias|buenas (tardes|noches)",
        r"(good|bad|better|great) at(?! all)",
        r"(how|como) (does |do )?(this |it |esto )?(work|works|funciona)",
        # Negations of nobody's response.
        r"no one|nobody|noone|nadie|not gonna lie|not going to lie|ngl|no joke|no wonder",
        r"never forget|nunca (lo )?olvidare",
        # The member's own move, and what they said, is the try, not how it went: "she turned
        # away when I hugged her", "I said I love you and he said ok".
        r"i (said|told (him|her|them)|texted (him|her|them)|wrote (him|her|them)|asked"
        r" (him|her|them)) .*?(?= and | but |$)",
        r"i (hugged|kissed|told|asked|said|thanked|complimented|held|texted|wrote|called|gave"
        r"|sent|made|planned|brought|cooked|tried|appreciate\w*)",
        r"(le|lo|la) (dije|di|escribi|mande|pregunte|abrace|bese)|(lo )?intente",
        # "Bien raro" is "very weird"; "laughed so hard it hurt" laughed.
        r"bien(?= (raro|rara|feo|fea|incomod\w*|triste|dificil|cansad\w*|pesad\w*|frio|fria))",
        r"so (hard|much) (it|that) hurt|(till|until) (it hurt|we cried|i cried)",
    ),
    _Cue.GOOD: (
        # How it was.
        r"good(?! at)|great|nice|lovely|amazing|awesome|wonderful|beautiful|perfect|fantastic"
        r"|fabulous|brilliant|excellent|incredible|special|sweet|cute|adorable|magical|fun"
        r"|funny|best|cool|better|gr8|awe?some?|awsum|amazin",
        r"(went|go|going|goes|gone|turned out|worked out|did|doing)( really| so| very| pretty)?"
        r" well|(how|so|really|very|pretty) well",
        r"(go|went|going|turn out|turned out) (as|like|the way) (i |we )?(planned|hoped"
        r"|expected|wanted)",
        r"worth it|a hit|nailed it|mission accomplished|10 ?10|yes|yess|yay|woo+hoo+|hooray",
        r"worked(?! (late|overtime|all|on|at|from|till|until|a|nights|today|tonight|hard|for"
        r"|with|as|in))|works like a charm|work out",
        # How they felt.
        r"happy|happier|glad|grateful|thankful|joy\w*|excited|relieved|proud|touched|blessed"
        r"|lighter|hopeful",
        r"loved|love it|love that|love you|adore\w*|enjoy\w*|appreciated|like (it|that|them|the)"
        r"|liked|likes it|me too|in the mood|into it|up for it|got it",
        r"(felt|feel|feeling|so|really|very|more|much) (close|connected|heard|seen|loved|warm)"
        r"|closer|connected|reconnect\w*",
        # What they did together, and the partner's answer.
        r"smiled|smiles|smiling|grin\w*|laughed|laughing|laughs|laughter|giggl\w*|blush\w*"
        r"|made (him|her|me|us|them)( both| all)? (laugh|smile)",
        r"hug|hugs|hugged|hugging|kiss|kissed|kisses|kissing|cuddl\w*|snuggl\w*|danced|dancing"
        r"|made up|together",
        r"(held|holding|hold) (my )?hands?|squeezed my hand|took my hand|held (on|me|tight)"
        r"|lit up|light up|opened up|teared up|looked at me|looked me in the eyes?"
        r"|put (his|her|their|the) phone (down|away)",
        r"listened|listens|listening to me|talked|talking|talk|talks|spoke|spoken|speak"
        r"|speaking|conversation|chatted|chatting|see me|sees me|understood|understands"
        r"|understand (me|us|each other)",
        r"thanked|said (thanks|thank you)|(called|texted|messaged|wrote) (me|back)|replied"
        r"|responded|response|respond|reply|answer|answered|react|reacted|reaction|noticed"
        r"|notice|looked up|look up|cared|care|helped|helps|helpful|landed|said yes"
        r"|made (his|her|my|our|their) (day|night|week)",
        r"said anything|say anything|said a word|say a word",
        # "Never felt closer", "couldn't have gone better".
        r"never (felt|been|had|seen (him|her|them))?( so)? ?(closer|better|happier"
        r"|more connected)",
        r"(couldnt|could not|cant|can not|cannot) (have )?(be|been|gone|go|get|got) (any )?"
        r"(better|happier|closer)",
        # Spanish.
        r"bien|buen[oa]?|buenisim[oa]|genial|lind[oa]|lindisim[oa]|bonit[oa]|hermos[oa]"
        r"|precios[oa]|increible|excelente|perfect[oa]|maravillos[oa]|especial|divertid[oa]"
        r"|chido|padre|chevere|mejor|estuvo super|valio la pena",
        r"(salio|fue|resulto|quedo) como (esperaba|queria|pense|planee)",
        r"feliz|felices|content[oa]s?|alegr\w*|agradecid[oa]|emocionad[oa]|se emociono",
        r"encant\w*|gust[oa]|le gusta|te quiero|te amo|yo tambien|interes|interesad[oa]"
        r"|(le|me|nos) importa|(le|me) importo",
        r"(nos )?(la )?pasamos (super|bien|genial|increible)|la pasamos",
        r"(mas |muy |tan )?(cerca|cercanos|conectad[oa]s?|unidos)",
        r"(se )?rio|se reia|nos reimos|reimos|riendo|risas|carcajad\w*|sonrio|sonrieron"
        r"|sonreimos|sonreir|sonriendo|sonreia",
        r"abraz\w*|beso|besos|besamos|besito\w*|me beso|bailamos|bailando|baile"
        r"|(hicimos|hacer) las paces|nos reconciliamos",
        r"hablamos|platicamos|conversamos|charlamos|hablo conmigo|hablar|habla"
        r"|una (buena )?(platica|charla|conversacion)|escucho|escucha|me escucho|me ve"
        r"|nos entendemos|me entiende|me entendio",
        r"(me |le |nos )?(dio|dijo) (las )?gracias|agradecio|me agradecio|funcion\w*|ayudo"
        r"|sirvio|(me )?(contest|respond)\w*|hizo caso|(me )?miro|dijo nada|decir nada",
    ),
    _Cue.OUTCOME: (
        # How it was.
        r"bad|badly|ter+ib\w*|awful|hor+ib\w*|worse|worst|disaster\w*|fail\w*"
        r"|flop\w*|fell flat|backfired|went (wrong|south|sideways|nowhere)|pointless"
        r"|useless|waste of time",
        r"(didnt|did not|doesnt|does not|wont) (really |rly |quite |even )?(work|land|go well|help)"
        r"|(didnt|did not|doesnt|does not) (get|understand) it|let (me |us )?down",
        r"^(not really|not at all|no realmente|la verdad no|para nada)$"
        r"|(not|wasnt|isnt) (really )?(his|her|their|my) (thing|style|cup of tea)",
        r"awkward|akward|awkard|weird|wierd|cringe\w*|uncomfortable|embar+as+\w*|stupid|dumb"
        r"|ridiculous|lame|cheesy|corny|forced|fake|stiff|bored|boring",
        r"rejected|letdown|humiliat\w*|ugh|ouch|oof|smh",
        # The partner's answer.
        r"rolled (his|her|their) eyes|eye ?roll\w*|walk\w* (away|off|out)"
        r"|stormed (off|out)|(and|then|just) left|got up and left|turned away|pulled away"
        r"|pushed (me )?away|leave (me|him|her) alone",
        r"shrugg?\w*|scoff\w*|mock\w*|made fun|laugh\w* (at me|at my|it off)|made a joke"
        r"|joked about|whatever|dismiss\w*|stared|left (me )?on read|on read|sigh|sighed"
        r"|sighing|changed the subject",
        r"(on|check\w*|scroll\w*|looking at|glued to|got on|back to|went back to) (his|her"
        r"|their|the) (phone|game|show|tv|laptop|screen|computer)|kept scrolling|distracted",
        r"(i|me) (cried|crying)|made me cry|ended up crying",
        # Spanish.
        r"mal|fatal|horrible|terrible|pesim[oa]|desastre|fracas\w*|fe[oa]|rar[oa]|extran[oa]"
        r"|incomod[oa]|verguenza|ridicul\w*|tont[oa]|estupid[oa]|cursi|forzad[oa]"
        r"|aburrid[oa]",
        r"rechaz\w*",
        r"(se )?burl\w*|se rio de mi|(me )?dejo en visto|en visto|se fue|se levanto y se fue"
        r"|me dejo hablando sol[oa]|le dio igual|(le|me) vale|ni caso|se alejo|se aparto"
        r"|se volteo|me evito|evito|cambio de tema",
        r"(en|con|ver|mirar|revisar|agarro|saco) el (celular|telefono|cel|movil)|viendo la tele"
        r"|llore|termine llorando",
    ),
    _Cue.FRICTION: (
        r"ignor\w*|argu\w*|fight|fights|fighting|fought|bicker\w*|snap|snapped|snapping"
        r"|yell\w*|shout\w*|scream\w*|critici[sz]\w*|nag\w*|blam\w*|complain\w*",
        r"mad|angry|annoyed|irritat\w*|upset|pissed|defensive|frustrat\w*|sulk\w*",
        # Hurt: this try's, or over weeks ("so sad lately").
        r"sad|hurt|hurts|hurtful|dis+ap+oint\w*",
        r"cold|cold shoulder|silent|silence|quiet|shut down|withdr[ae]w\w*|tense|tension"
        r"|brush\w* (me |it )?off",
        # The partner had no time for it ("I had no time" is not yet).
        r"(he|she|they) (was|were|is|are|said (he|she|they) (was|were))( too| so)? busy",
        r"(he|she|they)( said (he|she|they))? (didnt|doesnt|did not|does not|dont|had no"
        r"|has no) (have )?(the )?time( for)?",
        # Spanish.
        r"discut\w*|discusion\w*|pele\w*|grit\w*|quej\w*|reclam\w*",
        r"enoj\w*|molest\w*|(de )?malas|fastidi\w*|irritad[oa]",
        r"triste|decepcion\w*|desanimad[oa]|(me )?dolio|herid[oa]|dolid[oa]",
        r"fri[oa]|cortante|tens[oa]|tension|callad[oa]|se quedo callad[oa]",
    ),
    _Cue.STRAIN: (
        # Worn out, alone, low.
        r"exh?aust\w*|tired|tierd|drained|burnt out|burned out|worn out|no energy|overw?h?elm\w*"
        r"|stres+\w*|struggl\w*|anxious|anxiety|hopeless|numb|(im|i am|so|just) done"
        r"|fed up|had enough",
        r"lonely|lonley|(feel|feeling|felt|so|im|i am|all) alone|alone in (this|it|our)|isolated"
        r"|(feel|feeling|felt|im|i am|so|pretty|really) (low|down)|invisible|unseen"
        r"|unappreciated|unwanted|unloved|taken for granted",
        # A hard stretch for the couple.
        r"rough|tough|heavy|distant|disconnect\w*|drift\w* apart|roommates|strangers"
        r"|bad place|falling apart|on the rocks|never have time|no time for (us|each other)",
        r"hard (time|week|day|days|month|months|year|few|stretch|patch|season)"
        r"|(been|is|are|was|so|really|very|pretty|everything is|things are|its|it is) hard",
        r"miss (how|the way|when|us|what we)|used to be|(dont|do not) know what to do"
        r"|(dont|do not) know (what|whats|where|wheres)( is| s)? (happening|going on"
        r"|were going|we are going)",
        # Spanish.
        r"agotad[oa]s?|cansad[oa]s?|exhaust\w*|sin energia|estresad[oa]s?|estres"
        r"|abrumad[oa]s?|agobiad[oa]s?|deprimid[oa]|ansios[oa]|ansiedad|hart[oa]s?",
        r"(?<!a )solas?|(me siento|me senti|estoy|estaba|ando|siento|sentimos|estamos)"
        r" (muy |tan )?sol[oa]s?",
        r"dificil\w*|dur[oa](?! poco)|pesad[oa]|complicad[oa]|mala racha|mal momento"
        r"|lej[oa]s|distante\w*|desconectad[oa]s?|companeros de piso|no tenemos tiempo",
        r"no se que (nos )?pasa|no se que hacer|extrano (como|cuando|lo que|a|los|las)",
    ),
    _Cue.UNDONE: (
        r"(not|no) (\w+ )?yet|yet to|havent (yet|tried|done|gotten|got|found|been able)"
        r"|hasnt (tried|done|been able)",
        r"(havent|hasnt|didnt|did not|couldnt|could not|no) (had |have |get |got |find"
        r" |found )?(a |the )?(chance|moment)",
        r"(didnt|did not|couldnt|could not) (get to|get around|have (the |a )?(time|chance)"
        r"|manage|find (the )?time)|find (the )?time|no time|not enough time|ran out of time",
        r"(too|so|really|super|crazy) busy|busy (day|week|night)|working late|out of town"
        r"|(shes|hes|theyre|is|are|was|been) away|travel+ing|(was|were|been) sick",
        r"forgot|forget|forgotten|slipped my mind|missed it|not today|not tonight"
        r"|^(no|nope|nah|nada|nothing|nop|nel)$|(couldnt|could not|cant|can not)$"
        r"|(we|i) (didnt|did not|couldnt|could not|havent)$",
        r"(will|gonna|going to|ill|plan to|planning to|hoping to|want to) (try|do)"
        r"|planning to|saving it|tomorrow|tmrw|tmr|tomorow|later today|maybe later"
        r"|(this|next) weekend",
        # Spanish.
        r"(todavia|aun) no|no todavia|no (he|hemos) podido|no (pude|pudimos|alcance|alcanzo)"
        r"|no me dio tiempo|no (tuve|tuvimos|hubo) (tiempo|chance|oportunidad)|sin tiempo",
        r"(se me|me) (olvido|paso)|olvid\w*|hoy no|(esta|estaba|estuvo) de viaje|ocupad[oa]"
        r"|mucho trabajo",
        r"manana|mas tarde|el finde|este fin|lo (hago|intento|hare|intentare|voy a)"
        r"|voy a (intentar|hacer)",
    ),
    _Cue.LUKEWARM: (
        r"meh|so so|soso|ok ish|okish|i guess|i suppose|(im |i am )?not sure|dunno|idk"
        r"|hard to (say|tell)|mixed|half|^fine$|^eh+$",
        r"nothing special|nothing much|not much|nothing more|nothing else|thats it"
        r"|that was it|thats all|(didnt|did not) (say|do|talk) (much|a lot)",
        r"short|brief|could (have )?(been|be|gone|go) better"
        r"|(was|went|its|it is|it was|going) (ok|okay|fine|alright|decent)",
        # A flat answer to a warm try: "he said ok".
        r"(he|she|they) (just )?(said|replied|answered|texted back|went) (ok|okay|k|kk|cool"
        r"|sure|fine|nice|mhm|uh huh|hm+)$",
        # Spanish.
        r"mas o menos|maso|regular|ni fu ni fa|asi asi|supongo|no se si|no estoy segur[oa]",
        r"nada especial|nada del otro mundo|no mucho|no (dijo|hablo|hizo) mucho|nada mas"
        r"|eso fue todo|a medias|corto|breve|duro poco|estuvo (ok|okay|normal)",
        r"(solo )?(dijo|contesto|respondio) (ok|okay|bueno|ya|aja|va)$",
    ),
    _Cue.HEDGE: (
        r"kind of|kinda|sort of|sorta|somewhat|a bit|a little|slightly|partly|more or less"
        r"|medio|un poco|un tanto",
    ),
    _Cue.COMPLETION: (
        r"done|did it|did that|we did|tried it|lo hice|lo hicimos|hecho|listo|ya esta",
    ),
}
# One expression a family member, so that the longest match across members wins.
_PATTERNS: Final = tuple(
    (cue, re.compile(rf"\b(?:{pattern})\b"))
    for cue, patterns in _FAMILIES.items()
    for pattern in patterns
)
# When two cues cover the same words, the family listed first wins.
_PRIORITY: Final = tuple(_FAMILIES)

# Negators turn the next cue over, if it starts within _NEGATION_REACH words.
_NEGATOR: Final = re.compile(
    r"not|no|never|didnt|dont|doesnt|wasnt|isnt|arent|werent|havent|hasnt|hadnt|cant|cannot"
    r"|couldnt|wouldnt|wont|shouldnt|aint|without|hardly|barely|nothing|zero|neither|nor"
    r"|nunca|ni|sin|tampoco|jamas"
)
_NEGATION_REACH: Final = 3
# A negation stops at these: "we didn't fight and we hugged" hugged.
_SCOPE_END: Final = re.compile(
    r"and|so|because|while|when|after|before|y|porque|mientras|cuando|despues"
)
# Clauses: cut at punctuation, then at contrast words (the words themselves are dropped).
_CLAUSE_BREAK: Final = re.compile(r"[.,;:!?¿¡()\[\]\n\"]+|\s[-–—]+\s|\s/\s")
_CONTRAST: Final = re.compile(
    r"\b(?:but|then|though|although|however|except|pero|aunque|sin embargo|luego|despues)\b"
)
# After a contrast, these alone say the doubted thing happened: "didn't think it would work
# but it did", "no pensé que funcionara pero sí".
_AFFIRMED: Final = re.compile(
    r"(it|that|he|she|they|we) (did|was|were|does|do)( it)?|si|si lo hizo"
)
# Time that turns friction into a hard stretch: "we're fighting a lot", "hace meses".
_ONGOING: Final = re.compile(
    r"\b(?:lately|recently|these days|this (?:week|month|year)|for (?:weeks|months|years|a while"
    r"|ages|so long)|in (?:weeks|months|years|ages|forever)|all (?:the time|week|month)"
    r"|every (?:day|night|week|time)|always|constantly|a lot|so much|keep \w+ing|been"
    r"|over and over|again and again|right now|for a while now"
    r"|in days|since (?:last|yesterday|the weekend|then|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday)|desde (?:el|la|hace|que)|ultimamente|ultimos dias|estos dias"
    r"|esta semana|este mes|hace (?:dias|semanas|meses|tiempo|rato)|todo el tiempo|siempre"
    r"|cada (?:vez|dia|noche)|todos los dias"
    r"|\w+(?:ando|iendo) mucho|seguimos|sigue|siguen|estamos|andamos)\b"
)
_REPEATS: Final = re.compile(r"(\w)\1{2,}")  # "sooo" -> "soo", "yesss" -> "yess"
# Laughter and fillers say nothing of how it went ("lol no" is "no", "that backfired lol"),
# but laughter alone is a happy reply.
_LAUGHTER: Final = r"lol|lmao|rofl|xd|(?:ha)+h?|(?:ja){2,}|(?:he){2,}|(?:je){2,}"
_FILLERS: Final = re.compile(rf"\b(?:{_LAUGHTER}|tbh|omg|honestly|ngl)\b")
_ONLY_LAUGHTER: Final = re.compile(rf"(?:(?:{_LAUGHTER}) ?)+")

# Emoji decide only a text that has no words to go by ("❤️❤️", "😞").
_HAPPY_EMOJI: Final = frozenset("❤♥😍😊😂🥰🙌👍💕💖💗😘😁😀☺💃🎉🥹😄😃🤗💞😻")
_SAD_EMOJI: Final = frozenset("😞😢😭😔😒💔🙁☹😡😤😠😩😫")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    cue: _Cue


@dataclass(frozen=True)
class _Reading:
    """The cues of a text, in clause order."""

    cues: tuple[_Cue, ...]
    ongoing: bool
    emoji: int  # happy minus sad


@functools.lru_cache(maxsize=1024)
def classify_reply(text: str) -> ReplyTone:
    """The kind of reply `text` is. Pure; never raises for any text."""
    reading = _read(text)
    if question_topic(text) is not None and not _tells_how_it_went(reading):
        return ReplyTone.SERVICE_QUESTION
    return _verdict(reading)


_POLARITIES: Final = frozenset({_Cue.GOOD, _Cue.OUTCOME, _Cue.FRICTION, _Cue.STRAIN})


def _tells_how_it_went(reading: _Reading) -> bool:
    return any(cue in _POLARITIES for cue in reading.cues)


def _verdict(reading: _Reading) -> ReplyTone:
    cues = reading.cues
    good = _Cue.GOOD in cues
    outcome = _Cue.OUTCOME in cues
    friction = _Cue.FRICTION in cues
    strain = _Cue.STRAIN in cues
    lukewarm = _Cue.LUKEWARM in cues
    if not (good or outcome or friction or strain):
        if _Cue.UNDONE in cues:
            return ReplyTone.NOT_YET
        if lukewarm:
            return ReplyTone.MIXED
        if _Cue.COMPLETION in cues or reading.emoji > 0:
            return ReplyTone.WENT_WELL
        return ReplyTone.WENT_BADLY if reading.emoji < 0 else ReplyTone.NEUTRAL
    if not good:
        if (strain or (friction and reading.ongoing)) and not outcome:
            return ReplyTone.HARD_MOMENT
        return ReplyTone.MIXED if lukewarm else ReplyTone.WENT_BADLY
    # A strain told before the good is what the try overcame: "so tired but it was lovely".
    first_good = cues.index(_Cue.GOOD)
    strain_after = _Cue.STRAIN in cues[first_good:]
    if outcome or friction or lukewarm or strain_after:
        return ReplyTone.MIXED
    return ReplyTone.WENT_WELL


def _read(text: str) -> _Reading:
    folded = without_accents(normalize(text))
    cues: list[_Cue] = []
    for part in _CLAUSE_BREAK.split(folded):
        words = _plain(part)
        after_contrast = False
        for clause in _CONTRAST.split(words):
            clause = clause.strip()
            if after_contrast and _AFFIRMED.fullmatch(clause):
                cues.append(_Cue.GOOD)
            elif clause:
                cues.extend(_clause_cues(clause))
            after_contrast = True
    plain = _plain(folded)
    emoji = sum(char in _HAPPY_EMOJI for char in text) - sum(char in _SAD_EMOJI for char in text)
    if _ONLY_LAUGHTER.fullmatch(_REPEATS.sub(r"\1\1", plain_words(folded))):
        emoji += 1
    return _Reading(tuple(cues), bool(_ONGOING.search(plain)), emoji)


def _plain(folded: str) -> str:
    """Plain words, long letter runs cut to two, fillers dropped."""
    return " ".join(_FILLERS.sub(" ", _REPEATS.sub(r"\1\1", plain_words(folded))).split())


def _clause_cues(clause: str) -> list[_Cue]:
    """The cues of one clause in order, each turned over by a negator before it."""
    spans = _spans(clause)
    covered = [False] * len(clause)
    for span in spans:
        covered[span.start : span.end] = [True] * (span.end - span.start)
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", clause)]
    negated: set[int] = set()
    for index, (start, word) in enumerate(words):
        if not _NEGATOR.fullmatch(word) or covered[start]:
            continue
        for later_start, later_word in words[index + 1 : index + 2 + _NEGATION_REACH]:
            if _SCOPE_END.fullmatch(later_word):
                break
            hit = next((s for s in spans if s.start == later_start), None)
            if hit is not None:
                negated.add(hit.start)
                break
    cues = [_NEGATED.get(s.cue, s.cue) if s.start in negated else s.cue for s in spans]
    return _hedged(cues, spans, clause)


def _hedged(cues: list[_Cue], spans: list[_Span], clause: str) -> list[_Cue]:
    """A hedge makes the good cue right after it lukewarm ("sort of worked"), and closing a
    clause alone it is lukewarm ("kind of?"); elsewhere it only softens ("a bit awkward")."""
    found: list[_Cue] = []
    for index, (cue, span) in enumerate(zip(cues, spans, strict=True)):
        hedged = index > 0 and cues[index - 1] is _Cue.HEDGE
        if cue is _Cue.GOOD and hedged and span.start - spans[index - 1].end <= 1:
            found.append(_Cue.LUKEWARM)
        elif cue is _Cue.HEDGE:
            if len(cues) == 1 and span.end == len(clause):
                found.append(_Cue.LUKEWARM)
        elif cue is not _Cue.INERT:
            found.append(cue)
    return found


def _spans(clause: str) -> list[_Span]:
    """Every family's matches, overlaps settled: the longer wins, then the earlier family."""
    candidates = [
        _Span(match.start(), match.end(), cue)
        for cue, pattern in _PATTERNS
        for match in pattern.finditer(clause)
        if match.end() > match.start()
    ]
    candidates.sort(key=lambda s: (s.start - s.end, _PRIORITY.index(s.cue), s.start))
    kept: list[_Span] = []
    for span in candidates:
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


# --- questions to the service --------------------------------------------------------------

_HELLO: Final = (
    r"(?:hi|hii|hello|helo|hey|heya|hiya|yo|howdy|sup|whats up|good (?:morning|afternoon"
    r"|evening|night)|hola|ola|buenas|buen dia|buenos dias|buenas (?:tardes|noches)|que tal"
    r"|que onda)"
)
_GREETING: Final = re.compile(
    rf"{_HELLO}(?: {_HELLO})?(?: (?:there|again|you|team|all|everyone|a todos|de nuevo))?"
)
# A question, by its words: what people open a question to the service with.
_ASKING: Final = (
    r"(?:how|can|could|would|will|is|are|do|does|what|when|whats|who|whos|why|where|am i|may i"
    r"|como|puedo|puedes|pueden|podrian|podrias|cuando|cuanto|cuantos|cuantas|quien|quienes"
    r"|que|es|eres|son|hay|me van|van a|se puede)"
)
_WORDS: Final = r"(?: \S+){0,8} "  # a few words in between, not any number: linear time
_TOPICS: Final[dict[ServiceTopic, tuple[str, ...]]] = {
    ServiceTopic.WHO: (
        r"why (?:are|r) (?:you|u) (?:texting|messaging|sending)|why am i getting (?:this|these)"
        r"|who (?:is|s) (?:this|texting|messaging)|whos (?:this|texting)|who (?:are|r) (?:you|u)"
        r"|who (?:sent|is sending) (?:this|these|me)|who (?:gave|got) (?:you|u) my (?:number|#)"
        r"|how did (?:you|u) get my (?:number|#)|what (?:is|s) this|whats this",
        r"por que me (?:escriben|mandan|llegan)|quien (?:es|eres|son|habla|me escribe|me manda"
        r"|manda esto)|quienes son|que es esto"
        r"|quien (?:me|te|les) (?:dio|paso) (?:mi|este) numero|(?:como|de donde)"
        r" (?:consiguieron|obtuvieron|sacaron|tienen) mi numero",
    ),
    ServiceTopic.OFTEN: (
        rf"how (?:often|frequently)|how many (?:texts|messages|msgs|prompts|of these|times)"
        rf"|{_ASKING}{_WORDS}(?:every day|each day|daily|less often|more often|fewer|less texts"
        rf"|fewer texts|more texts)|when (?:is|will|does) the next (?:one|text|message|prompt)"
        r"|when (?:will|do) (?:i|we) get (?:the next|another|more)",
        r"cada cuanto|con que frecuencia|cuantos mensajes|cuantas veces|menos (?:seguido"
        r"|mensajes|frecuente)|mas seguido|(?:escrib|mand|envi|lleg)\w*(?: \S+){0,8} todos los dias"
        r"|(?:escribir|mandar|enviar)\w* menos",
    ),
    ServiceTopic.TIME: (
        rf"change (?:the|my)? ?time|change when|(?:different|another|other|a later|an earlier)"
        rf" time|{_ASKING}{_WORDS}(?:text|message|send|get|write)\w*{_WORDS}"
        r"(?:\d+ ?(?:am|pm)|instead)"
        rf"|what time (?:do|does|will|are)|when do (?:the|these|your) (?:texts|messages"
        rf"|prompts)|{_ASKING}{_WORDS}(?:text|message|send|get)\w* (?:me |them |these |it )?"
        rf"(?:later|earlier|in the morning|at night|in the evening|in the afternoon)",
        r"(?:cambiar|cambio|cambia|cambiamos) (?:la|el) (?:hora|horario)|a que hora|otra hora"
        r"|otro horario|(?:escribir|escribirme|mandar|mandarme|enviar|enviarme|llegar)"
        r" (?:los mensajes )?(?:mas tarde|mas temprano|en la manana|en la noche|en la tarde)",
    ),
    ServiceTopic.PAUSE: (
        rf"{_ASKING}{_WORDS}(?:pause|take a break|a break from|hold off|skip (?:a|this|next) week"
        rf"|stop for a (?:while|week|bit|few))",
        r"(?:pausar|una pausa|un descanso|descansar de|dejar de recibir por)",
    ),
    ServiceTopic.STOP: (
        r"(?:how|can) (?:do |can )?(?:i|we) (?:stop|unsubscribe|cancel|opt out|quit|end)"
        r"|how to (?:stop|unsubscribe|cancel|opt out)|unsubscribe",
        r"(?:como|puedo) (?:me doy de baja|darme de baja|dejo de recibir|cancelo|(?:me )?salgo"
        r"|cancelar|dejar de recibir)",
    ),
    ServiceTopic.BOT: (
        r"\bbot\b|robot|automated|automatic|real (?:person|human)|a human|(?:are|r) (?:you|u)"
        r" (?:real|human|a person)|is this real|\bai\b|is anyone there|someone there"
        r"|(?:is|are) (?:someone|anyone|a person|somebody|people) (?:reading|there|on the other)",
        r"(?:es|eres) (?:un )?(?:bot|robot)|automatic[oa]|persona real|(?:eres|es) (?:real"
        r"|humano|humana|una persona)|hay alguien",
    ),
    ServiceTopic.COST: (
        r"\bcosts?\b|how much (?:does|is|will|do) (?:this|it|that|these|the)|(?:is|it|this)"
        r" (?:this |it |the service )?free|do i (?:have to )?pay|\bpay for|charge (?:me|for"
        r"|anything)|\bcharged\b|\bfees?\b|\bprice",
        r"cuanto cuesta|cuesta algo|es gratis|tiene (?:costo|coste)|(?:me )?cobran|cobra"
        r"|(?:hay|tengo) que pagar|precio",
    ),
    ServiceTopic.OTHER: (
        r"how (?:does|do) (?:this|it) work|what (?:do|should|can) i (?:do|say|reply|text|answer)"
        r"|what am i (?:supposed|meant) to|what now|how do i (?:use|reply|answer|start)"
        r"|how (?:do|can) (?:i|we) (?:add|get|invite|include|sign up) my (?:partner|husband|wife"
        r"|boyfriend|girlfriend|bf|gf)|how long (?:does|is|will) (?:this|it|the program)"
        r"|change my (?:partners|partner|husbands|wifes) name",
        r"como funciona|que (?:hago|tengo que hacer|debo hacer|respondo|contesto|digo)"
        r"|como (?:se usa|respondo|contesto)",
    ),
}
_TOPIC_PATTERNS: Final = {
    topic: re.compile("|".join(f"(?:{pattern})" for pattern in patterns))
    for topic, patterns in _TOPICS.items()
}


def question_topic(text: str) -> ServiceTopic | None:
    """What a text to the service itself is about: a greeting alone, or a question about us
    (who, how often, when, a pause, how to stop, a bot, the cost, how it works); None for a
    text that is none of these. Pure."""
    plain = _plain(without_accents(normalize(text)))
    if _GREETING.fullmatch(plain):
        return ServiceTopic.GREETING
    asks = "?" in text or "¿" in text or re.match(_ASKING + r"\b", plain) is not None
    for topic, pattern in _TOPIC_PATTERNS.items():
        if pattern.search(plain) and (asks or topic in _STATED_TOPICS):
            return topic
    return None


# Topics that need no question mark: "who is this", "is this a bot".
_STATED_TOPICS: Final = frozenset({ServiceTopic.WHO, ServiceTopic.BOT, ServiceTopic.OTHER})
