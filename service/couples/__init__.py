"""Couples: two members paired by a code, never by a partner's number."""
