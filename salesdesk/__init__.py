"""salesdesk: a keyboard-driven CRM in the terminal, kept in one local SQLite file."""

__version__ = "0.1.0"
