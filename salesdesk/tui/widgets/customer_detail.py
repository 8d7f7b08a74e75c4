"""The detail pane: who the customer is, what we know, what comes next, what happened.

What to offer the customer next is worked out from every customer's purchases
(`store.suggest`): read once per version of the data, on a thread of its own, so the
list's keys never wait for it; while that read is held, each customer's suggestions
take a few milliseconds and are shown at once.
"""

import sqlite3
from datetime import date
from pathlib import Path

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from salesdesk.core.dates import parse_timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.core.model import kind_name
from salesdesk.core.money import format_money
from salesdesk.core.pool import POOLED, WARNED, PoolState
from salesdesk.core.suggest import REORDER, PurchaseIndex, Suggestion
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext, short_date
from salesdesk.store.customers import CustomerDetail
from salesdesk.store.suggest import SuggestQueries, held_index
from salesdesk.tui.privacy import HIDDEN
from salesdesk.tui.text import padded
from salesdesk.tui.widgets.customer_list import SEGMENT_STYLES, segment_name

# The facts under the name, by their field: "industry retail".
FACTS = (
    ("industry", N_("industry {value}")),
    ("source", N_("source {value}")),
    ("owner", N_("owner {value}")),
)
KIND_CELLS, STAGE_CELLS = 8, 12
KIND_MARKS = {"call": "☎", "email": "✉", "meeting": "◆", "visit": "⌂", "message": "✎", "note": "•"}
OFFER_MARKS = {REORDER: "↻"}  # a reorder; a product bought together: "+"


