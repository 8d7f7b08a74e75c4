"""The agenda list: sections of rows drawn as lines, only the lines on screen.

The agenda arrives whole (one load gathers every kind of item, see
store/agenda.py) and is drawn like the board's columns: the widget keeps the
index of its first visible line and renders just the page it shows.
"""

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from rich.cells import cell_len
from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from salesdesk.core.agenda import OVERDUE, POOL_WARNING, TODAY, Agenda, AgendaItem, when_text
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext, short_date
from salesdesk.tui.text import centred
from salesdesk.tui.widgets.key_bar import translate_keys

EMPTY = {
    OVERDUE: N_("Nothing overdue."),
    TODAY: N_("Nothing due today."),
    "": N_("Nothing in the next 7 days."),
}
WARN_KINDS = {"rotting", "dormant"}
CLEAR = N_(
    "A clear agenda. Follow-ups you book (f on a Pipeline card, press 2) and care reminders "
    "for your customers appear here; m shows everyone's."
)
HEADINGS = (N_("When"), N_("What"), N_("Who"), N_("Why"))
DEAL_STAGE = N_("Deal · stage")
# The When column is as wide as a late item's longest date in the language shown
# (core.agenda.when_text): "Wed 25 Nov, 999d late", 21 cells; 24 in Chinese (money owed
# is chased for well over 99 days).
LATE = N_("{date}, {days}d late")
LONGEST_DAY = date(2026, 11, 25)


def _what_style(item: AgendaItem, partial: Callable[[str], Style]) -> str | Style:
    if item.is_receivable:
        return partial("agenda-list--receivable")
    if item.kind == POOL_WARNING:  # about to go back to the lead pool: its own colour
        return partial("agenda-list--pool")
    return "bold"


class _Line(NamedTuple):
    """A line of the list (a named tuple: a large agenda makes ten thousand of these)."""

    kind: str  # "title", "item", "empty" or "gap"
    text: str = ""
    item: AgendaItem | None = None
    items: int = 0  # under a title: how many items its section holds


def column_widths(width: int) -> tuple[int, int, int, int, int]:
    """When, what, who, why, and deal · stage, in cells, for a line `width` wide."""
    when = max(21, cell_len(_(LATE).format(date=short_date(LONGEST_DAY), days=999)))
    rest = max(width - 2 - when - 8, 20)  # the marker, the when column, four gaps of two
    what, who, why = rest * 25 // 100, rest * 19 // 100, rest * 32 // 100
    return when, what, who, why, rest - what - who - why


def _cell(value: str, width: int, style: str | Style = "") -> Text:
    text = Text(literal(value), style=style, no_wrap=True, overflow="ellipsis")
    text.truncate(width, overflow="ellipsis", pad=True)
    return text


