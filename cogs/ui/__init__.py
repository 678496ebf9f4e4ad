"""Discord UI shared by the cogs: rendering, persistent buttons and menus, the error path."""
