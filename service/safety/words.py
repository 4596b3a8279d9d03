"""From a raw text to the words the safety rules read: a pure function, linear in the text.

People write about danger in a hurry, on a phone, often hiding it: no punctuation, no
apostrophes, typos, slang. So a text is read in three steps:

1. normalised as every inbound text is (NFKC, case folded, curly apostrophes straightened),
   then reduced to letters and digits with apostrophes dropped ("he'll" -> "hell");
2. slang and contractions spelled out ("kms" -> "kill myself", "bf" -> "boyfriend",
   "dont" -> "do not", "gonna" -> "going to"), so each rule is written once;
3. misspellings of the rules' own words corrected ("husbnad" -> "husband", "thretened" ->
   "threatened"): a word that is not in a general English word list is replaced by the
   nearest rule word within one edit, or two in longer words, with rapidfuzz. Real words are
   never corrected, so "chose" never becomes "choke".

The slang and emoji it spells out are data, in rules/words.yaml.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA
from spellchecker import SpellChecker

from service.conversation.intents import normalize, plain_words

# Censored or shorthand spellings, and emoji that stand for a word, read before the text is
# reduced to plain words ("r@ped", "ab*se", "s/h", "🔪").
_BEFORE_WORDS = (
    (re.compile(r"\bw/o\b"), " without "),
    (re.compile(r"\bbaby ?(?:daddy|dad|father)\b"), " babydaddy "),
    (re.compile(r"\bbaby ?(?:mama|momma|mother|mom)\b|\bbm\b"), " babymama "),
    (re.compile(r"\bs/a['’]?d\b"), " sexually assaulted "),
    (re.compile(r"\bs/a\b"), " sexual assault "),
    (re.compile(r"\bs/h\b"), " self harm "),
    (re.compile(r"(?<=[a-z])[@](?=[a-z])"), "a"),
    (re.compile(r"(?<=[a-z])[$](?=[a-z])"), "s"),
    (re.compile(r"(?<=[a-z])[*]+(?=[a-z])"), ""),
)


_OWNERS = frozenset({"my", "your", "his", "her", "their", "our", "the", "an", "photo"})
_COUNTING = frozenset(
    {"in", "for", "like", "about", "than", "the", "every", "over", "last", "past"}
)
_SPELLING = SpellChecker(language="en", distance=1)
# Words rarer than this in the word list are more likely typos of common ones ("hurst").
_KNOWN_FREQUENCY = 100
_SHORTEST_CORRECTED = 4
_TWO_TYPOS = 6
_LONG_WORD = 7
_MAX_TOKENS = 400  # an SMS is at most 1,600 characters: about 300 words


_INFLECTED = re.compile(r"([a-z]+)\(\?:([a-z|]+)\)")


def rule_vocabulary(patterns: list[str]) -> frozenset[str]:
    """Every plain word written in the rules, inflections spelled out ("abus(?:e|es)" gives
    "abuse", "abuses"): the targets of spelling correction."""
    words: set[str] = set()
    for pattern in patterns:
        for stem, endings in _INFLECTED.findall(pattern):
            words.update(stem + ending for ending in endings.split("|"))
        words.update(re.findall(r"[a-z]+", pattern))
    return frozenset(word for word in words if len(word) >= _SHORTEST_CORRECTED)


def _is_known(word: str) -> bool:
    return bool(_SPELLING.word_frequency[word] >= _KNOWN_FREQUENCY)


def strip_accents(text: str) -> str:
    """ "amenazó" -> "amenazo", "niño" -> "nino": people often text without accents, so rules
    are written without them and texts are read without them."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


@functools.cache
def known_spanish_words() -> frozenset[str]:
    """pyspellchecker's Spanish word list (offline, in the package), without accents. It lacks
    many verb forms ("quiero", "sigue"), so it guards correction but is not a lexicon."""
    return frozenset(
        strip_accents(word) for word in SpellChecker(language="es").word_frequency.dictionary
    )


def _is_spanish(word: str) -> bool:
    return word in known_spanish_words()


