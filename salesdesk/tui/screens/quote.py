"""A quote of a deal: its number and version, dates, frozen lines and totals, terms, and
sending it (which can move the deal into Quote and book a follow-up before it expires).

Opened by `q` on a Pipeline card, after the store made (or refreshed) the quote. A sent
quote is frozen: the dialog says so, and that `q` after changing the deal's lines makes
its next version.
"""

import sqlite3
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Checkbox, Label, Static, TextArea

from salesdesk.core.dates import parse_timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.core.lines import PERCENT, format_percent, format_quantity
from salesdesk.core.model import Quote
from salesdesk.core.money import format_money
from salesdesk.core.quotes import (
    BUYER_FIELDS,
    DRAFT,
    FOLLOWUP_DAYS_BEFORE_EXPIRY,
    lines_from_json,
    party_from_json,
    quote_label,
    status_word,
)
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, long_date
from salesdesk.store.quotes import QuoteStore, Sent
from salesdesk.store.store import Store
from salesdesk.tui.faults import read_only_why
from salesdesk.tui.privacy import masked
from salesdesk.tui.screens.base import SAVE_AGAIN, SavingDialog, show_fault
from salesdesk.tui.widgets.form import FormBody

T = TypeVar("T")

FROZEN = N_(
    "Sent on {date}: this quote is frozen and stays as the customer received it. "
    "Change the deal's lines and press q on its card again for {next}."
)


