"""How an SMS leaves the service.

The Twilio transport lives in service.transport.twilio_rest; it is not imported here so that
using the console transport does not load the Twilio SDK.
"""

from service.transport.base import Delivery, SendResult, Transport
from service.transport.console import ConsoleTransport

__all__ = ["ConsoleTransport", "Delivery", "SendResult", "Transport"]
