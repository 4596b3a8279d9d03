"""How each prompt in the catalog lands: how often it was sent and how often it got a reply."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from service.admin.stats import rate, sent_prompt
from service.catalog import Catalog
from service.dispatch.models import OutboundMessage
from service.wins.models import Win


class PromptFigures(BaseModel):
    id: str
    category: str | None
    category_label: str | None
    text: str | None  # None for a prompt no longer in the catalog
    love_language: str | None
    in_catalog: bool
    sent: int
    replied: int
    reply_rate: float


def rank_prompts(
    catalog: Catalog, sent: Mapping[str, int], replied: Mapping[str, int]
) -> list[PromptFigures]:
    """Every catalog prompt, plus retired ones that were sent; best reply rate first, and among
    equals the most sent first (a rate over more sends says more)."""
    rows = [
        PromptFigures(
            id=prompt.id,
            category=prompt.category,
            category_label=catalog.categories.get(prompt.category, prompt.category),
            text=prompt.text,
            love_language=prompt.love_language,
            in_catalog=True,
            sent=sent.get(prompt.id, 0),
            replied=replied.get(prompt.id, 0),
            reply_rate=rate(replied.get(prompt.id, 0), sent.get(prompt.id, 0)),
        )
        for prompt in catalog.prompts
    ]
    known = {prompt.id for prompt in catalog.prompts}
    rows += [
        PromptFigures(
            id=prompt_id,
            category=None,
            category_label=None,
            text=None,
            love_language=None,
            in_catalog=False,
            sent=count,
            replied=replied.get(prompt_id, 0),
            reply_rate=rate(replied.get(prompt_id, 0), count),
        )
        for prompt_id, count in sent.items()
        if prompt_id not in known
    ]
    return sorted(rows, key=lambda row: (-row.reply_rate, -row.sent, row.id))


def catalog_figures(engine: Engine, catalog: Catalog) -> list[PromptFigures]:
    with Session(engine) as session:
        sent = {
            str(prompt_id): int(n)
            for prompt_id, n in session.exec(
                select(OutboundMessage.prompt_id, func.count())
                .where(sent_prompt(), col(OutboundMessage.prompt_id).is_not(None))
                .group_by(col(OutboundMessage.prompt_id))
            )
        }
        replied = {
            str(prompt_id): int(n)
            for prompt_id, n in session.exec(
                select(OutboundMessage.prompt_id, func.count(func.distinct(Win.outbound_id)))
                .join(Win, col(Win.outbound_id) == col(OutboundMessage.id))
                .where(sent_prompt(), col(OutboundMessage.prompt_id).is_not(None))
                .group_by(col(OutboundMessage.prompt_id))
            )
        }
    return rank_prompts(catalog, sent, replied)
