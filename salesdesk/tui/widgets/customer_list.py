"""The customer list: one line a customer, drawn from the page on screen only.

Like the board's columns, the list knows its length from a count query and asks
for the rows it shows, so 100,000 customers cost what 100 do. It scrolls only when
the customers do not fit, and then says on its last line how many are above and below.
"""

from datetime import date
from functools import cache

from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, language, ngettext, pgettext
from salesdesk.store.customers import CustomerFilter, CustomerQueries, CustomerRow
from salesdesk.tui.text import padded
from salesdesk.tui.widgets.key_bar import translate_keys

SEGMENT_STYLES = {
    "lead": "cyan",
    "prospect": "bold green",
    "customer": "green",
    "repeat": "bold magenta",
    "dormant": "yellow",
    "lost": "red",
}

HEADINGS = (N_("Name"), N_("Company"), N_("Segment"), N_("Contact"))
SEGMENT_CELLS, CONTACT_CELLS = 9, 9


@cache
def _segment_name(segment: str, _language: str) -> str:
    """A segment as it is shown: `repeat`; `复购` (in the context "segment": as a field,
    `repeat` is `重复`). The keys are the names core.segments computes."""
    names = {
        "lead": pgettext("segment", "lead"),
        "prospect": pgettext("segment", "prospect"),
        "customer": pgettext("segment", "customer"),
        "repeat": pgettext("segment", "repeat"),
        "dormant": pgettext("segment", "dormant"),
        "lost": pgettext("segment", "lost"),
    }
    return names.get(segment, segment)


def segment_name(segment: str) -> str:
    """A segment as it is shown: `repeat`; `复购` (once per segment and language)."""
    return _segment_name(segment, language())


def _since(day: date | None, today: date) -> str:
    if day is None:
        return _("never")
    days = (today - day).days
    return _("today") if days <= 0 else _("{days}d ago").format(days=days)


