"""Help with declarative mappings: draft one from sample records (``simpul mapping suggest``)."""

from hub.mapping.suggest import Draft, Line, command, normalise, suggest

__all__ = ["Draft", "Line", "command", "normalise", "suggest"]
