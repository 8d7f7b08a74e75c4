"""Money received for a contract, in a dialog quick enough to use on the phone: the amount
(the oldest open instalment's, selected, so typing replaces it), the day (today; quick
dates accepted), how it was paid, a reference, and the instalment it pays (the oldest
open one unless another is chosen). `$`, the amount, enter.

`ReceiptDialog(store, contract_id, today, instalment_id=None)` records the receipt
itself, before it closes (a database that cannot take it leaves it open with what was
typed), and returns the `ReceiptOutcome`, or None on esc. `open_receipt` wraps it for a
screen: it says what the receipt did (an overpayment, the deal moved to Paid) and, with
the setting `paid_on_collection` = "ask", asks before moving the deal.
"""

import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from salesdesk.core.contracts import METHOD_NAMES, METHODS, UNPLANNED, Collection, InstalmentState
from salesdesk.core.errors import InvalidValue, SalesdeskError
from salesdesk.core.money import format_money
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, sentences, short_date
from salesdesk.store.contracts import ContractStore, ReceiptOutcome
from salesdesk.store.store import Store
from salesdesk.tui.faults import read_only_why
from salesdesk.tui.privacy import masked
from salesdesk.tui.screens.base import ENTER_AGAIN, DialogScreen, SalesdeskScreen, SavingDialog, show_fault
from salesdesk.tui.screens.contract_forms import read_amount, read_day, typed_amount
from salesdesk.tui.widgets.form import FormBody, FormField, day_shown

OLDEST = "oldest"  # the instalment choice that leaves it to the allocation: the oldest open one


def open_state(money: Collection, instalment_id: str | None) -> InstalmentState | None:
    """The instalment a receipt would pay: the one named if it is open, else the oldest open."""
    open_ones = [state for state in money.instalments if state.outstanding > 0]
    for state in open_ones:
        if instalment_id is not None and state.instalment.id == instalment_id:
            return state
    return open_ones[0] if open_ones else None


