"""Replies heard in their own voice, through signed webhooks, on SQLite and PostgreSQL: a flop
gets warmth, a third flop in a row a word about support, a greeting is not a win."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.conversation.tone import ReplyTone
from service.deps import Runtime
from service.wins.models import Win
from tests.conftest import a_prompt_was_sent
from tests.phone import Phone


def wins(engine: Engine) -> list[Win]:
    with Session(engine) as session:
        return list(session.exec(select(Win).order_by(col(Win.id))).all())


def reply_to_a_prompt(phone: Phone, engine: Engine, body: str) -> str:
    a_prompt_was_sent(engine, phone.number)
    reply = phone.text(body)
    assert reply is not None
    return reply


def test_a_flop_gets_warmth_and_no_cheer(phone: Phone, engine: Engine, runtime: Runtime) -> None:
    phone.join()
    reply = reply_to_a_prompt(phone, engine, "he walked away")
    assert reply in runtime.catalog.acknowledgements["went_badly"]
    assert "Love that" not in reply and "!" not in reply and "this week" not in reply
    assert [win.tone for win in wins(engine)] == [ReplyTone.WENT_BADLY]  # trying still counts


def test_a_third_flop_in_a_row_gets_a_word_about_support(
    phone: Phone, engine: Engine, runtime: Runtime
) -> None:
    pools = runtime.catalog.acknowledgements
    phone.join()
    flops = ("he walked away", "she rolled her eyes and went back to her phone")
    for body in flops:
        assert reply_to_a_prompt(phone, engine, body) in pools["went_badly"]  # no support yet
    third = reply_to_a_prompt(phone, engine, "we ended up arguing again")
    lines = [line for line in pools["support"] if third.endswith(" " + line)]
    assert len(lines) == 1, third
    assert third.removesuffix(" " + lines[0]) in pools["went_badly"]
    # Said once for the run, never pushed: the fourth flop gets warmth alone.
    assert reply_to_a_prompt(phone, engine, "he walked away") in pools["went_badly"]
    assert [win.tone for win in wins(engine)] == [ReplyTone.WENT_BADLY] * 4


def test_a_greeting_or_a_question_to_us_is_not_a_win(
    phone: Phone, engine: Engine, runtime: Runtime
) -> None:
    phone.join()
    a_prompt_was_sent(engine, phone.number)
    assert (
        phone.text("hi?")
        == "Thanks for your message! Your next prompt is on its way. MENU for options."
    )
    often = phone.text("how often will you text?")
    assert often is not None and "MORE or LESS" in often
    assert wins(engine) == []
    # The reply that follows is still the first to the prompt: a small win.
    assert phone.text("we hugged for ages") in runtime.catalog.acknowledgements["went_well"]
    assert [win.tone for win in wins(engine)] == [ReplyTone.WENT_WELL]


def test_a_spanish_flop_gets_warmth_in_spanish(
    phone: Phone, engine: Engine, runtime: Runtime
) -> None:
    assert "SI" in (phone.text("UNIRME") or "")
    phone.text("SI")
    reply = reply_to_a_prompt(phone, engine, "me dejó en visto")
    assert reply in runtime.catalog.in_language("es").acknowledgements["went_badly"]
