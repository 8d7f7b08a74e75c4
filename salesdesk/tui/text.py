"""Text from the database as Rich `Text`: never markup, never terminal control."""

from rich.text import Text

from salesdesk.core.text import literal


def literal_text(value: object, style: str = "") -> Text:
    """A Rich Text that shows the value exactly as typed (markup is not parsed)."""
    return Text(literal(value), style=style, no_wrap=True, overflow="ellipsis")