class CustomerList(Widget, can_focus=True):
    """Customers, filtered and sorted in SQL; the cursor is an index into the whole list."""

    COMPONENT_CLASSES = {"customer-list--cursor", "customer-list--dim", "customer-list--header"}

    BINDINGS = [
        Binding("up,k", "move(-1)", N_("Up"), show=False),
        Binding("down,j", "move(1)", N_("Down"), show=False),
        Binding("pageup", "page(-1)", N_("Page up"), show=False),
        Binding("pagedown", "page(1)", N_("Page down"), show=False),
        Binding("home", "jump(0)", N_("First"), show=False),
        Binding("end", "jump(-1)", N_("Last"), show=False),
    ]

    class Highlighted(Message):
        def __init__(self, customer_id: str | None):
            super().__init__()
            self.customer_id = customer_id

    def __init__(self, queries: CustomerQueries, today: date, *, id: str | None = None):
        super().__init__(id=id)
        translate_keys(self)
        self.queries = queries
        self.today = today
        self.filter = CustomerFilter()
        self.total = 0
        self.cursor = 0
        self.top = 0
        self.rows: list[CustomerRow] = []
        self._highlighted: str | None = None

    @property
    def capacity(self) -> int:
        """Rows that fit under the headings; a line is kept for the 'more' marker when
        the list is longer than that."""
        room = self.size.height - 1
        return max(1, room if self.total <= room else room - 1)

    @property
    def current(self) -> CustomerRow | None:
        offset = self.cursor - self.top
        return self.rows[offset] if 0 <= offset < len(self.rows) else None

    def set_filter(self, customer_filter: CustomerFilter, keep: str | None = None) -> None:
        self.filter = customer_filter
        self.reload(keep=keep)

    def reload(self, keep: str | None = None) -> None:
        """Count and fetch the visible page again; keep the cursor on `keep` if it is listed."""
        self.total = self.queries.count(self.filter, self.today)
        if keep is not None:
            found = self.queries.position(keep, self.filter, self.today)
            if found is not None:
                self.cursor = found
        self.cursor = max(0, min(self.cursor, self.total - 1))
        if self.cursor < self.capacity:
            # Another order or filter is a new list: start it at its top when the
            # cursor's customer is on the first page, not where the old list was scrolled.
            self.top = 0
        self._scroll_to_cursor(force=True)

    def _scroll_to_cursor(self, force: bool = False) -> None:
        """Bring the cursor into view, scrolling by the least needed."""
        top = self.top
        if self.cursor < top:
            top = self.cursor
        elif self.cursor >= top + self.capacity:
            top = self.cursor - self.capacity + 1
        top = max(0, min(top, max(0, self.total - self.capacity)))
        if force or top != self.top or not self.rows:
            self.top = top
            self.rows = self.queries.page(self.filter, self.today, self.top, self.capacity)
        self.refresh()
        current = self.current
        customer_id = current.id if current else None
        if customer_id != self._highlighted:
            self._highlighted = customer_id
            self.post_message(self.Highlighted(customer_id))

    def on_resize(self) -> None:
        self._scroll_to_cursor(force=True)

    def action_move(self, step: int) -> None:
        self.cursor = max(0, min(self.cursor + step, self.total - 1))
        self._scroll_to_cursor()

    def action_page(self, direction: int) -> None:
        self.action_move(direction * self.capacity)

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else max(0, self.total - 1)
        self._scroll_to_cursor()

    def render(self) -> RenderableType:
        width = max(self.size.width, 10)
        style = self.get_component_rich_style
        name_w = max(8, (width - 24) * 55 // 100)
        company_w = max(4, width - 24 - name_w)
        name, company, segment, contact = (_(heading) for heading in HEADINGS)
        tier = padded(pgettext("tier column", "T"), 2)  # above the tier letter and a space
        header = Text(
            f" {padded(name, name_w)} {padded(company, company_w)} {padded(segment, SEGMENT_CELLS)}{tier}"
            f"{padded(contact, CONTACT_CELLS, right=True)}",
            style=style("customer-list--header"),
        )
        lines = [header]
        if not self.rows:
            lines.append(
                Text(
                    " " + _("No customers match.")
                    if self.total == 0 and self.filter != CustomerFilter()
                    else " " + _("No customers yet: press a to add one."),
                    style=style("customer-list--dim"),
                )
            )
        for offset, row in enumerate(self.rows[: self.capacity]):
            line = Text(" ")
            line.append(_cell(literal(row.name), name_w))
            line.append(" ")
            line.append(_cell(literal(row.company), company_w, style("customer-list--dim")))
            line.append(" ")
            segment_cell = _cell(
                segment_name(row.segment), SEGMENT_CELLS, SEGMENT_STYLES.get(row.segment, "")
            )
            line.append_text(segment_cell)
            line.append(row.tier, style="bold" if row.tier == "A" else "")
            since = padded(_since(row.last_contact, self.today), CONTACT_CELLS, right=True)
            line.append(f" {since}", style=style("customer-list--dim"))
            if self.top + offset == self.cursor:
                line.stylize(style("customer-list--cursor"))
            lines.append(line)
        below = self.total - self.top - min(len(self.rows), self.capacity)
        if self.top or below > 0:
            more = []
            if self.top:
                more.append(
                    ngettext("↑ {n} more above", "↑ {n} more above", self.top).format(n=f"{self.top:,}")
                )
            if below > 0:
                more.append(ngettext("↓ {n} more below", "↓ {n} more below", below).format(n=f"{below:,}"))
            lines += [Text("")] * max(0, self.capacity + 1 - len(lines))
            lines.append(Text(" " + "  ·  ".join(more), style=style("customer-list--dim")))
        for line in lines:
            line.truncate(width, overflow="ellipsis", pad=True)
        return Text("\n").join(lines)


def _cell(value: str, width: int, style="") -> Text:
    """A cell of exactly `width` terminal columns (CJK and emoji are two wide)."""
    text = Text(value, style=style, no_wrap=True, overflow="ellipsis")
    text.truncate(width, overflow="ellipsis", pad=True)
    return text
