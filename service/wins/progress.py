"""Progress in the words people use ("three tries this week"), never as points."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, func, select

from service.catalog.reply_texts import ReplyTexts
from service.conversation.models import InboundMessage
from service.database import table_of
from service.sms_encoding import is_gsm7
from service.wins.models import Win

QUOTE_LENGTH = 40

_win = table_of(Win)
_inbound = table_of(InboundMessage)
_LATEST_WIN_TEXT = (
    select(_inbound.c.body)
    .join(_win, _win.c.inbound_id == _inbound.c.id)
    .where(_win.c.subscriber_id == bindparam("owner"))
    .order_by(_win.c.created_at.desc(), _win.c.id.desc())
    .limit(1)
    .scalar_subquery()
)
_WINS_SO_FAR = select(func.count(), func.min(_win.c.created_at), _LATEST_WIN_TEXT).where(
    _win.c.subscriber_id == bindparam("owner")
)


def in_words(n: int, texts: ReplyTexts) -> str:
    """3 -> "three", in the language of `texts`; digits past its list."""
    if 1 <= n <= len(texts.numbers):
        return texts.numbers[n - 1]
    return str(n)


def progress_phrase(wins_this_week: int, texts: ReplyTexts) -> str:
    """ "That's three tries this week.": for two or more, since "one tries" reads wrong."""
    if wins_this_week < 2:
        return ""
    return texts.sentence("progress", count=in_words(wins_this_week, texts))


def brief_quote(text: str, limit: int = QUOTE_LENGTH) -> str:
    """A short, GSM-7-safe excerpt, so quoting it back never turns a reply into UCS-2."""
    plain = " ".join("".join(ch for ch in text if is_gsm7(ch)).split())
    plain = plain.replace('"', "'")
    return plain if len(plain) <= limit else plain[: limit - 3].rstrip() + "..."


def summary_text(
    total: int, since: datetime.date | None, latest: str | None, texts: ReplyTexts
) -> str:
    if total == 0 or since is None:
        return texts.sentence("wins_none")
    when = texts.day(since, "short_date")
    if total == 1:
        text = texts.sentence("wins_one", since=when)
    else:
        text = texts.sentence("wins_many", count=str(total), since=when)
    quote = brief_quote(latest or "")
    if quote:
        text += " " + texts.sentence("wins_latest", quote=quote)
    return text + " " + texts.sentence("wins_end")


def wins_summary(
    connection: Connection, subscriber_id: int, timezone: str, texts: ReplyTexts
) -> str:
    total, first, latest = connection.execute(_WINS_SO_FAR, {"owner": subscriber_id}).one()
    since = None
    if first is not None:
        since = first.astimezone(ZoneInfo(timezone)).date()
    return summary_text(int(total), since, latest, texts)