class QuoteScreen(SavingDialog[Sent | None]):
    """One version of a quote; ctrl+s sends a draft, ctrl+t keeps its terms, esc closes."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Close")),
        Binding("ctrl+s", "send", N_("Send"), priority=True),
        Binding("ctrl+t", "keep_terms", N_("Save the terms"), priority=True),
        Binding("ctrl+e", "export", N_("Export as HTML"), priority=True),
    ]

    def __init__(self, store: Store, quote_id: str, today: date):
        super().__init__()
        self.store = store
        self.quotes = QuoteStore(store)
        self.quote: Quote = self.quotes.get(quote_id)
        self.today = today
        self.deal = store.deal(self.quote.deal_id)

    @property
    def draft(self) -> bool:
        return self.quote.status == DRAFT

    def compose(self) -> ComposeResult:
        quote = self.quote
        label = quote_label(quote.number, quote.revision)
        status = status_word(self.quotes.status(quote, self.today))
        with Vertical(classes="dialog wide form", id="quote-dialog"):
            title = _("Quote {label} · {status} · {deal}").format(
                label=label, status=status, deal=literal(self.deal.title)
            )
            yield Static(title, classes="dialog-title", id="quote-title", markup=False)
            with FormBody():
                yield Static(self._heading_text(), id="quote-heading")
                yield Static(id="quote-lines")
                yield Static(id="quote-totals")
                if not self.draft:
                    sent = parse_timestamp(quote.sent_at).date() if quote.sent_at else self.today
                    frozen = _(FROZEN).format(
                        date=long_date(sent), next=quote_label(quote.number, quote.revision + 1)
                    )
                    yield Static(frozen, id="quote-frozen", classes="form-hint", markup=False)
                yield Label(_("Terms"), classes="section-title")
                yield TextArea(quote.terms, id="quote-terms", soft_wrap=True, read_only=not self.draft)
                if self.draft:
                    before = self.quotes.before_quote_stage(quote.deal_id)
                    stage = self._quote_stage_name()
                    move = Checkbox(
                        _("Move the deal into {stage}").format(stage=stage) if stage else _("Move the deal"),
                        value=before,
                        id="quote-move",
                    )
                    move.disabled = not before
                    yield move
                    ahead = _("Book a follow-up {n} days before it expires")
                    yield Checkbox(
                        ahead.format(n=FOLLOWUP_DAYS_BEFORE_EXPIRY),
                        value=True,
                        id="quote-followup",
                    )
            keys = (
                _("ctrl+s: send  ctrl+t: save the terms  ctrl+e: export HTML  tab: next  esc: close")
                if self.draft
                else _("ctrl+e: export as HTML  esc: close")
            )
            yield Static(keys, classes="dialog-keys", markup=False)

    def _quote_stage_name(self) -> str:
        from salesdesk.store.quotes import QUOTE_STAGE

        names = {stage.id: stage.name for stage in self.store.stages()}
        return literal(names.get(QUOTE_STAGE, ""))

    def on_mount(self) -> None:
        self.watch(self.app, "privacy", self._show_lines)
        self.query_one("#quote-terms", TextArea).focus()

    def _heading_text(self) -> Text:
        quote = self.quote
        buyer = party_from_json(quote.buyer, BUYER_FIELDS)
        text = Text()
        text.append(_("Issued {date}").format(date=long_date(date.fromisoformat(quote.issued_on))))
        text.append("  ·  ")
        text.append(_("valid until {date}").format(date=long_date(date.fromisoformat(quote.valid_until))))
        text.append("\n" + _("To: "), style="dim")
        text.append(literal(" · ".join(buyer[name] for name in ("name", "company") if buyer[name])))
        return text

    def _show_lines(self, privacy: bool) -> None:
        self.query_one("#quote-lines", Static).update(self._lines_table(privacy))
        self.query_one("#quote-totals", Static).update(self._totals_text(privacy))

    def _lines_table(self, privacy: bool) -> Table:
        quote = self.quote

        def money(minor: int) -> str:
            return masked(format_money(minor, quote.currency, cents=True), privacy)

        table = Table(box=None, expand=True, padding=(0, 1))
        table.add_column("#", justify="right")
        table.add_column(_("Description"), ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(_("Qty"), justify="right")
        table.add_column(_("Unit"))
        table.add_column(_("Unit price"), justify="right")
        table.add_column(_("Discount"), justify="right")
        table.add_column(_("Line total"), justify="right")
        for number, line in enumerate(lines_from_json(quote.lines), start=1):
            if line.discount_kind == PERCENT:
                discount = format_percent(line.discount)
            elif line.discount:
                discount = money(line.discount)
            else:
                discount = ""
            description = literal(line.description)
            if line.code:
                description = f"{literal(line.code)}  {description}"
            table.add_row(
                str(number),
                Text(description),
                format_quantity(line.quantity_milli),
                Text(literal(line.unit)),
                money(line.unit_price),
                discount,
                money(line.total),
            )
        return table

    def _totals_text(self, privacy: bool) -> Text:
        quote = self.quote

        def money(minor: int) -> str:
            return masked(format_money(minor, quote.currency, cents=True), privacy)

        text = Text(justify="right")
        if quote.discount_total:
            text.append(_("Subtotal {amount}").format(amount=money(quote.subtotal)) + "\n")
            text.append(_("Discounts −{amount}").format(amount=money(quote.discount_total)) + "\n")
        text.append(_("Total {amount}").format(amount=money(quote.total)), style="bold")
        return text

    def _terms(self) -> str:
        return self.query_one("#quote-terms", TextArea).text

    def _keep_terms(self) -> bool:
        """Write the terms typed, if they changed; whether the database took them."""
        terms = self._terms()
        if terms == self.quote.terms:
            return True
        _done, ok = self.screen_try(lambda: self.quotes.set_terms(self.quote.id, terms))
        if ok:
            self.quote = self.quotes.get(self.quote.id)
        return ok

    def screen_try(self, work: Callable[[], T]) -> tuple[T | None, bool]:
        """A store call whose refusal or storage fault is said on screen, the dialog kept
        open with what was typed (as `SalesdeskScreen._try` does for a screen)."""
        try:
            return work(), True
        except SalesdeskError as error:
            self.notify(str(error), severity="error", markup=False)
        except sqlite3.Error as error:
            show_fault(self, error, SAVE_AGAIN)
        return None, False

    def action_keep_terms(self) -> None:
        if not self.draft:
            return
        if self.app.read_only:
            self.notify(read_only_why(str(self.store.path)), severity="warning", markup=False)
            return
        if self._keep_terms():
            self._opened = None  # what is shown is what is kept: esc closes at once
            self.notify(_("Terms saved."), markup=False)
            self.dismiss(None)

    def action_export(self) -> None:
        """The quote as it was made (not the terms typed and not kept yet) as HTML, written
        into the export folder off the UI thread; the message names the whole path."""
        from salesdesk.tui.exports import start_export, write_quote_html

        quote_id = self.quote.id
        if self.draft and self._terms() != self.quote.terms:
            self.notify(_("The terms typed are not kept yet: ctrl+t keeps them."), markup=False)
        start_export(self, "quote", lambda store, folder: write_quote_html(store, quote_id, folder))

    def action_send(self) -> None:
        if not self.draft:
            return
        if self.app.read_only:
            self.notify(read_only_why(str(self.store.path)), severity="warning", markup=False)
            return
        move = self.query_one("#quote-move", Checkbox)
        followup = self.query_one("#quote-followup", Checkbox).value
        days = FOLLOWUP_DAYS_BEFORE_EXPIRY if followup else None
        terms = self._terms()

        def send() -> Sent:
            with self.store.records.transaction():
                if terms != self.quote.terms:
                    self.quotes.set_terms(self.quote.id, terms)
                return self.quotes.send(self.quote.id, self.today, move.value and not move.disabled, days)

        sent, ok = self.screen_try(send)
        if ok and sent is not None:
            self.dismiss(sent)
