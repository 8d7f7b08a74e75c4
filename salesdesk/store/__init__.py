"""SQLite through sqlite-utils: the schema, its migrations, and every query; no interface."""