class Reader:
    """Turns a text into the spelled-out, corrected words the rules read.

    `spelled_out` maps slang and contractions to words ("kms" -> "kill myself"; "hell" reads
    "he will": the rules never need the noun); `emoji` maps an emoji to the word it stands for.
    """

    def __init__(
        self,
        vocabulary: frozenset[str],
        spelled_out: Mapping[str, str],
        emoji: Mapping[str, str],
        spanish: bool = False,
    ) -> None:
        self._spanish = spanish
        self._is_known: Callable[[str], bool] = _is_spanish if spanish else _is_known
        if spanish:
            known_spanish_words()  # loaded with the rules, not while the first text waits
        self._vocabulary = tuple(sorted(vocabulary))
        self._vocabulary_set = vocabulary
        self._spelled_out = spelled_out
        self._emoji = emoji
        self._emoji_pattern = re.compile("|".join(map(re.escape, emoji)))
        self.correct = functools.lru_cache(maxsize=4096)(self._correct)

    def words(self, text: str) -> str:
        folded = normalize(
            self._emoji_pattern.sub(lambda found: f" {self._emoji[found.group()]} ", text)
        )
        for pattern, replacement in _BEFORE_WORDS:
            folded = pattern.sub(replacement, folded)
        if self._spanish:
            folded = strip_accents(folded)
        tokens = plain_words(folded).split()[:_MAX_TOKENS]
        return " ".join(
            self._read(token, tokens[index - 1] if index else "")
            for index, token in enumerate(tokens)
        )

    def _read(self, token: str, before: str) -> str:
        if token == "id" and before in _OWNERS:
            return token  # "my ID card", not "my I'd"
        if token == "2" and before in _COUNTING:
            return token  # "in 2 years", not "in to years"
        return self._spelled_out.get(token) or self.correct(token)

    def _correct(self, token: str) -> str:
        if (
            len(token) < _SHORTEST_CORRECTED
            or token in self._vocabulary_set
            or not token.isalpha()
            or self._is_known(token)
        ):
            return token
        if self._spanish:
            return self._correct_spanish(token)
        if token.endswith("in") and _is_known(token + "g"):
            return token + "g"  # "followin", "callin": the g people drop
        allowed = 2 if len(token) >= _TWO_TYPOS else 1
        candidates = [
            (word, distance)
            for word, distance, _ in process.extract(
                token, self._vocabulary, scorer=OSA.distance, score_cutoff=allowed, limit=None
            )
            # Two typos in a short word are trusted only where the word starts right.
            if distance < 2
            or (
                _SPELLING.word_frequency[token] == 0  # two typos only in a word nobody uses
                and (len(token) >= _LONG_WORD or (word[:2] == token[:2] and word[-1] == token[-1]))
            )
        ]
        if not candidates:
            return token
        # Typos rarely change the first letter: "scard" is "scared", not "card".
        best = min(
            candidates, key=lambda found: (found[1], found[0][0] != token[0], -len(found[0]))
        )
        return str(best[0])

    def _correct_spanish(self, token: str) -> str:
        """A typo that sounds the same ("amenaso", "cuchiyo"), or one letter dropped or changed
        inside the word. Never at its end: Spanish inflects there, and the word list lacks
        most verb forms, so "pegue" (I hit myself) must not become "pego" (he hit me)."""
        sound = _sounds(token)
        candidates = [
            (str(word), distance)
            for word, distance, _ in process.extract(
                token, self._vocabulary, scorer=OSA.distance, score_cutoff=2, limit=None
            )
            if _sounds(word) == sound
            or (distance == 1 and len(word) >= len(token) and _same_ends(word, token))
        ]
        if not candidates:
            return token
        return min(candidates, key=lambda found: (found[1], -len(found[0]), found[0]))[0]


_SOUNDS = (("ch", "C"), ("ll", "y"), ("h", ""), ("z", "s"), ("ce", "se"), ("ci", "si"))
_SOUNDS_LAST = (("v", "b"), ("qu", "k"), ("c", "k"))


def _sounds(word: str) -> str:
    """How a Spanish word sounds in most of America: s, z and soft c alike, ll like y, b like
    v, h silent; the typos people make by ear."""
    for spelled, sound in _SOUNDS + _SOUNDS_LAST:
        word = word.replace(spelled, sound)
    return word


def _same_ends(word: str, token: str) -> bool:
    return word[:2] == token[:2] and word[-2:] == token[-2:]
