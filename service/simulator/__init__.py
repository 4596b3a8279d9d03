"""The phone simulator (/simulator): try the whole experience without a Twilio number.

Installed only with the console SMS transport. See service.simulator.routes.
"""
