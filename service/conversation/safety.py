"""Does a text show that the sender may be in danger? A pure phrase matcher.

Advice to appreciate a partner is wrong for someone who is being hurt, so a text that shows a
safety concern gets resources instead of a prompt. The matcher reads whole phrases, never single
ambiguous words ("hit", "dying", "kill" alone are everyday speech), after normalize() and with
apostrophes dropped ("won't" -> "wont"). Families:

- violence by a partner: he/she/they/my husband/wife/partner/boyfriend/girlfriend/... + (an
  adverb such as "always", "keeps", "has been") + hits/beats/hurts/chokes/strangles/slaps/
  punches/abuses/threatens/attacks... + me ("he hits me", "my husband has been hitting me");
  "being abused/beaten by", "abusive partner", "domestic violence";
- threats and control: "threatened to kill/hurt me", "tried to strangle me", "won't let me leave";
- fear: "afraid/scared/terrified of him / of my partner" (the phrase must end there or go on
  with "and", "because"... so "scared of her reaction" is not one), "afraid for my life",
  "not safe at home", "don't feel safe";
- sexual violence: "raped me", "was raped", "forced me to have sex", "forced himself on me";
- self-harm and suicide: "kill myself" (not "killing myself laughing"), "want to hurt/cut
  myself", "self harm", "suicide"/"suicidal", "want to die", "end my life", "end it all",
  "better off dead", "no reason to live", "don't want to live".

Everyday phrases that share words are left alone: "beat me at scrabble", "hit me up", "my wife
will kill me if I forget", "I'm dying to try it". When in doubt the matcher leans towards
flagging: a kind message with resources costs little; a cheerful prompt to someone in danger
costs much.
"""

from __future__ import annotations

import re

from service.conversation.intents import normalize, plain_words

_PARTNER = (
    r"(?:my|our) (?:ex )?(?:husband|wife|partner|boyfriend|girlfriend|bf|gf|spouse|fiance|fiancee"
    r"|hubby|ex)s?"
)
_SUBJECT = rf"(?:he|she|they|hes|shes|theyve|theyre|{_PARTNER})"
_ADVERBS = (
    r"(?: (?:always|sometimes|often|still|just|really|keeps|kept|has|had|have|been|is|was"
    r"|will|would|even|also|again|then|literally|actually|physically|constantly|started|starts))*"
)
_HURTS = (
    r"(?:hurt|hurts|hurting|chokes?|choked|choking|strangles?|strangled|strangling|slaps?"
    r"|slapped|slapping|punch|punches|punched|punching|abuses?|abused|abusing|rapes?|raped"
    r"|raping|threatens?|threatened|threatening|attacks?|attacked|attacking|assaults?|assaulted"
    r"|shoves?|shoved|shoving)"
)
# A pause before the "why" keeps the phrase about the person, not about their reaction or cooking.
_ENDS_PHRASE = (
    r"(?=$| (?:and|because|cause|cuz|bc|he|she|they|now|lately|sometimes|too|so|anymore|again"
    r"|i|right|since|who|it)\b)"
)

_SAFETY_CONCERN = re.compile(
    "|".join(
        rf"\b(?:{pattern})"
        for pattern in (
            # violence by a partner
            rf"{_SUBJECT}{_ADVERBS} {_HURTS} (?:me|us)\b",
            rf"{_SUBJECT}{_ADVERBS} (?:hit|hits|hitting) (?:me|us)\b(?! up\b)",
            rf"{_SUBJECT}{_ADVERBS} (?:beat|beats|beating) (?:me|us)\b(?! (?:at|in|to|up)\b)",
            rf"(?:being|getting|got|was|been) (?:hit|beaten|abused|choked|strangled|slapped"
            rf"|punched|threatened|raped|assaulted) by (?:him|her|them|{_PARTNER})\b",
            r"(?:im|i am) being (?:abused|beaten|hurt)\b",
            r"abusive (?:husband|wife|partner|boyfriend|girlfriend|relationship|marriage|ex)\b",
            rf"(?:he|she|they|{_PARTNER}) (?:is|are|was|has been|can be|gets) (?:abusive|violent)",
            r"domestic (?:violence|abuse)\b",
            # threats and control
            r"threat(?:ened|ens|ening|en) to (?:kill|hurt|beat|shoot|stab|choke|strangle)"
            r" (?:me|us|my|our|the kids)\b",
            r"(?:tried|tries|trying) to (?:kill|strangle|choke|hurt|drown|suffocate) (?:me|us)\b",
            rf"{_SUBJECT}{_ADVERBS} (?:wont|will not|doesnt|does not|didnt|did not|never) let me"
            r" (?:leave|see my (?:friends|family)|have (?:my )?(?:phone|money|keys|car))\b",
            # fear
            rf"(?:afraid|scared|terrified|frightened|fearful) of (?:him|her|them|{_PARTNER})"
            rf"{_ENDS_PHRASE}",
            r"(?:afraid|scared|terrified|frightened|fearful|fear|fearing) for my (?:life|safety)\b",
            r"(?:afraid|scared|terrified) to (?:go home|go back home|be home|be at home)\b",
            rf"(?:afraid|scared|terrified) to leave (?:him|her|them|{_PARTNER})\b",
            r"(?:(?:im|i am) not|(?:i )?(?:dont|do not|never|no longer) feel|not feeling) safe"
            r"(?=$| (?:at home|here|with|around|in my|anymore|when|there)\b)",
            r"(?:im|i am|i feel|feeling) unsafe\b",
            r"not safe (?:at home|in my (?:home|house))\b",
            # sexual violence
            r"(?:raped|rapes|raping|molested|molests|sexually assaulted) (?:me|us)\b",
            r"(?:i was|i got|ive been|i have been|i been) (?:raped|sexually assaulted|molested)\b",
            r"(?:forced|forces|forcing|makes|made|pressured|pressures|coerced|coerces) me"
            r" (?:to have sex|into having sex|into sex)\b",
            r"forced (?:himself|herself|themself|themselves) on me\b",
            # self-harm and suicide
            r"(?:kill|killing) myself\b(?! laughing)",
            r"(?:want|wanna|wanting|going|gonna|plan|planning|thinking about|thought about"
            r"|think about|urge|urges|tempted) (?:to )?(?:hurt|hurting|harm|harming|cut|cutting)"
            r" myself\b",
            r"(?:been|keep|started|start) (?:hurting|harming|cutting) myself\b",
            r"(?:harm|harming) myself\b",
            r"self ?harm(?:ing|ed)?\b",
            r"suicid(?:e|al)\b(?! squad)",
            r"(?:want|wanna|wanting|going|gonna|ready|i just want) (?:to )?die\b",
            r"wish i (?:was|were|could be) dead\b",
            r"better off (?:dead|without me)\b",
            r"(?:end|ending|take|taking) my (?:own )?life\b",
            r"end it all\b",
            r"no (?:reason|point) (?:to live|in living|living)\b",
            r"nothing (?:left )?to live for\b",
            r"(?:dont|do not) want to (?:live|be alive|wake up)\b",
        )
    )
)


def shows_safety_concern(text: str) -> bool:
    return _SAFETY_CONCERN.search(plain_words(normalize(text))) is not None
