"""The Pipeline board: one column per stage, cards drawn as lines, only what is visible.

A column never holds more cards than fit on screen: it knows its count from a
summary query and asks for the page of cards it shows. Moving the focus past the
page asks for the next page. So a stage with 10,000 deals costs what one with 10 does.

A column scrolls only when its cards do not fit, by as little as keeps the focused
card in view, and says how many cards are above and below what it shows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from salesdesk.core import pipeline
from salesdesk.core.money import format_money, format_short
from salesdesk.core.text import literal
from salesdesk.i18n import CHINESE, N_, _, language, ngettext
from salesdesk.store.board import BoardFilter, BoardQueries, Card, ColumnSummary
from salesdesk.tui.privacy import HIDDEN
from salesdesk.tui.text import centred
from salesdesk.tui.widgets.key_bar import translate_keys

CARD_LINES = 5  # the title takes two lines, so cards of like titles can be told apart
CARD_HEIGHT = CARD_LINES + 1  # a blank line between cards
HEADER_HEIGHT = 4


def _money(totals: dict[str, int], first: str = "") -> str:
    """Short totals, the default currency first, then the largest: '$145.6k ¥364k'.

    The order depends on the totals only, never on the order the query returned them
    in, so it does not change from one redraw to the next (no rates: never converted).
    """
    if not totals:
        return "–"
    ordered = sorted(totals.items(), key=lambda kv: (kv[0] != first, -kv[1], kv[0]))
    return " ".join(format_short(amount, currency) for currency, amount in ordered)


def card_date(day: date) -> str:
    """A follow-up's day on a card, short: `Nov 29`; `11月29日`."""
    if language() == CHINESE:
        return f"{day.month}月{day.day}日"
    return f"{day:%b %d}"


def _split(text: str, width: int) -> tuple[str, str]:
    """The first line of `text` in `width` cells (broken at its last space that fits,
    else where it is full: CJK titles have no spaces) and the rest."""
    if cell_len(text) <= width:
        return text, ""
    cells, end = 0, 0
    while cells + cell_len(text[end]) <= width:
        cells += cell_len(text[end])
        end += 1
    space = text.rfind(" ", 0, end + 1)
    if space > 0:
        return text[:space], text[space + 1 :]
    return text[:end], text[end:]


