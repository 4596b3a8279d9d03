"""Every table, imported in one place so Alembic and create_all see the whole schema."""

from service.admin.erased import ErasedNumber
from service.conversation.models import InboundMessage
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.subscribers.models import (
    ConsentEvent,
    ConsentKind,
    ConsentMethod,
    Subscriber,
    SubscriberStatus,
)
from service.wins.models import Win

__all__ = [
    "ConsentEvent",
    "ConsentKind",
    "ConsentMethod",
    "ErasedNumber",
    "InboundMessage",
    "OutboundKind",
    "OutboundMessage",
    "OutboundStatus",
    "Subscriber",
    "SubscriberStatus",
    "Win",
]
