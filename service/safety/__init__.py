"""The safety net: noticing a text that shows danger, and answering it discreetly."""
