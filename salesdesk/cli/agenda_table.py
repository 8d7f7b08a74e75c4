"""The agenda of `salesdesk agenda`, printed with Rich: follow-ups, care reminders and
money to collect (receivable rows, in a colour of their own).

Coloured tables in a terminal, fitted to its width; plain, aligned text when the
output goes to a pipe or a file (Rich's Console tells which, unless plainly nothing asks
for colour: then Rich's console is not even imported), so `salesdesk agenda | grep`
works. Text from the database is printed literally, never as markup or
control codes.

The tables are laid out here rather than with `rich.table.Table`, which measures
every cell of every row: on the large demo's 10,000 rows that took seven seconds.
Every string is already literal (see core/text.py) before it reaches a segment.
"""

import os
import sys
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, NamedTuple

from rich.cells import cell_len, set_cell_size

from salesdesk.core.agenda import OVERDUE, POOL_WARNING, TODAY, Agenda, when_text
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, long_date

if TYPE_CHECKING:
    from rich.console import Console, RenderResult

SECTION_STYLES = {OVERDUE: "bold red", TODAY: "bold yellow"}
WARN_KINDS = {"rotting", "dormant"}
POOL_STYLE = "bold magenta"  # a lead about to go back to the lead pool
RECEIVABLE_STYLE = "bold blue"  # money to collect: apart from follow-ups and care reminders
COLUMNS = (N_("When"), N_("What"), N_("Who"), N_("Why"), N_("Deal"), N_("Stage"))
OWNER = N_("Owner")
# Columns that give up width, and in what proportion, when a terminal is too narrow;
# the others (dates, stages, owners) are short and shown whole.
FLEXIBLE = {"What": 4, "Who": 3, "Why": 4, "Deal": 3}
GAP, INDENT = "  ", "  "


class _Row(NamedTuple):
    cells: list[str]
    widths: list[int]
    ascii: bool  # every cell ASCII: as wide as it is long


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _rows(agenda: Agenda) -> dict[int, _Row]:
    """Each item's cells, made literal, and their widths, worked out once for the layout.

    The date column is written once per day and time: ten thousand rows fall on a few
    hundred of them. A row is checked whole (joined), not cell by cell: most rows are
    printable (nothing for literal() to do) and ASCII (as wide as they are long).
    """
    whens: dict[tuple[object, str | None], str] = {}
    rows = {}
    everyone = agenda.everyone
    for item in agenda.items:
        key = (item.due, item.due_time)
        when = whens.get(key)
        if when is None:
            when = whens[key] = when_text(item, agenda.today)
        cells = [when, item.what, item.who, item.why, item.deal, item.stage]
        if everyone:
            cells.append(item.owner)
        joined = "".join(cells)
        if not joined.isprintable():
            cells = [literal(cell) for cell in cells]
            joined = "".join(cells)
        ascii = joined.isascii()
        rows[id(item)] = _Row(cells, list(map(len if ascii else _width, cells)), ascii)
    return rows


def _columns(agenda: Agenda) -> list[str]:
    """The columns by their English names (the keys of FLEXIBLE)."""
    return [*COLUMNS, OWNER] if agenda.everyone else list(COLUMNS)


def title(agenda: Agenda, user: str) -> str:
    day = long_date(agenda.today)
    if agenda.everyone:
        return _("Agenda for {day} (everyone's)").format(day=day)
    return _("Agenda for {day} ({user})").format(day=day, user=literal(user))


def print_agenda(agenda: Agenda, user: str, console: "Console | None" = None) -> None:
    rows = _rows(agenda)
    if console is None and _plainly_piped():
        _print_plain(agenda, user, rows, sys.stdout)
        return
    from rich.console import Console

    console = console or Console()
    if console.is_terminal:
        _print_tables(agenda, user, rows, console)
    else:
        _print_plain(agenda, user, rows, console.file)


def _plainly_piped() -> bool:
    """Output to a pipe or a file, and nothing that makes Rich see a terminal there."""
    return not sys.stdout.isatty() and not any(
        os.environ.get(name) for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")
    )


def _natural_widths(headings: list[str], rows: Iterable[_Row], with_headings: bool) -> list[int]:
    least = [cell_len(name) if with_headings else 0 for name in headings]
    return [max(column) for column in zip(least, *(row.widths for row in rows), strict=True)]


