"""Three pairs written straight into the database, with every figure known in advance.

"Now" is factories.NOW, Wednesday 2026-03-18 12:00 UTC; the couples figures cover the 12 weeks
from Monday 2025-12-29.

- Ana (+14155550201) and Ben (+14155550202), paired Mar 3, active. They call each other Ana
  and Ben. Three questions: Mar 4 revealed (both answered); Mar 11 expired with only Ana's
  answer; Mar 17 open, Ben has answered. Shared answers: 4 of 6.
- Cam (+14155550203) and Dee (+14155550204), paired Mar 10, suspended: Dee's text was flagged
  Mar 13 and closed their Mar 12 question, which Cam had answered (1 of 2).
- Eve (+14155550205) and Fay (+14155550206), paired 2025-11-30, ended Mar 9 (Fay texted
  UNPAIR). Their one question, 2025-12-01, was revealed: before the period.

Individual prompts (to Ana): three sent in the period, two answered; one failed; one answered
before the period. A shared question's own outbound row, answered, is not an individual prompt.
Figures: pairs 1 active, 1 suspended, 1 ended; questions 1 open, 1 revealed, 2 expired; shared
answers 5 of 8; individual replies 2 of 3.
"""

from __future__ import annotations

import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from service.couples.models import Pair, SharedQuestion
from service.dispatch.dispatcher import SHARED_CATEGORY
from service.dispatch.models import OutboundStatus
from service.subscribers.models import Subscriber, SubscriberStatus
from tests.admin.factories import at, prompt, reply, subscriber

ANA, BEN, CAM, DEE, EVE, FAY = (f"+1415555020{n}" for n in range(1, 7))
DECEMBER = datetime.datetime(2025, 12, 1, 12, 0, tzinfo=datetime.UTC)
HOURS_48 = datetime.timedelta(hours=48)


def _pair(
    session: Session,
    first: Subscriber,
    second: Subscriber,
    created: datetime.datetime,
    ended: datetime.datetime | None = None,
) -> Pair:
    assert first.id is not None and second.id is not None
    row = Pair(first_id=first.id, second_id=second.id, created_at=created, ended_at=ended)
    session.add(row)
    session.flush()
    return row


def _question(
    session: Session,
    pair: Pair,
    created: datetime.datetime,
    *,
    first_answer: str | None = None,
    second_answer: str | None = None,
    closed: datetime.datetime | None = None,
) -> None:
    assert pair.id is not None
    both = first_answer is not None and second_answer is not None
    session.add(
        SharedQuestion(
            pair_id=pair.id,
            number=0,
            created_at=created,
            closes_at=created + HOURS_48,
            closed_at=closed,
            first_sent_at=created,
            second_sent_at=created,
            first_answer=first_answer,
            second_answer=second_answer,
            revealed_at=created + datetime.timedelta(hours=3) if both else None,
        )
    )


def seed_pairs(engine: Engine) -> dict[str, int]:
    """Write the pairs described above; the ids of the members by name and of the pairs."""
    with Session(engine) as session:
        active = SubscriberStatus.ACTIVE
        ana = subscriber(session, ANA, active, at(2), partner_name="Ben")
        ben = subscriber(session, BEN, active, at(2), partner_name="Ana")
        cam = subscriber(session, CAM, active, at(9))
        dee = subscriber(
            session,
            DEE,
            SubscriberStatus.PAUSED,
            at(9),
            partner_name="Cam",
            safety_flagged_at=at(13),
        )
        eve = subscriber(session, EVE, active, DECEMBER)
        fay = subscriber(session, FAY, active, DECEMBER)

        ab = _pair(session, ana, ben, at(3))
        _question(session, ab, at(4), first_answer="The picnic", second_answer="The market")
        _question(session, ab, at(11), first_answer="Soup", closed=at(13))
        _question(session, ab, at(17, 18), second_answer="Dancing")
        cd = _pair(session, cam, dee, at(10))
        _question(session, cd, at(12), first_answer="Our walk", closed=at(13))
        ef = _pair(session, eve, fay, DECEMBER - datetime.timedelta(days=1), at(9))
        _question(session, ef, DECEMBER, first_answer="Tea", second_answer="Rain")

        for day, answered in ((4, True), (11, False), (16, True)):
            sent = prompt(session, ana, at(day, 9), prompt_id=f"play-00{day}", category="play")
            if answered:
                reply(session, ana, at(day, 10), "We did it", sent)
        prompt(
            session, ana, at(5), prompt_id="play-009", category="play", status=OutboundStatus.FAILED
        )
        before = prompt(session, ana, DECEMBER, prompt_id="play-010", category="play")
        reply(session, ana, DECEMBER, "Long ago", before)
        shared = prompt(session, ana, at(4, 8), prompt_id="together-001", category=SHARED_CATEGORY)
        reply(session, ana, at(4, 11), "The picnic", shared)
        session.commit()
        ids = {
            name: row.id or 0
            for name, row in (("ana", ana), ("ben", ben), ("cam", cam), ("dee", dee))
        }
        return ids | {"ana_ben": ab.id or 0, "cam_dee": cd.id or 0, "eve_fay": ef.id or 0}
