import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.conversation.safety import shows_safety_concern

CONCERNS = [
    # violence by a partner
    "he hits me",
    "she hit me",
    "my partner hurts me",
    "My boyfriend beats me",
    "my husband has been hitting me again",
    "my girlfriend slapped me last night",
    "HE STRANGLED ME",
    "ＨＥ ＨＩＴＳ ＭＥ",
    "she choked me",
    "my wife abuses me",
    "he’s been abusing me for years",
    "they threatened me",
    "my ex husband keeps threatening me",
    "I am being abused",
    "I'm getting hit by my partner",
    "domestic violence",
    "my husband is abusive",
    # threats and control
    "he threatened to kill me",
    "she threatened to hurt my kids",
    "he tried to strangle me",
    "he won't let me leave",
    "he won't let me see my friends",
    # fear
    "I'm afraid of him",
    "scared of my husband",
    "I’m terrified of my husband",
    "I'm scared of him, he yells",
    "afraid for my life",
    "i fear for my safety",
    "i'm not safe at home",
    "I don't feel safe at home",
    "i feel unsafe",
    "I'm scared to go home",
    # sexual violence
    "he raped me",
    "i was raped",
    "he forced me to have sex",
    "she forced herself on me",
    # self-harm and suicide
    "want to kill myself",
    "i want to die",
    "I want to end my life",
    "I want to hurt myself",
    "i've been self-harming",
    "self harm",
    "suicidal",
    "i'm thinking about suicide",
    "no reason to live",
    "better off dead",
    "everyone would be better off without me",
    "i wish i was dead",
    "i dont want to live anymore",
    "i just want to end it all",
    "I have nothing to live for",
]


@pytest.mark.parametrize("text", CONCERNS)
def test_signs_of_danger_are_a_safety_concern(text: str) -> None:
    assert shows_safety_concern(text)


NEAR_MISSES = [
    "this prompt hit me right in the heart",
    "killing it today!",
    "I'm dying to try that restaurant",
    "he's afraid of spiders",
    "we were scared watching the movie",
    "my back hurts",
    "the hug hurt my sunburn lol",
    "we fought over the remote and laughed",
    "I'd kill for a date night",
    "dead tired but we talked",
    "she beat me at scrabble again",
    "he beats me to the shower every morning",
    "he hit me up after work",
    "my wife will kill me if I forget our anniversary",
    "I'm killing myself laughing at this one",
    "I was scared of her reaction but she loved it",
    "afraid of my wife's cooking lol",
    "she's terrified of heights",
    "I hurt my ankle on our walk",
    "he would never hurt me",
    "he doesn't hit me, he hugs me",
    "I feel safe with him",
    "she won't let me pay for dinner",
    "time to kill before the movie",
    "this prompt is killing me",
    "he threatened to make pancakes",
    "I'd die for her",
    "I'm safe, thanks for asking",
    "we watched Suicide Squad",
    "the kids were terrified of the clown",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_everyday_phrases_that_share_words_are_not_a_safety_concern(text: str) -> None:
    assert not shows_safety_concern(text)


@given(
    text=st.sampled_from(CONCERNS),
    before=st.text(alphabet=" .,!?…'\"🙏😢", max_size=3),
    after=st.text(alphabet=" .,!?…'\"🙏😢", max_size=3),
    shout=st.booleans(),
)
def test_case_and_surrounding_punctuation_do_not_hide_a_concern(
    text: str, before: str, after: str, shout: bool
) -> None:
    assert shows_safety_concern(f"{before}{text.upper() if shout else text}{after}")


@given(st.text())
def test_any_text_gets_an_answer(text: str) -> None:
    assert shows_safety_concern(text) in (True, False)
