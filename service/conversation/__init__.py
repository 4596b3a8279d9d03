"""Inbound conversation: what a text means and what to do about it."""
