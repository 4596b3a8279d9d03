import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.sms_encoding import (
    GSM7_BASIC_CHARACTERS,
    GSM7_EXTENSION_CHARACTERS,
    Encoding,
    SegmentInfo,
    is_gsm7,
    non_gsm_characters,
    segment_info,
    smart_encoded,
)

GSM7_ALPHABET = sorted(GSM7_BASIC_CHARACTERS | GSM7_EXTENSION_CHARACTERS)
gsm7_texts = st.text(alphabet=GSM7_ALPHABET, max_size=500)
non_gsm7_characters = st.characters(codec="utf-8").filter(lambda c: not is_gsm7(c))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SegmentInfo(Encoding.GSM7, 0, 1)),
        ("Hi", SegmentInfo(Encoding.GSM7, 2, 1)),
        ("a" * 160, SegmentInfo(Encoding.GSM7, 160, 1)),
        ("a" * 161, SegmentInfo(Encoding.GSM7, 161, 2)),
        ("a" * 153 * 2, SegmentInfo(Encoding.GSM7, 306, 2)),
        ("a" * 307, SegmentInfo(Encoding.GSM7, 307, 3)),
        ("Lunch for 5€?", SegmentInfo(Encoding.GSM7, 14, 1)),
        ("€" * 80, SegmentInfo(Encoding.GSM7, 160, 1)),
        ("€" * 81, SegmentInfo(Encoding.GSM7, 162, 2)),
        ("{partner}", SegmentInfo(Encoding.GSM7, 11, 1)),
        ("Ça va? Grüße, señor! ¿Qué? Ø@£$¥§", SegmentInfo(Encoding.GSM7, 33, 1)),
        # 306 septets, but the euro's escape pair cannot straddle segments 1 and 2.
        ("a" * 152 + "€" + "a" * 152, SegmentInfo(Encoding.GSM7, 306, 3)),
        ("It’s your turn", SegmentInfo(Encoding.UCS2, 14, 1)),
        ("“Thank you”", SegmentInfo(Encoding.UCS2, 11, 1)),
        ("Hi 😀", SegmentInfo(Encoding.UCS2, 5, 1)),
        ("’" + "a" * 69, SegmentInfo(Encoding.UCS2, 70, 1)),
        ("’" + "a" * 70, SegmentInfo(Encoding.UCS2, 71, 2)),
        ("’" + "a" * 133, SegmentInfo(Encoding.UCS2, 134, 2)),
        ("’" + "a" * 134, SegmentInfo(Encoding.UCS2, 135, 3)),
        ("😀" * 35, SegmentInfo(Encoding.UCS2, 70, 1)),
        # 134 code units, but the emoji's surrogate pair cannot straddle segments 1 and 2.
        ("’" + "a" * 65 + "😀" + "a" * 66, SegmentInfo(Encoding.UCS2, 134, 3)),
        ("a" * 200 + "—", SegmentInfo(Encoding.UCS2, 201, 3)),
    ],
)
def test_segment_info_of_known_texts(text: str, expected: SegmentInfo) -> None:
    assert segment_info(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, love!", True),
        ("", True),
        ("Line one\nLine two\r\n", True),
        ("[~]|^{}\\€\f", True),
        ("Ü ö ñ à é Δ Ω ß", True),
        ("It’s", False),
        ("wait — what", False),
        ("and…", False),
        ("😀", False),
        ("tab\there", False),
        ("\x1b", False),
    ],
)
def test_is_gsm7(text: str, expected: bool) -> None:
    assert is_gsm7(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plain text", []),
        ("It’s “fine” 😀, it’s fine", ["’", "“", "”", "😀"]),
        ("5€ and ½", ["½"]),
    ],
)
def test_non_gsm_characters_lists_each_offender_once_in_order(
    text: str, expected: list[str]
) -> None:
    assert non_gsm_characters(text) == expected


@given(gsm7_texts, st.integers(min_value=0, max_value=500))
def test_gsm7_segments_never_shrink_as_the_text_grows(text: str, cut: int) -> None:
    assert segment_info(text[:cut]).segments <= segment_info(text).segments


@given(gsm7_texts)
def test_gsm7_units_count_extension_characters_twice(text: str) -> None:
    info = segment_info(text)
    extension_count = sum(1 for c in text if c in GSM7_EXTENSION_CHARACTERS)
    assert info.encoding is Encoding.GSM7
    assert info.units == len(text) + extension_count


@given(st.text(), non_gsm7_characters, st.text())
def test_one_non_gsm_character_makes_the_whole_text_ucs2(
    before: str, offender: str, after: str
) -> None:
    text = before + offender + after
    info = segment_info(text)
    assert info.encoding is Encoding.UCS2
    assert info.units == len(text.encode("utf-16-le")) // 2
    assert offender in non_gsm_characters(text)
    assert not is_gsm7(text)


@given(st.text(max_size=600))
def test_segments_hold_all_units_and_never_drop_below_one(text: str) -> None:
    info = segment_info(text)
    assert info.segments >= 1
    single_limit, multipart_limit = (160, 153) if info.encoding is Encoding.GSM7 else (70, 67)
    if info.segments == 1:
        assert info.units <= single_limit
    else:
        assert info.units > single_limit
        assert info.units <= info.segments * multipart_limit


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("don\u2019t", "don't"),
        ("\u201cyes\u201d", '"yes"'),
        ("a \u2014 b \u2013 c", "a - b - c"),
        ("wait\u2026", "wait..."),
        ("two\u00a0words", "two words"),
        ("zero\u200bwidth", "zerowidth"),
        ("ya está", "ya está"),  # real letters stay what they are
    ],
)
def test_smart_encoding_sends_look_alikes_as_gsm7(typed: str, sent: str) -> None:
    assert smart_encoded(typed) == sent


LOOK_ALIKES = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0\u2009\u200b\u00ab\u00bb"


@given(st.text(alphabet=st.sampled_from("abc XYZ .,!?'\"-" + LOOK_ALIKES), max_size=200))
def test_smart_encoding_makes_a_text_of_look_alikes_gsm7_and_is_idempotent(text: str) -> None:
    sent = smart_encoded(text)
    assert is_gsm7(sent)
    assert smart_encoded(sent) == sent
