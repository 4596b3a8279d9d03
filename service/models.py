"""Every table, imported in one place so Alembic and create_all see the whole schema."""

from service.admin.erased import ErasedNumber
from service.checkins.models import CheckIn
from service.conversation.models import InboundMessage
from service.couples.models import FailedPairCode, Pair, PairCode, SharedQuestion
from service.dashboard.models import FailedSignIn, RevokedSession
from service.dispatch.models import OutboundKind, OutboundMessage, OutboundStatus
from service.safety.models import AuditAction, SafetyAudit, SafetyFlag
from service.subscribers.models import (
    ConsentEvent,
    ConsentKind,
    ConsentMethod,
    Subscriber,
    SubscriberStatus,
)
from service.wins.models import Win

__all__ = [
    "AuditAction",
    "CheckIn",
    "ConsentEvent",
    "ConsentKind",
    "ConsentMethod",
    "ErasedNumber",
    "FailedPairCode",
    "FailedSignIn",
    "InboundMessage",
    "OutboundKind",
    "OutboundMessage",
    "OutboundStatus",
    "Pair",
    "PairCode",
    "RevokedSession",
    "SafetyAudit",
    "SafetyFlag",
    "SharedQuestion",
    "Subscriber",
    "SubscriberStatus",
    "Win",
]
