"""The monthly closeness check-in: one question in place of a prompt, a 1-5 answer kept apart
from wins, and the figures a programme can show (self-report, no control group)."""
