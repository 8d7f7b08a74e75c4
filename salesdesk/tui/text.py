"""Text from the database as Rich `Text`: never markup, never terminal control."""

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text

from salesdesk.core.text import literal

if TYPE_CHECKING:
    pass


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


def fitted(lines: list[list[Text]], width: int, free: tuple[int, ...], narrowest: int = 10) -> dict[int, int]:
    """The width each column of `free` (free text: a name, a value) is cut to so that a
    table of `lines` (the headers first) fits `width` cells; none when it fits as it is,
    or when they would be cut below `narrowest` (the table scrolls sideways then)."""
    natural = [max(line[column].cell_len for line in lines) for column in range(len(lines[0]))]
    room = width - 2 * len(natural) - 2  # a cell of padding each side, and the scroll bar
    if sum(natural) <= room:
        return {}
    budget = room - sum(w for column, w in enumerate(natural) if column not in free)
    if budget < narrowest * len(free):
        return {}
    widths = {}
    waiting = sorted(free, key=lambda column: natural[column])
    while waiting:
        column = waiting.pop(0)
        widths[column] = min(natural[column], budget // (len(waiting) + 1))
        budget -= widths[column]
    return {column: width for column, width in widths.items() if width < natural[column]}


def fill_table(
    table, headers: list[Text], rows: list[list[Text]], keys: list[str], free: tuple[int, ...]
) -> None:
    """Put `headers` and `rows` in a DataTable (emptied first) laid out by cells, the
    `free` columns cut with an ellipsis so that it fits the terminal (see `fitted`)."""
    for column, cut in fitted([headers, *rows], table.app.size.width, free).items():
        for line in (headers, *rows):
            line[column].truncate(cut, overflow="ellipsis")
    table.clear(columns=True)
    for column, header in enumerate(headers):
        table.add_column(header, width=max(line[column].cell_len for line in (headers, *rows)))
    for key, cells in zip(keys, rows, strict=True):
        table.add_row(*cells, key=key)
