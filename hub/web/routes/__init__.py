"""Page routes of the web workspace: one module per area, each defining ``router`` (mounted by name order)."""