class AgendaList(Widget, can_focus=True):
    """Overdue, Today and Next 7 days; the cursor moves over items, skipping headings."""

    COMPONENT_CLASSES = {
        "agenda-list--heading",
        "agenda-list--overdue",
        "agenda-list--today",
        "agenda-list--next",
        "agenda-list--dim",
        "agenda-list--cursor",
        "agenda-list--marker",
        "agenda-list--care",
        "agenda-list--warn",
        "agenda-list--late",
        "agenda-list--receivable",
        "agenda-list--pool",
    }

    BINDINGS = [
        Binding("up,k", "move(-1)", N_("Up"), show=False),
        Binding("down,j", "move(1)", N_("Down"), show=False),
        Binding("pageup", "page(-1)", N_("Page up"), show=False),
        Binding("pagedown", "page(1)", N_("Page down"), show=False),
        Binding("home", "jump(0)", N_("First"), show=False),
        Binding("end", "jump(-1)", N_("Last"), show=False),
        Binding("d", "item('done')", N_("Done"), id="today.done"),
        Binding("s", "item('snooze')", N_("Snooze"), id="today.snooze"),
        Binding("r", "item('reschedule')", N_("Reschedule"), id="today.reschedule"),
        Binding("x", "item('dismiss')", N_("Dismiss"), id="today.dismiss"),
        Binding("l", "item('log')", N_("Log"), id="today.log"),
        Binding(
            "dollar_sign", "item('receive')", N_("Receipt"), key_display="$", id="today.receipt", show=False
        ),
        Binding("enter", "item('open')", N_("Open"), id="today.open"),
    ]

    class ItemAction(Message):
        """The person asked for something to happen to the item under the cursor."""

        def __init__(self, action: str, item: AgendaItem):
            super().__init__()
            self.action = action
            self.item = item

    def __init__(self, today: date, user: str, *, id: str | None = None):
        super().__init__(id=id)
        translate_keys(self)
        self.today = today
        self.user = user
        self.agenda: Agenda | None = None
        self.lines: list[_Line] = []
        self.cursor = 0  # index into self.lines, always an item line when there is one
        self.top = 0

    # -- data -------------------------------------------------------------------

    def show(self, agenda: Agenda) -> None:
        """Show a freshly loaded agenda, keeping the cursor on its item, or in its place."""
        current = self.current
        place = self.cursor
        self.agenda = agenda
        lines: list[_Line] = []
        for index, section in enumerate(agenda.sections):
            if index:
                lines.append(_Line("gap"))
            lines.append(_Line("title", section.title, items=len(section.items)))
            if not section.items:
                lines.append(_Line("empty", _(EMPTY.get(section.title, EMPTY[""]))))
            lines.extend([_Line("item", "", item) for item in section.items])
        if not any(section.items for section in agenda.sections):
            lines += [_Line("gap"), _Line("empty", _(CLEAR))]
        self.lines = lines
        found = None
        if current is not None:
            found = next(
                (
                    index
                    for index, line in enumerate(lines)
                    if line.item is not None and line.item.key == current.key
                ),
                None,
            )
        self.cursor = found if found is not None else self._nearest_item(min(place, len(lines) - 1), +1)
        self._scroll_to_cursor()
        self.refresh()

    @property
    def items(self) -> list[AgendaItem]:
        return [line.item for line in self.lines if line.item is not None]

    @property
    def current(self) -> AgendaItem | None:
        if 0 <= self.cursor < len(self.lines):
            return self.lines[self.cursor].item
        return None

    def select(self, key: str) -> bool:
        for index, line in enumerate(self.lines):
            if line.item is not None and line.item.key == key:
                self.cursor = index
                self._scroll_to_cursor()
                self.refresh()
                return True
        return False

    # -- moving -------------------------------------------------------------------

    @property
    def capacity(self) -> int:
        return max(1, self.size.height - 2)  # the headings, and a line for "more below"

    def _nearest_item(self, start: int, step: int) -> int:
        """The item line at or after `start` in direction `step`, else the other way."""
        if not self.lines:
            return 0
        start = max(0, min(start, len(self.lines) - 1))
        for direction in (step, -step):
            index = start
            while 0 <= index < len(self.lines):
                if self.lines[index].kind == "item":
                    return index
                index += direction
        return start

    def _scroll_to_cursor(self) -> None:
        if not self.size.height:
            return  # not laid out yet: on_resize scrolls once the height is known
        if self.cursor < self.top:
            self.top = self.cursor
            # Show the section's title with its first item.
            while self.top > 0 and self.lines[self.top - 1].kind != "item":
                self.top -= 1
                if self.lines[self.top].kind == "title":
                    break
        elif self.cursor >= self.top + self.capacity:
            self.top = self.cursor - self.capacity + 1
        self.top = max(0, min(self.top, max(0, len(self.lines) - self.capacity)))
        if self.cursor < self.top:
            self.top = self.cursor

    def action_move(self, step: int) -> None:
        index = self.cursor + step
        while 0 <= index < len(self.lines) and self.lines[index].kind != "item":
            index += step
        if 0 <= index < len(self.lines):
            self.cursor = index
            self._scroll_to_cursor()
            self.refresh()

    def action_page(self, direction: int) -> None:
        self.cursor = self._nearest_item(self.cursor + direction * self.capacity, direction)
        self._scroll_to_cursor()
        self.refresh()

    def action_jump(self, where: int) -> None:
        if where == 0:
            self.cursor = self._nearest_item(0, +1)
            self.top = 0
        else:
            self.cursor = self._nearest_item(len(self.lines) - 1, -1)
        self._scroll_to_cursor()
        self.refresh()

    def action_item(self, action: str) -> None:
        item = self.current
        if item is not None:
            self.post_message(self.ItemAction(action, item))

    def on_click(self, event: events.Click) -> None:
        index = self.top + event.y - 1
        if 0 <= index < len(self.lines) and self.lines[index].kind == "item":
            self.cursor = index
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_to_cursor()

    # -- drawing ------------------------------------------------------------------

    def render(self) -> RenderableType:
        width = max(self.size.width, 40)
        style = self.get_component_rich_style
        when, what, who, why, deal = column_widths(width)
        heading = Text("  ", style=style("agenda-list--heading"))
        for label, cells in zip(HEADINGS, (when, what, who, why), strict=True):
            heading.append_text(_cell(_(label), cells))
            heading.append("  ")
        heading.append_text(_cell(_(DEAL_STAGE), deal))
        drawn = [heading]
        shown = self.lines[self.top : self.top + self.capacity]
        for offset, line in enumerate(shown):
            drawn.append(self._draw(line, self.top + offset == self.cursor, width))
        below = sum(1 for line in self.lines[self.top + len(shown) :] if line.kind == "item")
        if below:
            more = ngettext("↓ {n} more", "↓ {n} more", below).format(n=f"{below:,}")
            drawn.append(Text(centred(more, width), style=style("agenda-list--dim")))
        for text in drawn:
            text.truncate(width, overflow="ellipsis", pad=True)
        return Text("\n").join(drawn)

    def _draw(self, line: _Line, focused: bool, width: int) -> Text:
        style = self.get_component_rich_style
        if line.kind == "gap":
            return Text("")
        if line.kind == "empty":
            return Text(f"  {line.text}", style=style("agenda-list--dim"))
        if line.kind == "title":
            name = {OVERDUE: "agenda-list--overdue", TODAY: "agenda-list--today"}.get(
                line.text, "agenda-list--next"
            )
            title = Text(f"{_(line.text)} ", style=style(name))
            title.append(f"{line.items:,}", style=style("agenda-list--dim"))
            return title
        if line.item is None:  # an item line always holds its item
            return Text("")
        return self._item_line(line.item, focused, width)

    def _item_line(self, item: AgendaItem, focused: bool, width: int) -> Text:
        partial = lambda name: self.get_component_rich_style(name, partial=True)  # noqa: E731
        base = self.get_component_rich_style("agenda-list--cursor") if focused else None
        when, what, who, why, deal = column_widths(width)
        line = Text(style=base or "")
        line.append("▌ " if focused else "  ", style=partial("agenda-list--marker") if focused else "")
        late = item.due < self.today
        line.append_text(
            _cell(when_text(item, self.today), when, partial("agenda-list--late") if late else "")
        )
        line.append("  ")
        line.append_text(_cell(item.what, what, _what_style(item, partial)))
        line.append("  ")
        person = item.who
        if self.agenda is not None and self.agenda.everyone and item.owner and item.owner != self.user:
            person = f"{person} · {item.owner}"
        line.append_text(_cell(person, who))
        line.append("  ")
        kind_style: str | Style = ""
        if item.is_receivable:
            kind_style = partial("agenda-list--receivable")
        elif item.kind == POOL_WARNING:
            kind_style = partial("agenda-list--pool")
        elif item.is_care:
            kind_style = partial("agenda-list--warn" if item.kind in WARN_KINDS else "agenda-list--care")
        line.append_text(_cell(item.why, why, kind_style))
        line.append("  ")
        about = " · ".join(part for part in (item.deal, item.stage) if part)
        line.append_text(_cell(about, deal, partial("agenda-list--dim")))
        return line