def fit_widths(headings: list[str], natural: list[int], width: int) -> list[int]:
    """Column widths that fit `width`: the flexible columns share what the others leave.

    `headings` are the columns' English names, whatever the language shown.
    """
    room = width - len(INDENT) - len(GAP) * (len(headings) - 1)
    widths = list(natural)
    flexible = [column for column, name in enumerate(headings) if name in FLEXIBLE]
    spare = room - sum(widths[c] for c in range(len(widths)) if c not in flexible)
    wanting = [c for c in flexible if widths[c]]
    # Hand out the room by weight; a column that needs less gives its share back.
    while wanting and sum(widths[c] for c in wanting) > spare:
        weight = sum(FLEXIBLE[headings[c]] for c in wanting)
        shares = {c: max(spare * FLEXIBLE[headings[c]] // weight, 4) for c in wanting}
        settled = [c for c in wanting if natural[c] <= shares[c]]
        if not settled:
            for c in wanting:
                widths[c] = shares[c]
            break
        for c in settled:
            widths[c] = natural[c]
            spare -= natural[c]
            wanting.remove(c)
    return widths


class _Segments:
    """Prepared (text, style) runs, handed to Rich as they are.

    Rich's Text would divide and re-render every span of a 10,000-row agenda (a second
    or more); runs already cut to their columns need none of that.
    """

    def __init__(self, runs: list[tuple[str, str]]):
        self.runs = runs

    def __rich_console__(self, console: "Console", options) -> "RenderResult":
        from rich.segment import Segment
        from rich.style import Style

        styles: dict[str, Style] = {}
        for text, style in self.runs:
            if style not in styles:
                styles[style] = Style.parse(style) if style else Style()
            yield Segment(text, styles[style])


def _print_tables(agenda: Agenda, user: str, rows: dict[int, _Row], console: "Console") -> None:
    columns = _columns(agenda)
    headings = [_(name) for name in columns]
    natural = _natural_widths(headings, rows.values(), with_headings=True)
    widths = fit_widths(columns, natural, console.width)
    rule = "─" * (sum(widths) + len(GAP) * (len(widths) - 1))
    runs = [(title(agenda, user), "bold")]
    for section in agenda.sections:
        runs += [
            ("\n\n", ""),
            (f"{_(section.title)} ", SECTION_STYLES.get(section.title, "bold")),
            (f"{len(section.items):,}", "dim"),
        ]
        if not section.items:
            runs.append(("  " + _("nothing"), "dim"))
            continue
        header = GAP.join(set_cell_size(name, width) for name, width in zip(headings, widths, strict=True))
        runs += [("\n" + INDENT, ""), (header, "dim bold"), ("\n" + INDENT, ""), (rule, "dim")]
        for item in section.items:
            runs.append(("\n" + INDENT, ""))
            why_style = ("yellow" if item.kind in WARN_KINDS else "green") if item.is_care else ""
            what_style = "bold"
            if item.is_receivable:
                what_style = why_style = RECEIVABLE_STYLE
            elif item.kind == POOL_WARNING:
                what_style = why_style = POOL_STYLE
            styles = (
                "red" if item.due < agenda.today else "",
                what_style,
                "",
                why_style,
                "dim",
                "dim",
                "dim",
            )
            row = rows[id(item)]
            for column, (cell, length, width) in enumerate(zip(row.cells, row.widths, widths, strict=True)):
                if column:
                    runs.append((GAP, ""))
                if length > width:
                    cell = set_cell_size(cell, max(width - 1, 0)) + "…"
                elif length < width:
                    cell += " " * (width - length)
                runs.append((cell, styles[column]))
    runs.append(("\n", ""))
    console.print(_Segments(runs), soft_wrap=True, end="")


def _print_plain(agenda: Agenda, user: str, rows: dict[int, _Row], out: IO[str]) -> None:
    lines = [title(agenda, user)]
    # One set of column widths for every section, so the whole agenda lines up.
    widths = _natural_widths(_columns(agenda), rows.values(), with_headings=False)
    ascii_row = INDENT + GAP.join(f"{{:<{width}}}" for width in widths)
    for section in agenda.sections:
        lines += ["", f"{_(section.title)} ({len(section.items)})"]
        if not section.items:
            lines.append("  " + _("nothing"))
            continue
        for item in section.items:
            row = rows[id(item)]
            if row.ascii:  # padded by str.format, which counts characters: one cell each
                lines.append(ascii_row.format(*row.cells).rstrip())
                continue
            padded = [
                cell + " " * (width - length)
                for cell, length, width in zip(row.cells, row.widths, widths, strict=True)
            ]
            lines.append((INDENT + GAP.join(padded)).rstrip())
    # Plain text as it is (literal, so nothing in it can act on a terminal), in one write.
    out.write("\n".join(lines) + "\n")