class HistoryList(OptionList):
    """Interactions, newest first; enter opens or closes one to show its body."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.items: list[tuple] = []
        self.expanded: set[str] = set()

    def show(self, items: list[tuple]) -> None:
        self.items = items
        self.expanded &= {item[0] for item in items}
        self.clear_options()
        self.add_options([Option(self._prompt(item), id=item[0]) for item in items])

    def _prompt(self, item: tuple) -> Text:
        interaction_id, kind, at, by, summary, body = item
        when = parse_timestamp(at).astimezone()
        text = Text()
        text.append(f"{KIND_MARKS.get(kind, '•')} {when:%Y-%m-%d %H:%M} ", style="dim")
        text.append(padded(kind_name(kind), KIND_CELLS), style="bold")
        text.append(literal(summary) or _("(no summary)"))
        text.append(f"  {literal(by)}", style="dim")
        if body:
            if interaction_id in self.expanded:
                for line in str(body).splitlines() or [""]:
                    text.append("\n      " + literal(line))
            else:
                text.append("  …", style="dim")
        return text

    def on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            self.highlighted = 0

    @on(OptionList.OptionSelected)
    def _toggle(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self.items[event.option_index]
        self.expanded ^= {item[0]}
        self.replace_option_prompt_at_index(event.option_index, self._prompt(item))


class CustomerDetailPane(VerticalScroll, can_focus=False):
    """Attributes down: `show(detail)` draws it; it holds no data of its own."""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-head")
        yield Static(id="offer-next")
        yield Label(_("History, newest first"), classes="section-title", id="history-title")
        yield HistoryList(id="history")

    def on_mount(self) -> None:
        self.offer_for: str | None = None  # the customer whose suggestions are wanted
        self.offer_day: date | None = None  # the screen's today, given with each customer
        self.reading = False  # the purchases are being read on a thread
        self.user = ""  # who looks (the pool speaks of their former customers so)
        self.offered: list[Suggestion] = []
        self.query_one("#offer-next", Static).display = False

    def show(self, detail: CustomerDetail | None, today: date, privacy: bool, user: str = "") -> None:
        """The customer, as `user` (whose former customers the pool says so of) sees it."""
        self.user = user
        head = self.query_one("#detail-head", Static)
        history = self.query_one(HistoryList)
        if detail is None:
            head.update(Text(_("No customer selected."), style="dim"))
            history.show([])
            self._offer(None, today)
            return
        head.update(self._head(detail, today, privacy))
        history.show(detail.interactions)
        self._offer(detail.record["id"], today)

    # -- what to offer next ---------------------------------------------------------

    def _offer(self, customer_id: str | None, today: date) -> None:
        """Show the customer's suggestions: at once when the purchases are held, else
        once a thread has read them (nothing is shown meanwhile, nor on an error). One
        read at a time: moving on while it runs, the customer shown when it ends gets
        the suggestions."""
        self.offer_for, self.offer_day = customer_id, today
        store = getattr(self.screen, "store", None)
        if customer_id is None or store is None:
            self._show_offer(customer_id, [])
            return
        try:
            index = held_index(store.db)
        except sqlite3.Error:
            index = None
        if index is not None:
            self._show_offer(customer_id, SuggestQueries.of(index, customer_id, today))
            return
        self._show_offer(customer_id, [])
        if not self.reading:
            self.reading = True
            self._read_purchases(store.path)

    @work(thread=True, group="offer-next", exit_on_error=False)
    def _read_purchases(self, path: Path) -> None:
        try:
            index: PurchaseIndex | None = SuggestQueries.index_from(path)
        except (SalesdeskError, sqlite3.Error):  # busy or unreadable: the pane does without
            index = None
        self.app.call_from_thread(self._purchases_read, index)

    def _purchases_read(self, index: PurchaseIndex | None) -> None:
        self.reading = False
        if index is not None and self.offer_for is not None and self.offer_day and self.is_mounted:
            found = SuggestQueries.of(index, self.offer_for, self.offer_day)
            self._show_offer(self.offer_for, found)

    def _show_offer(self, customer_id: str | None, found: list[Suggestion]) -> None:
        if customer_id != self.offer_for:
            return  # another customer is shown by now
        self.offered = found
        offer = self.query_one("#offer-next", Static)
        offer.display = bool(found)
        if not found:
            offer.update("")
            return
        lines: list[Text | Padding] = [Text(_("Offer next"), style="bold")]
        for suggestion in found:
            line = Text("  ")
            line.append(OFFER_MARKS.get(suggestion.kind, "+") + " ", style="bold green")
            line.append(literal(suggestion.name), style="bold")
            lines.append(line)
            lines.append(Padding(Text(literal(suggestion.reason), style="dim"), (0, 0, 0, 4)))
        offer.update(Group(*lines))

    def _head(self, detail: CustomerDetail, today: date, privacy: bool) -> Group:
        record, row = detail.record, detail.row
        title = Text()
        title.append(literal(record["name"]), style="bold")
        title.append("   ")
        title.append(segment_name(row.segment), style=SEGMENT_STYLES.get(row.segment, ""))
        title.append(_(" · tier {tier}").format(tier=row.tier), style="bold" if row.tier == "A" else "dim")
        lines = [title]
        work = " · ".join(literal(v) for v in (record["company"], record["title"]) if v)
        if work:
            lines.append(Text(work))
        contact = Text()
        for mark, key in (("☎ ", "phone"), ("✉ ", "email"), ("@ ", "handle")):
            if record[key]:
                value = HIDDEN if privacy else literal(record[key])
                contact.append(mark, style="dim")
                contact.append(value + "   ")
        if contact:
            lines.append(contact)
        facts = [_(said).format(value=literal(record[key])) for key, said in FACTS if record[key]]
        if facts:
            lines.append(Text(" · ".join(facts), style="dim"))
        dates = []
        if record["birthday"]:
            dates.append(_("birthday {date}").format(date=record["birthday"]))
        if record.get("lunar_birthday"):
            dates.append(_("lunar birthday {date}").format(date=record["lunar_birthday"]))
        if record["contract_end"]:
            dates.append(_("contract ends {date}").format(date=record["contract_end"]))
        if dates:
            lines.append(Text(" · ".join(dates), style="dim"))
        lines.append(self._last_contact(row.last_contact, today))
        if detail.pool is not None:
            pool = self._pool(detail.pool, detail.pool_why, today)
            if pool is not None:
                lines.append(pool)
        tags = Text(_("Tags: "), style="dim")
        for name in detail.tags:
            tags.append(f" {literal(name)} ", style="reverse")
            tags.append(" ")
        if not detail.tags:
            tags.append(_("none (t to add)"), style="dim")
        lines.append(tags)
        if record["notes"]:
            lines.append(Text(""))
            lines.append(Text("\n".join(literal(line) for line in record["notes"].splitlines())))
        lines.append(Text(""))
        lines.append(Text(_("Open deals"), style="bold"))
        for _id, title_, stage, amount, currency in detail.open_deals:
            line = Text(f"  {padded(literal(stage), STAGE_CELLS)} ")
            line.append(f"{HIDDEN if privacy else format_money(amount, currency):>10}  ", style="bold")
            line.append(literal(title_))
            lines.append(line)
        if not detail.open_deals:
            lines.append(Text("  " + _("none (n to add one)"), style="dim"))
        lines.append(Text(_("Upcoming follow-ups"), style="bold"))
        for _id, due, title_, kind in detail.followups:
            day = date.fromisoformat(due)
            line = Text(f"  {short_date(day)}  ", style="bold red" if day < today else "")
            line.append(literal(title_))
            line.append(f"  ({kind_name(kind)})", style="dim")
            lines.append(line)
        if not detail.followups:
            lines.append(Text("  " + _("none (f to book one)"), style="dim"))
        return Group(*lines)

    def _pool(self, state: PoolState, why: str, today: date) -> Text | None:
        """Whether the customer is in the lead pool, or about to go back to it, and why."""
        if state.kind not in (POOLED, WARNED):
            return None
        assert state.back_on is not None
        if state.kind == WARNED:
            said = ngettext(
                "Goes back to the lead pool in {n} day ({why}) unless its owner works it.",
                "Goes back to the lead pool in {n} days ({why}) unless its owner works it.",
                state.days_left,
            ).format(n=state.days_left, why=why)
            return Text(said, style="yellow")
        said = _("In the lead pool since {day} ({why}).").format(day=short_date(state.back_on), why=why)
        mine = bool(state.owner) and state.owner.casefold() == self.user.casefold()
        again = state.former_owner_from
        if mine and again is not None and today < again:
            said += " " + _("You can claim it back from {day}.").format(day=short_date(again))
        elif mine:
            said += " " + _("It is not yours until you claim it back (9, then p).")
        else:
            said += " " + _("Anyone may claim it (9, then p).")
        return Text(said, style="bold yellow")

    @staticmethod
    def _last_contact(day: date | None, today: date) -> Text:
        if day is None:
            return Text(_("Never contacted"), style="yellow")
        days = (today - day).days
        if days <= 0:
            when = _("today")
        elif days == 1:
            when = _("yesterday")
        else:
            when = ngettext("{n} day ago", "{n} days ago", days).format(n=days)
        said = _("Last contacted {when} ({date})").format(when=when, date=f"{day:%Y-%m-%d}")
        return Text(said, style="yellow" if days >= 90 else "")