class ReceiptDialog(SavingDialog[ReceiptOutcome | None]):
    """Record money received for a contract; returns what recording it did."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "save", N_("Record"), priority=True),
    ]

    def __init__(self, store: Store, contract_id: str, today: date, *, instalment_id: str | None = None):
        super().__init__()
        self.store = store
        self.contracts = ContractStore(store)
        self.contract = self.contracts.require(contract_id)
        self.today = today
        self.money = self.contracts.collection(contract_id, today)
        chosen = open_state(self.money, instalment_id)
        # A receipt for the oldest open instalment is left to the allocation (OLDEST);
        # one named for another goes to it first.
        oldest = open_state(self.money, None)
        self.chosen = (
            chosen.instalment.id
            if chosen is not None and oldest is not None and chosen is not oldest and chosen.instalment.id
            else OLDEST
        )

    @property
    def currency(self) -> str:
        return self.contract.currency

    def _due(self, instalment_id: str) -> int:
        state = open_state(self.money, None if instalment_id == OLDEST else instalment_id)
        return state.outstanding if state is not None else 0

    def compose(self) -> ComposeResult:
        contract, money, currency = self.contract, self.money, self.currency
        private = bool(getattr(self.app, "privacy", False))

        def shown(minor: int) -> str:
            return masked(format_money(minor, currency, cents=True), private)

        with Vertical(classes="dialog form", id="receipt-dialog"):
            title = _("Money received for {number}").format(number=literal(contract.number) or "–")
            yield Label(title, classes="dialog-title", markup=False)
            yield Static(
                _("Collected {collected} of {amount}; {outstanding} outstanding.").format(
                    collected=shown(money.collected),
                    amount=shown(money.amount),
                    outstanding=shown(money.outstanding),
                ),
                id="receipt-standing",
                classes="dim",
                markup=False,
            )
            with FormBody():
                with Horizontal(classes="pair"):
                    amount = FormField(
                        _("Amount ({currency})").format(currency=currency),
                        typed_amount(self._due(self.chosen), currency),
                        placeholder=_("e.g. 3000; a refund: -3000"),
                        id="receipt-amount",
                        private=True,
                    )
                    yield amount
                    yield FormField(
                        _("Received"),
                        self.today.isoformat(),
                        placeholder=_("today, yesterday, 2026-11-30"),
                        id="receipt-date",
                    )
                with Horizontal(classes="pair"):
                    with Vertical(classes="form-field"):
                        yield Label(_("Paid by"), classes="form-label")
                        yield Select(
                            [(_(METHOD_NAMES[method]), method) for method in METHODS],
                            prompt=_("(not said)"),
                            id="receipt-method",
                        )
                    yield FormField(
                        _("Reference"),
                        "",
                        placeholder=_("bank reference, cheque no."),
                        id="receipt-reference",
                    )
                with Vertical(classes="form-field"):
                    yield Label(_("Pays"), classes="form-label")
                    yield Select(
                        self._instalment_options(shown),
                        value=self.chosen,
                        allow_blank=False,
                        id="receipt-instalment",
                    )
            yield Static(_("enter: record  tab: next field  esc: cancel"), classes="dialog-keys")

    def _instalment_options(self, shown: Callable[[int], str]) -> list[tuple[str, str]]:
        options: list[tuple[str, str]] = []
        oldest = open_state(self.money, None)
        for state in self.money.instalments:
            if state.outstanding <= 0:
                continue
            label = self._instalment_label(state, shown)
            if state is oldest:
                options.insert(0, (_("the oldest open: {instalment}").format(instalment=label), OLDEST))
            elif state.instalment.id != UNPLANNED:
                options.append((label, state.instalment.id))
        if not options:
            options.append((_("the contract (nothing is owed on it)"), OLDEST))
        return options

    def _instalment_label(self, state: InstalmentState, shown: Callable[[int], str]) -> str:
        label = self.labels.get(state.instalment.id, "") if state.instalment.id else ""
        return _("{due}: {outstanding} due{label}").format(
            due=short_date(state.instalment.due_on),
            outstanding=shown(state.outstanding),
            label=f" ({literal(label)})" if label else "",
        )

    @property
    def labels(self) -> dict[str, str]:
        if not hasattr(self, "_labels"):
            self._labels = {i.id: i.label for i in self.contracts.instalments(self.contract.id)}
        return self._labels

    def on_mount(self) -> None:
        box = self.query_one("#receipt-amount", FormField).input
        box.focus()
        box.select_all()

    @on(Select.Changed, "#receipt-instalment")
    def _instalment_chosen(self, event: Select.Changed) -> None:
        """Another instalment chosen: its amount is offered, unless one was typed."""
        box = self.query_one("#receipt-amount", FormField).input
        if event.value in (Select.BLANK, self.chosen):
            return
        if box.value == typed_amount(self._due(self.chosen), self.currency):
            box.value = typed_amount(self._due(str(event.value)), self.currency)
        self.chosen = str(event.value)

    @on(Input.Submitted)
    def action_save(self) -> None:
        amount_field = self.query_one("#receipt-amount", FormField)
        date_field = self.query_one("#receipt-date", FormField)
        ok = True
        amount = 0
        text = amount_field.value.strip()
        try:
            refund = text.startswith("-")
            amount = read_amount(text.removeprefix("-"), self.currency)
            amount = -amount if refund else amount
            if amount == 0:
                raise InvalidValue("amount", _("A receipt needs an amount; a refund is a negative one."))
            amount_field.show_hint("")
        except InvalidValue as error:
            amount_field.show_error(str(error))
            ok = False
        received = self.today
        try:
            received = read_day(date_field.value, self.today, "date")
            date_field.show_hint(day_shown(received))
        except InvalidValue as error:
            date_field.show_error(str(error))
            ok = False
        if not ok:
            return
        method = self.query_one("#receipt-method", Select).value
        instalment = self.query_one("#receipt-instalment", Select).value
        reference = self.query_one("#receipt-reference", FormField).value
        if self.app.read_only:
            self.notify(read_only_why(str(self.store.path)), severity="warning", markup=False)
            return
        try:
            outcome = self.contracts.record_receipt(
                self.contract.id,
                amount,
                received,
                method=str(method) if method in METHODS else "",
                reference=reference,
                instalment_id=None if instalment in (OLDEST, Select.BLANK) else str(instalment),
            )
        except SalesdeskError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        except sqlite3.Error as error:  # busy, read-only, full: the dialog stays, enter again
            show_fault(self, error, ENTER_AGAIN)
            return
        self.dismiss(outcome)


class MoveToPaidScreen(DialogScreen[bool]):
    """The contract is fully collected: move its deal to Paid? (paid_on_collection = "ask")"""

    BINDINGS = [
        Binding("y,enter", "dismiss(True)", N_("Move it")),
        Binding("n,escape", "dismiss(False)", N_("Leave it")),
    ]

    def __init__(self, deal_title: str, stage: str):
        super().__init__()
        self.deal_title = deal_title
        self.stage = stage

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="move-to-paid-dialog"):
            yield Label(
                _("Move the deal to {stage}?").format(stage=literal(self.stage)),
                classes="dialog-title",
                markup=False,
            )
            yield Static(_("{deal} is fully collected.").format(deal=literal(self.deal_title)), markup=False)
            yield Static(_("enter or y: move it  n or esc: leave it"), classes="dialog-keys")


def said_of(outcome: ReceiptOutcome, currency: str, paid_stage: str | None, private: bool = False) -> str:
    """What a receipt did, in a sentence or three."""

    def shown(minor: int) -> str:
        return masked(format_money(minor, currency, cents=True), private)

    money = outcome.collection
    said = [
        _("Recorded. Collected {collected} of {amount}.").format(
            collected=shown(money.collected), amount=shown(money.amount)
        )
    ]
    if outcome.overpaid:
        said.append(_("{amount} more than the contract.").format(amount=shown(outcome.overpaid)))
    if outcome.moved and paid_stage:
        said.append(_("Fully collected: the deal moved to {stage}.").format(stage=paid_stage))
    elif outcome.completed:
        said.append(_("Fully collected."))
    return sentences(*said)


def open_receipt(
    screen: SalesdeskScreen,
    store: Store,
    contract_id: str,
    today: date,
    *,
    instalment_id: str | None = None,
    then: Callable[[ReceiptOutcome | None], Any] | None = None,
) -> None:
    """Record a receipt from a screen: the dialog, then what it did said, and the move to
    Paid asked first when the setting says "ask". `then(outcome)` once all is done."""
    if screen.refused_read_only():
        return
    contracts = ContractStore(store)
    contract = contracts.require(contract_id)

    def finished(outcome: ReceiptOutcome | None) -> None:
        if then is not None:
            then(outcome)

    def recorded(outcome: ReceiptOutcome | None) -> None:
        if outcome is None:
            finished(None)
            return
        private = bool(getattr(screen.app, "privacy", False))
        paid = contracts.paid_stage_for(contract.deal_id) if contract.deal_id else None
        stage_name = paid.name if paid is not None else None
        moved_to = (
            store.stage(store.deal(contract.deal_id).stage_id).name
            if outcome.moved and contract.deal_id
            else None
        )
        screen.notify(said_of(outcome, contract.currency, moved_to, private), markup=False)
        if outcome.completed and not outcome.moved and paid is not None and contract.deal_id:
            deal_id = contract.deal_id

            def answered(move: bool | None) -> None:
                if move and screen._try(lambda: contracts.move_to_paid(deal_id))[1]:
                    screen.notify(_("The deal is in {stage} now.").format(stage=stage_name), markup=False)
                finished(outcome)

            screen.app.push_screen(MoveToPaidScreen(store.deal(deal_id).title, paid.name), answered)
            return
        finished(outcome)

    screen.app.push_screen(ReceiptDialog(store, contract_id, today, instalment_id=instalment_id), recorded)
