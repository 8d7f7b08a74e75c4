"""The customer pane's after-sales cases: each one's status, the day it was opened, its
title and product, open and waiting ones first; keys on the list change a status or edit
the case.

The section reads the customer's cases itself (one indexed query per customer shown)
and writes through `store.cases.CaseStore` on the screen it is on: a refusal or a
database that cannot take the write (busy, read-only, full) is a message, and the list
stays as it was.
"""

import sqlite3
from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from salesdesk.core import cases as rules
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, short_date
from salesdesk.store.cases import CaseStore, ListedCase
from salesdesk.tui.screens.base import AGAIN
from salesdesk.tui.text import padded
from salesdesk.tui.widgets.key_bar import translate_keys

STATUS_CELLS = 8
STATUS_STYLES = {rules.OPEN: "bold yellow", rules.WAITING: "cyan", rules.CLOSED: "dim"}
CHANGED = {
    rules.OPEN: N_("Case reopened: {title}"),
    rules.WAITING: N_("Case waiting: {title}"),
    rules.CLOSED: N_("Case closed: {title}"),
}


def case_prompt(listed: ListedCase) -> Text:
    """One case as the list shows it: `open     Fri 27 Nov  Printer jams  · Laser printer`."""
    case = listed.case
    text = Text(no_wrap=True, overflow="ellipsis")
    status = padded(rules.status_name(case.status), STATUS_CELLS)
    text.append(status, style=STATUS_STYLES.get(case.status, ""))
    text.append(f" {short_date(date.fromisoformat(case.opened_on))}  ", style="dim")
    text.append(literal(case.title), style="" if case.status != rules.CLOSED else "dim")
    if listed.product:
        text.append(f"  · {literal(listed.product)}", style="dim")
    return text


class CaseList(OptionList):
    """A customer's cases; o, w and x make the highlighted one open, waiting or closed,
    enter edits it."""

    BINDINGS = [
        Binding("o", "status('open')", N_("Reopen")),
        Binding("w", "status('waiting')", N_("Waiting")),
        Binding("x", "status('closed')", N_("Close")),
    ]

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        translate_keys(self)
        self.cases: list[ListedCase] = []

    def show(self, cases: list[ListedCase]) -> None:
        keep = self.current.case.id if self.current else None
        self.cases = cases
        self.clear_options()
        self.add_options([Option(case_prompt(listed), id=listed.case.id) for listed in cases])
        ids = [listed.case.id for listed in cases]
        if keep in ids:
            self.highlighted = ids.index(keep)
        elif cases and self.has_focus:
            self.highlighted = 0

    @property
    def current(self) -> ListedCase | None:
        if self.highlighted is None or not 0 <= self.highlighted < len(self.cases):
            return None
        return self.cases[self.highlighted]

    def on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            self.highlighted = 0

    def action_status(self, status: str) -> None:
        section = self._section()
        if section is not None and self.current is not None:
            section.set_status(self.current, status)

    @on(OptionList.OptionSelected)
    def _edit(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        section = self._section()
        if section is not None and self.current is not None:
            section.edit(self.current)

    def _section(self) -> "CasesSection | None":
        parent = self.parent
        return parent if isinstance(parent, CasesSection) else None


class CasesSection(Vertical):
    """The pane's "Cases": `show(customer_id)` reads and draws them."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("id", "cases")
        super().__init__(**options)
        self.customer_id: str | None = None

    def compose(self) -> ComposeResult:
        yield Label(_("After-sales cases"), classes="section-title", id="cases-title")
        yield CaseList(id="case-list")

    @property
    def listing(self) -> CaseList:
        return self.query_one(CaseList)

    def _store(self) -> Any:
        return getattr(self.screen, "store", None)

    def show(self, customer_id: str | None) -> None:
        """Draw the cases of a customer. A customer without any (most of them) has no
        section: the pane is as it was, and `s` opens the first."""
        self.customer_id = customer_id
        store = self._store()
        found: list[ListedCase] = []
        if customer_id is not None and store is not None:
            try:
                found = CaseStore(store).of_customer(customer_id)
            except sqlite3.Error:  # busy or unreadable: the pane does without, as it does offers
                found = []
        self.listing.show(found)
        self.display = bool(found)

    def _refresh(self) -> None:
        refresh = getattr(self.screen, "show_fresh", None)
        if refresh is not None:
            refresh()
        else:
            self.show(self.customer_id)

    def set_status(self, listed: ListedCase, status: str) -> None:
        screen: Any = self.screen
        if listed.case.status == status or screen.refused_read_only():
            return
        cases = CaseStore(screen.store)
        if screen._attempt(lambda: cases.set_status(listed.case.id, status, screen.today), AGAIN):
            screen.notify(_(CHANGED[status]).format(title=listed.case.title), markup=False)
            self._refresh()
            self.listing.focus()

    def edit(self, listed: ListedCase) -> None:
        screen: Any = self.screen
        if screen.refused_read_only():
            return
        from salesdesk.tui.screens.case_forms import edit_case

        edit_case(screen, listed)
