"""The team table of the Reports screen: one line per person and the team's, in columns.

One widget that draws its lines, measured in terminal cells (CJK is two wide) so the
columns line up. Names come from the database and are drawn as plain `Text`. When the
columns are wider than the screen, the interactions by kind fold into one column of
their total; what still does not fit is cut at the right edge.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

from salesdesk.core.model import kind_name
from salesdesk.core.money import format_short
from salesdesk.core.performance import Performance, PersonRow, attainment_text, person_name
from salesdesk.core.reports import days_text, percent
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _
from salesdesk.tui.privacy import HIDDEN

TITLE = N_("Team: each person's work in the period, and the team's")


@dataclass(frozen=True)
class Column:
    title: str
    cell: Callable[[PersonRow], str]
    right: bool = True


def _short(amounts: dict[str, int], hidden: bool) -> str:
    """'$12.5k · ¥80k'; a refund with its minus sign in front; '–' when there is none."""
    if not amounts:
        return "–"
    if hidden:
        return HIDDEN
    return " · ".join(
        ("-" + format_short(-amount, code)) if amount < 0 else format_short(amount, code)
        for code, amount in amounts.items()
    )


def _heading(words: str) -> str:
    return words[:1].upper() + words[1:]


def columns(kinds: Sequence[str], hidden: bool, *, by_kind: bool = True) -> list[Column]:
    """The table's columns; without `by_kind`, one column of interactions in all."""

    def of_kind(kind: str) -> Column:
        return Column(_heading(kind_name(kind)), lambda row: f"{row.interactions.get(kind, 0):,}")

    interactions = (
        [of_kind(kind) for kind in kinds]
        if by_kind
        else [Column(_("Interactions"), lambda row: f"{row.interactions_total:,}")]
    )
    return [
        Column(_("Person"), lambda row: person_name(row, literal), right=False),
        Column(_("Leads added"), lambda row: f"{row.new_leads:,}"),
        *interactions,
        Column(_("Moved"), lambda row: f"{row.moved:,}"),
        Column(_("Won"), lambda row: f"{row.won:,}"),
        Column(_("Won value"), lambda row: _short(row.won_value, hidden)),
        Column(_("Lost"), lambda row: f"{row.lost:,}"),
        Column(_("Win rate"), lambda row: percent(row.win_rate)),
        Column(_("Days to win"), lambda row: days_text(row.days_to_win)),
        Column(_("Collected"), lambda row: _short(row.collected, hidden)),
        Column(_("Of target"), lambda row: attainment_text(row)),
    ]


def _split(title: str, width: int) -> list[str]:
    """A column's title on one line, or on two when it is wider than the column's values
    and has a space to break at (the break that leaves the shorter longest line)."""
    if cell_len(title) <= width or " " not in title:
        return [title]
    breaks = [index for index, char in enumerate(title) if char == " "]
    best = min(breaks, key=lambda at: max(cell_len(title[:at]), cell_len(title[at + 1 :])))
    return [title[:best], title[best + 1 :]]


class TeamTable(Widget):
    """Everyone's figures over the Reports' period (`show`), or "loading…" until read."""

    COMPONENT_CLASSES = {"team-table--title", "team-table--header", "team-table--team", "team-table--dim"}

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.performance: Performance | None = None
        self.hidden = False

    def show(self, performance: Performance | None, *, hidden: bool = False) -> None:
        """Show these figures (None: being read); `hidden` hides the amounts (privacy)."""
        self.performance = performance
        self.hidden = hidden
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.lines(width))

    def lines(self, width: int) -> list[Text]:
        """The lines as drawn `width` cells wide: the title, the header (a long title on two
        lines, when its column is narrower), a line per person, and the team's."""
        style = self.get_component_rich_style
        title = Text(_(TITLE), style=style("team-table--title"))
        performance = self.performance
        if performance is None:
            return [title, Text(_("loading…"), style=style("team-table--dim"))]
        rows = (*performance.rows, performance.team)
        kinds = tuple(performance.team.interactions)
        # The interactions by kind with a gap of two cells, else of one, else their total.
        for by_kind, gap in ((True, 2), (True, 1), (False, 2)):
            shown = columns(kinds, self.hidden, by_kind=by_kind)
            cells = [[column.cell(row) for column in shown] for row in rows]
            heads = [
                _split(column.title, max(cell_len(line[index]) for line in cells))
                for index, column in enumerate(shown)
            ]
            widths = [
                max(*(cell_len(part) for part in head), *(cell_len(line[index]) for line in cells))
                for index, head in enumerate(heads)
            ]
            if sum(widths) + gap * (len(widths) - 1) + 1 <= width:
                break
        depth = max(len(head) for head in heads)
        header = [
            self._line(
                shown,
                widths,
                [(["", *head] if len(head) < depth else head)[level] for head in heads],
                gap,
                style("team-table--header"),
            )
            for level in range(depth)
        ]
        lines = [title, *header]
        for row, texts in zip(rows, cells, strict=True):
            lines.append(
                self._line(shown, widths, texts, gap, style("team-table--team") if row.team else None)
            )
        for line in lines:
            line.truncate(width, overflow="ellipsis", pad=True)
        return lines

    def _line(self, shown: list[Column], widths: list[int], cells: list[str], gap: int, style) -> Text:
        line = Text(" ", style=style or "")
        for index, (column, width, cell) in enumerate(zip(shown, widths, cells, strict=True)):
            if index:
                line.append(" " * gap)
            pad = " " * (width - cell_len(cell))
            line.append(pad + cell if column.right else cell + pad)
        return line

    def render(self) -> RenderableType:
        return Text("\n").join(self.lines(max(self.size.width, 20)))
