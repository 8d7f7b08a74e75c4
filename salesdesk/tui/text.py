"""Text from the database as Rich `Text`: never markup, never terminal control."""

from rich.cells import cell_len
from rich.text import Text

from salesdesk.core.text import literal


def literal_text(value: object, style: str = "") -> Text:
    """A Rich Text that shows the value exactly as typed (markup is not parsed)."""
    return Text(literal(value), style=style, no_wrap=True, overflow="ellipsis")


def centred(text: str, width: int, fill: str = " ") -> str:
    """`text` in the middle of `width` terminal cells (CJK is two wide), as `str.center`
    places it when every character is one cell."""
    room = max(0, width - cell_len(text))
    left = room // 2 + (room & width & 1)  # where str.center puts the odd cell
    return fill * left + text + fill * (room - left)


def padded(text: str, width: int, right: bool = False) -> str:
    """`text` filled with spaces to `width` cells: `f"{text:<{width}}"` (or `>`) by cells."""
    room = " " * max(0, width - cell_len(text))
    return room + text if right else text + room