class StageColumn(Widget):
    """One stage: a header with count, total and weighted value, then a page of cards."""

    COMPONENT_CLASSES = {
        "stage-column--title",
        "stage-column--figures",
        "stage-column--card",
        "stage-column--focused",
        "stage-column--rotting",
        "stage-column--overdue",
        "stage-column--dim",
        "stage-column--marker",
    }

    class Resized(Message):
        """The column's height changed so that its page holds another number of cards."""

        def __init__(self, column: "StageColumn"):
            super().__init__()
            self.column = column

    def __init__(self, stage: pipeline.Stage, currency: str = ""):
        super().__init__(id=f"column-{stage.id}")
        self.stage = stage
        self.currency = currency  # the default currency, shown first in the totals
        self.summary = ColumnSummary(stage, 0, {}, {})
        self.cards: list[Card] = []
        self.top = 0  # index of the first card shown
        self.cursor: int | None = None  # absolute index of the focused card, in this column only
        self.privacy = False  # amounts hidden
        self.loaded_capacity: int | None = None  # the capacity the page was read for

    @property
    def count(self) -> int:
        return self.summary.count

    @property
    def capacity(self) -> int:
        """How many cards fit: all of them if they do, else as many as leave a line for
        the 'more' marker below. A column not laid out yet (hidden) holds none."""
        room = self.size.height - HEADER_HEIGHT
        if room <= 0:
            return 0
        whole = (room + 1) // CARD_HEIGHT  # the last card needs no blank line after it
        if self.count <= whole:
            return max(1, whole)
        return max(1, (room - 1) // CARD_HEIGHT)

    def clamp_top(self, top: int) -> int:
        """The first card to show: never leaving room at the bottom that cards could fill."""
        return max(0, min(top, self.count - self.capacity))

    def on_resize(self, event: events.Resize) -> None:
        # Before the board's first read there is no page to read again.
        if self.loaded_capacity is not None and self.capacity != self.loaded_capacity:
            self.post_message(self.Resized(self))

    def card_at(self, index: int) -> Card | None:
        offset = index - self.top
        return self.cards[offset] if 0 <= offset < len(self.cards) else None

    def render(self) -> RenderableType:
        width = max(self.size.width, 4)
        style = self.get_component_rich_style
        lines: list[Text] = []
        # The count is never cut: the name gives way first ("Qualif… 2,912").
        count = f" {self.count:,}"
        name = Text(f" {literal(self.stage.name)} ", style=style("stage-column--title"))
        name.truncate(max(width - cell_len(count), 2), overflow="ellipsis")
        title = Text.assemble(name, (count, style("stage-column--figures")))
        lines.append(title)
        currency = self.currency

        def money(totals: dict[str, int]) -> str:
            return HIDDEN if self.privacy else _money(totals, currency)

        lines.append(Text(f" {money(self.summary.totals)}", style=style("stage-column--figures")))
        if self.stage.kind == pipeline.OPEN:
            weighted = _("wtd {amount}").format(amount=money(self.summary.weighted))
            lines.append(Text(f" {weighted}", style=style("stage-column--dim")))
        else:
            lines.append(Text(""))
        lines.append(Text("─" * width, style=style("stage-column--dim")))
        if self.top:
            above = ngettext("↑ {n} more", "↑ {n} more", self.top).format(n=f"{self.top:,}")
            lines[-1] = Text(centred(above, width, "─"), style=style("stage-column--dim"))
        for offset, card in enumerate(self.cards[: self.capacity]):
            focused = self.cursor == self.top + offset
            lines.extend(self._card_lines(card, width, focused))
            lines.append(Text(""))
        below = self.count - self.top - min(len(self.cards), self.capacity)
        if below > 0:
            more = ngettext("↓ {n} more", "↓ {n} more", below).format(n=f"{below:,}")
            lines.append(Text(centred(more, width), style=style("stage-column--dim")))
        for line in lines:
            line.truncate(width, overflow="ellipsis", pad=True)
        return Text("\n").join(lines)

    def _partial_style(self, name: str):
        """A component's own colours, without the column background under them."""
        return self.get_component_rich_style(name, partial=True)

    def _card_lines(self, card: Card, width: int, focused: bool) -> list[Text]:
        style = self._partial_style
        base = self.get_component_rich_style("stage-column--focused" if focused else "stage-column--card")
        marker_style = style("stage-column--marker") if focused else base
        if card.rotting:
            marker_style = style("stage-column--rotting")
        marker = Text()
        marker.append("▌", style=marker_style)
        days = _("{days}d").format(days=card.days_in_stage)
        amount = HIDDEN if self.privacy else format_money(card.amount, card.currency)
        gap = max(1, width - 2 - cell_len(amount) - cell_len(days))
        if self.stage.kind == pipeline.LOST:
            reason = literal(card.lost_reason) or _("no reason given")
            follow = Text(f"✗ {reason}", style=style("stage-column--dim"))
        elif card.next_followup is None:
            follow = Text(_("no follow-up"), style=style("stage-column--dim"))
        elif card.overdue:
            overdue = _("! {date} overdue").format(date=card_date(card.next_followup))
            follow = Text(overdue, style=style("stage-column--overdue"))
        else:
            follow = Text(_("→ {date}").format(date=card_date(card.next_followup)))
        first, rest = _split(literal(card.title), width - 1)
        rows = [
            Text(first, style="bold"),
            Text(rest, style="bold"),
            Text(literal(card.customer), style=style("stage-column--dim")),
            Text.assemble(
                amount,
                " " * gap,
                (days, style("stage-column--rotting") if card.rotting else style("stage-column--dim")),
            ),
            follow,
        ]
        if card.collected is not None:
            # A won deal with a contract: the money it is owed matters more than its next call.
            rows[-1] = self._collected_line(card.collected, width - 1)
        lines = []
        for row in rows:
            line = Text(style=base)
            line.append("▌", style=marker_style)
            line.append_text(row)
            line.truncate(width, overflow="ellipsis", pad=True)
            lines.append(line)
        return lines

    def _collected_line(self, figures: tuple[int, int, str], width: int) -> Text:
        """`$3,000 / $10,000 collected`, with short figures when that does not fit."""
        collected, amount, currency = figures
        if self.privacy:
            return Text(_("{collected} / {amount} collected").format(collected=HIDDEN, amount=HIDDEN))
        tried = [
            _("{collected} / {amount} collected").format(
                collected=money(collected, currency), amount=money(amount, currency)
            )
            for money in (format_money, format_short)
        ]
        # A narrow column: the two figures alone, which the card's Signed column explains.
        tried.append(f"{format_short(collected, currency)} / {format_short(amount, currency)}")
        said = next((text for text in tried if cell_len(text) <= width), tried[-1])
        return Text(said, style="bold" if amount and collected >= amount else "")


@dataclass
class _Focus:
    column: int = 0
    row: int = 0


class Board(Widget, can_focus=True):
    """The columns of the pipeline, driven from the keyboard."""

    BINDINGS = [
        Binding("left,h", "cursor(-1, 0)", N_("Left"), show=False),
        Binding("right,l", "cursor(1, 0)", N_("Right"), show=False),
        Binding("up,k", "cursor(0, -1)", N_("Up"), show=False),
        Binding("down,j", "cursor(0, 1)", N_("Down"), show=False),
        Binding("pageup", "page(-1)", N_("Page up"), show=False),
        Binding("pagedown", "page(1)", N_("Page down"), show=False),
        Binding("home", "cursor_to(0)", N_("First card"), show=False),
        Binding("end", "cursor_to(-1)", N_("Last card"), show=False),
        Binding(
            "right_square_bracket,shift+right",
            "deal('forward')",
            N_("Forward"),
            key_display="]",
            id="board.forward",
        ),
        Binding(
            "left_square_bracket,shift+left", "deal('back')", N_("Back"), key_display="[", id="board.back"
        ),
        Binding("w", "deal('won')", N_("Won"), id="board.won"),
        Binding("x", "deal('lost')", N_("Lost"), id="board.lost"),
        Binding("enter", "deal('open')", N_("Open"), id="board.open"),
        Binding("f", "deal('followup')", N_("Follow-up"), id="board.followup"),
        Binding("q", "deal('quote')", N_("Quote"), id="board.quote"),
        Binding("c", "deal('contract')", N_("Contract"), id="board.contract", show=False),
        Binding(
            "dollar_sign", "deal('receipt')", N_("Receipt"), key_display="$", id="board.receipt", show=False
        ),
        Binding("O", "deal('assign')", N_("Assign"), id="board.assign", show=False),
    ]

    def __init__(
        self,
        queries: BoardQueries,
        stages: list[pipeline.Stage],
        today: date,
        board_filter: BoardFilter,
        on_deal: Callable[[str, str], None],
        *,
        currency: str = "",
        id: str | None = None,
    ):
        """`on_deal(action, deal_id)` does what a deal key asks (forward, won, open...).

        It is called at once, within the key press, not by a message handled later: a
        dialog it opens is then on screen before the next key is read, so a space typed
        straight after `]` ticks the checklist instead of reaching the board.
        """
        super().__init__(id=id)
        translate_keys(self)
        self.on_deal = on_deal
        self.queries = queries
        self.stages = pipeline.ordered(stages)
        self.today = today
        self.filter = board_filter
        self.show_lost = False
        self.focus_at = _Focus()
        self._columns = [StageColumn(stage, currency) for stage in self.stages]

    def compose(self):
        yield from self._columns

    def on_mount(self) -> None:
        self._apply_lost_visibility()

    # -- data -----------------------------------------------------------------

    @property
    def columns(self) -> list[StageColumn]:
        return [c for c in self._columns if self.show_lost or c.stage.kind != pipeline.LOST]

    @property
    def total(self) -> int:
        return sum(column.count for column in self.columns)

    def reload(self, stage_ids: set[str] | None = None) -> None:
        """Fetch the headers and the visible page of the named columns (all by default)."""
        stages = [stage for stage in self.stages if stage_ids is None or stage.id in stage_ids]
        summaries = {s.stage.id: s for s in self.queries.summaries(stages, self.filter)}
        for column in self._columns:
            # Redraw only what changed: after a stage move, two columns of six.
            summary = summaries.get(column.stage.id, column.summary)
            changed, column.summary = column.summary != summary, summary
            if stage_ids is None or column.stage.id in stage_ids:
                changed |= self._load_page(column)
            if changed:
                column.refresh()
        self._clamp_focus()

    def _load_page(self, column: StageColumn) -> bool:
        """Read the column's page of cards again; True if it differs from the one shown."""
        column.top = column.clamp_top(column.top)
        column.loaded_capacity = column.capacity
        if not column.capacity:  # hidden, or not laid out yet: read when it is
            changed, column.cards = bool(column.cards), []
            return changed
        cards = self.queries.cards(column.stage, self.filter, column.top, column.capacity, self.today)
        changed, column.cards = cards != column.cards, cards
        return changed

    def on_stage_column_resized(self, message: StageColumn.Resized) -> None:
        # A page holds as many cards as fit: read again when that number changed (a
        # column shown for the first time, or a taller terminal).
        message.stop()
        column = message.column
        if self.is_mounted and column.capacity != column.loaded_capacity:
            self._load_page(column)
            column.refresh()
            self._show_focus()

    # -- focus ------------------------------------------------------------------

    @property
    def focused_column(self) -> StageColumn | None:
        columns = self.columns
        return columns[self.focus_at.column] if columns else None

    @property
    def focused_card(self) -> Card | None:
        column = self.focused_column
        return column.card_at(self.focus_at.row) if column else None

    def _clamp_focus(self) -> None:
        columns = self.columns
        self.focus_at.column = max(0, min(self.focus_at.column, len(columns) - 1))
        column = self.focused_column
        if column is not None:
            self.focus_at.row = max(0, min(self.focus_at.row, column.count - 1))
        self._show_focus()

    def _show_focus(self) -> None:
        """Mark the focused card and scroll its column so it is on screen."""
        for index, column in enumerate(self.columns):
            wanted = self.focus_at.row if index == self.focus_at.column else None
            if index == self.focus_at.column and column.capacity:
                # Scroll by the least that brings the focused card into view.
                top = column.top
                if self.focus_at.row < top:
                    top = self.focus_at.row
                elif self.focus_at.row >= top + column.capacity:
                    top = self.focus_at.row - column.capacity + 1
                top = column.clamp_top(top)
                if top != column.top:
                    column.top = top
                    if self._load_page(column):
                        column.refresh()
            if column.cursor != wanted:
                column.cursor = wanted
                column.refresh()

    def focus_deal(self, deal_id: str) -> bool:
        """Put the focus on a deal wherever it now is; False if the filter hides it."""
        found = self.queries.position(deal_id, self.filter)
        if found is None:
            return False
        stage_id, row = found
        for index, column in enumerate(self.columns):
            if column.stage.id == stage_id:
                self.focus_at = _Focus(index, row)
                self._show_focus()
                return True
        return False

    def action_cursor(self, columns: int, rows: int) -> None:
        source = self.focused_column
        if source is None:
            return
        if columns:
            # Keep the same place on screen when crossing to another column.
            slot = self.focus_at.row - source.top
            self.focus_at.column = max(0, min(self.focus_at.column + columns, len(self.columns) - 1))
            target = self.focused_column
            self.focus_at.row = (target.top if target is not None else 0) + slot
        self.focus_at.row += rows
        self._clamp_focus()

    def action_page(self, direction: int) -> None:
        column = self.focused_column
        if column is not None:
            self.focus_at.row += direction * column.capacity
            self._clamp_focus()

    def action_cursor_to(self, where: int) -> None:
        column = self.focused_column
        if column is not None:
            self.focus_at.row = 0 if where == 0 else column.count - 1
            self._clamp_focus()

    def action_deal(self, action: str) -> None:
        card = self.focused_card
        if card is not None:
            self.on_deal(action, card.deal_id)

    # -- filters ------------------------------------------------------------------

    def set_filter(self, board_filter: BoardFilter) -> None:
        current = self.focused_card
        self.filter = board_filter
        for column in self._columns:
            column.top = 0
        self.reload()
        if current is None or not self.focus_deal(current.deal_id):
            self.focus_at.row = 0
            self._clamp_focus()

    def set_privacy(self, on: bool) -> None:
        for column in self._columns:
            column.privacy = on
            column.refresh()

    def toggle_lost(self) -> None:
        column = self.focused_column
        slot = self.focus_at.row - column.top if column is not None else 0
        was_lost = column is not None and column.stage.kind == pipeline.LOST
        self.show_lost = not self.show_lost
        self._apply_lost_visibility()
        if was_lost:
            # The focus leaves the hidden column for its neighbour, at the same place
            # on screen, rather than at its row number (which would scroll the neighbour).
            self.focus_at.column = len(self.columns) - 1
            target = self.focused_column
            self.focus_at.row = (target.top if target is not None else 0) + slot
        self.reload()

    def _apply_lost_visibility(self) -> None:
        for column in self._columns:
            if column.stage.kind == pipeline.LOST:
                column.display = self.show_lost
