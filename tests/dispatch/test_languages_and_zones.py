"""Spanish and zones end to end: signed webhooks, real ticks through the SDK to the local
Twilio-compatible server, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from service.deps import Runtime
from service.dispatch.dispatcher import Dispatcher
from service.dispatch.models import OutboundKind, OutboundMessage
from service.scheduling.schedule import DEFAULT_SEND_WINDOW, inside_every_window
from service.scheduling.state_rules import default_rules, narrowed, rule_for
from service.scheduling.zones import zones_of
from service.subscribers.models import Subscriber, SubscriberStatus
from tests.dispatch.conftest import run_tick
from tests.fake_twilio import FakeTwilio
from tests.phone import Phone

T0 = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
PROGRAM_ES = ("Pueden aplicarse tarifas de mensajes y datos", "AYUDA", "ALTO", "SI")


def member(engine: Engine, number: str) -> Subscriber:
    with Session(engine) as session:
        return session.exec(select(Subscriber).where(Subscriber.phone == number)).one()


def prompts_to(engine: Engine, number: str) -> list[OutboundMessage]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(OutboundMessage)
                .where(OutboundMessage.phone == number, OutboundMessage.slot_at.is_not(None))  # type: ignore[union-attr]
                .order_by(col(OutboundMessage.id))
            )
        )


@pytest.fixture
def at_t0(runtime: Runtime, client: object) -> Runtime:
    runtime.clock = lambda: T0  # after the app is built: it sets the clock of its own
    return runtime


def test_a_spanish_member_joins_gets_a_spanish_prompt_replies_and_stops(
    at_t0: Runtime, phone: Phone, engine: Engine, dispatcher: Dispatcher, fake_twilio: FakeTwilio
) -> None:
    confirm = phone.text("UNIRME") or ""
    for required in PROGRAM_ES:
        assert required in confirm, required
    assert member(engine, phone.number).language == "es"
    assert "Qué gusto" in (phone.text("Sí") or "")
    first = member(engine, phone.number).next_prompt_at
    assert first is not None
    assert run_tick(dispatcher, first).sent == 1
    [sent] = fake_twilio.messages
    [prompt] = prompts_to(engine, phone.number)
    assert prompt.prompt_id is not None and prompt.prompt_id.startswith("es-")
    assert sent.body == prompt.body
    at_t0.clock = lambda: first + datetime.timedelta(hours=1)
    acknowledged = phone.text("Lo hicimos anoche y nos reímos mucho") or ""
    assert acknowledged in at_t0.catalog.in_language("es").acknowledgements["went_well"]
    assert "no recibirás más mensajes" in (phone.text("ALTO") or "")
    assert member(engine, phone.number).status is SubscriberStatus.OPTED_OUT


def test_an_english_member_texting_baja_is_opted_out_in_english(
    at_t0: Runtime, phone: Phone, engine: Engine
) -> None:
    phone.join()
    assert "unsubscribed" in (phone.text("BAJA") or "")
    assert member(engine, phone.number).status is SubscriberStatus.OPTED_OUT


def test_espanol_and_english_switch_the_language_at_any_time(
    at_t0: Runtime, phone: Phone, engine: Engine
) -> None:
    phone.join()
    assert "en español" in (phone.text("ESPAÑOL") or "")
    assert "LOGROS" in (phone.text("menu") or "")
    assert "English" in (phone.text("english") or "")
    assert member(engine, phone.number).language == "en"


def test_a_stranger_writing_spanish_learns_how_to_join_in_both_languages(phone: Phone) -> None:
    reply = phone.text("Hola, ¿información?") or ""
    assert "JOIN" in reply and "UNIRME" in reply
    assert "UNIRME" not in (phone.other("+14155550124").text("hello?") or "")


def test_ayuda_is_help_in_spanish_for_anyone(phone: Phone, engine: Engine) -> None:
    reply = phone.text("AYUDA") or ""
    assert "Pueden aplicarse tarifas de mensajes y datos" in reply and "ALTO" in reply
    assert not Session(engine).exec(select(Subscriber)).all()  # nothing changes


def test_zone_perth_sets_the_zone_answers_with_its_time_and_moves_the_prompt(
    at_t0: Runtime, phone: Phone, engine: Engine
) -> None:
    phone.join()
    before = member(engine, phone.number).next_prompt_at
    reply = phone.text("ZONE perth") or ""
    assert "Perth" in reply and "8pm" in reply  # 12:00 UTC is 20:00 in Perth
    now_in_perth = member(engine, phone.number)
    assert (now_in_perth.timezone, now_in_perth.zone_confirmed) == ("Australia/Perth", True)
    assert now_in_perth.next_prompt_at != before


@pytest.mark.parametrize("place", ["blorgville", "", "x" * 500])
def test_zone_with_nonsense_gets_a_hint_and_changes_nothing(
    at_t0: Runtime, phone: Phone, engine: Engine, place: str
) -> None:
    phone.join()
    before = member(engine, phone.number)
    assert "ZONE" in (phone.text(f"ZONE {place}") or "")
    after = member(engine, phone.number)
    assert (after.timezone, after.next_prompt_at) == (before.timezone, before.next_prompt_at)


@pytest.mark.parametrize(
    "number",
    [
        "+6421123456",  # New Zealand: Auckland or Chatham
        "+61412345678",  # an Australian mobile: eight zones
        "+447911123456",  # a UK mobile: London, Guernsey, Jersey, Isle of Man
        "+12085551234",  # Idaho's 208: Boise or Los Angeles
        "+13055551234",  # Miami: Florida's 08:00-20:00
    ],
)
def test_a_number_ticked_at_night_waits_and_by_day_gets_its_prompt(
    at_t0: Runtime,
    phone: Phone,
    engine: Engine,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    number: str,
) -> None:
    texter = phone.other(number)
    texter.join()
    subscriber = member(engine, number)
    zones = zones_of(subscriber.timezone, subscriber.candidate_zones)
    window = narrowed(DEFAULT_SEND_WINDOW, rule_for(number, default_rules()))
    # 23:30 in the schedule's own zone: night there, whatever the others say.
    night = datetime.datetime.combine(
        datetime.date(2026, 3, 12), datetime.time(23, 30), zones[0]
    ).astimezone(datetime.UTC)
    with Session(engine) as session:
        session.execute(
            update(Subscriber).where(col(Subscriber.phone) == number).values(next_prompt_at=night)
        )
        session.commit()
    assert run_tick(dispatcher, night).sent == 0
    morning = member(engine, number).next_prompt_at
    assert morning is not None and morning > night
    assert inside_every_window(morning, zones, window)
    assert run_tick(dispatcher, morning).sent == 1
    [prompt] = [p for p in prompts_to(engine, number) if p.kind == OutboundKind.PROMPT]
    assert prompt.created_at == morning


def test_danger_told_in_spanish_gets_the_resources_in_spanish(
    at_t0: Runtime, phone: Phone, engine: Engine
) -> None:
    stranger = phone.other("+14155550125")
    assert (stranger.text("mi esposo me amenazó con matarme") or "").startswith("Gracias")
    phone.text("UNIRME")
    phone.text("SI")
    reply = phone.text("tengo miedo, me golpeó anoche") or ""
    assert reply.startswith("Gracias") and "REANUDAR" in reply
    assert member(engine, phone.number).status is SubscriberStatus.PAUSED


def test_informacion_from_a_stranger_gets_the_join_text_in_both_languages(phone: Phone) -> None:
    reply = phone.text("información") or ""
    assert "JOIN" in reply and "UNIRME" in reply
