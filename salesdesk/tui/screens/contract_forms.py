"""A deal's contract in a dialog: its number, dates, amount and notes, the quote it came
from, and its payment plan, made from a pattern a person types ("30% on signing, 70% in
60 days", "3 monthly", "分3期") and edited line by line.

It opens when a deal is moved into Signed (`edit_contract`), prefilled from the deal and
its latest quote; esc keeps the move and leaves the contract to fill in later, from the
card (`c`). The contract and its plan are written together, before the dialog closes: a
database that cannot take the write leaves the dialog open with what was typed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Static

from salesdesk.core.contracts import InstalmentFact, PlanPart, collection, parse_plan
from salesdesk.core.dates import parse_quick_date
from salesdesk.core.errors import InvalidValue
from salesdesk.core.money import check_currency, exponent, format_money, parse_amount
from salesdesk.core.quotes import quote_label
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _
from salesdesk.store.store import Store
from salesdesk.tui.privacy import masked
from salesdesk.tui.screens.base import SAVE_AGAIN, SalesdeskScreen, Save, SavingDialog
from salesdesk.tui.text import literal_text, padded
from salesdesk.tui.widgets.form import FormBody, FormField, day_shown
from salesdesk.tui.widgets.key_bar import translate_keys

# The plan's columns: (header, width in cells, right-aligned).
PLAN_COLUMNS = ((N_("Due"), 14, False), (N_("Amount"), 16, True), (N_("Label"), 34, False))
# The contract's days, by the field its refusals name.
DATE_FIELDS = (("signed_on", "signed date"), ("starts_on", "start date"), ("ends_on", "end date"))


def typed_amount(minor: int, currency: str) -> str:
    """An amount as a field holds it: '1250.50' in USD, '8000' in JPY; exact, never a float."""
    places = exponent(currency)
    return f"{Decimal(minor).scaleb(-places):.{places}f}"


def read_amount(text: str, currency: str, field: str = "amount") -> int:
    """An amount typed, in minor units; one sentence naming the field when it is not one."""
    if not text.strip():
        raise InvalidValue(field, _("Type an amount, such as 12500 or 12,500.50."))
    try:
        return parse_amount(text, currency)
    except ArithmeticError:  # an exponent past any number ('1e999999999')
        raise InvalidValue(field, _("{value} is too large for an amount.").format(value=repr(text))) from None


def read_day(text: str, today: date, field: str) -> date:
    """A day typed as an ISO date or a quick one ('today', '+30d', 'fri')."""
    return parse_quick_date(text, today, field)


def plan_gap(amount: int, plan: list[PlanPart], today: date) -> int:
    """What the plan is short of the contract's amount (negative: over it)."""
    facts = [InstalmentFact(str(i), part.due_on, part.amount, i) for i, part in enumerate(plan)]
    return collection(amount, facts, [], today).gap


@dataclass(frozen=True)
class ContractAnswer:
    """The dialog's answer: the contract's values (checked by the store) and its plan,
    None when the plan was not touched (an existing contract keeps its instalments)."""

    values: dict[str, Any]
    plan: list[PlanPart] | None


class PlanTable(DataTable[Text]):
    """The instalments, one a row: a adds one, enter edits, delete removes."""

    BINDINGS = [
        Binding("a,insert", "act('add')", N_("Add instalment")),
        Binding("delete,d", "act('remove')", N_("Remove instalment")),
    ]

    def __init__(self, **options: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **options)
        translate_keys(self)
        for header, width, right in PLAN_COLUMNS:
            self.add_column(Text(padded(_(header), width, right)), width=width)

    def action_act(self, what: str) -> None:
        screen = self.screen
        if isinstance(screen, ContractDialog):
            screen.plan_action(what)


class InstalmentScreen(SavingDialog[PlanPart | None]):
    """One instalment of a plan: when it is due, how much, and what it is called."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "save", N_("Save"), priority=True),
    ]

    def __init__(self, part: PlanPart, currency: str, today: date):
        super().__init__()
        self.part = part
        self.currency = currency
        self.today = today

    def compose(self) -> ComposeResult:
        part = self.part
        with Vertical(classes="dialog form", id="instalment-dialog"):
            yield Label(_("Instalment"), classes="dialog-title")
            with FormBody():
                with Horizontal(classes="pair"):
                    yield FormField(
                        _("Due"), part.due_on.isoformat(), placeholder=_("2026-12-31, +30d"), id="due"
                    )
                    yield FormField(
                        _("Amount ({currency})").format(currency=self.currency),
                        typed_amount(part.amount, self.currency),
                        id="amount",
                        private=True,
                    )
                yield FormField(_("Label"), part.label, id="label")
            yield Static(_("ctrl+s or enter: save  tab: next field  esc: cancel"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#amount", FormField).input.focus()

    @on(Input.Submitted)
    def action_save(self) -> None:
        due_field, amount_field = self.query_one("#due", FormField), self.query_one("#amount", FormField)
        ok = True
        due, amount = self.part.due_on, self.part.amount
        try:
            due = read_day(due_field.value, self.today, "date")
            due_field.show_hint(day_shown(due))
        except InvalidValue as error:
            due_field.show_error(str(error))
            ok = False
        try:
            amount = read_amount(amount_field.value, self.currency)
            amount_field.show_hint("")
        except InvalidValue as error:
            amount_field.show_error(str(error))
            ok = False
        if ok:
            self.finish(PlanPart(due, amount, self.query_one("#label", FormField).value.strip()))


class ContractDialog(SavingDialog[ContractAnswer | None]):
    """A deal's contract and its payment plan. Returns what to write (see `edit_contract`)."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Later")),
        Binding("ctrl+s", "save", N_("Save"), priority=True),
    ]

    def __init__(
        self,
        values: dict[str, Any],
        plan: list[PlanPart],
        *,
        deal_title: str,
        quote: str,
        today: date,
        new: bool,
        save: Save | None = None,
    ):
        super().__init__(save=save)
        self.values = values
        self.plan = list(plan)
        self.deal_title = deal_title
        self.quote = quote  # the quote's label, or "" when the contract came from none
        self.today = today
        self.new = new
        self.plan_changed = False

    def compose(self) -> ComposeResult:
        values = self.values
        currency = str(values.get("currency") or "")
        title = _("Contract for {deal}") if self.new else _("Contract of {deal}")
        with Vertical(classes="dialog wide form", id="contract-dialog"):
            yield Label(title.format(deal=literal(self.deal_title)), classes="dialog-title", markup=False)
            with FormBody():
                with Horizontal(classes="pair"):
                    yield FormField(_("Number"), str(values.get("number") or ""), id="contract-number")
                    yield FormField(_("Signed"), str(values.get("signed_on") or ""), id="contract-signed_on")
                with Horizontal(classes="pair"):
                    yield FormField(_("Starts"), str(values.get("starts_on") or ""), id="contract-starts_on")
                    yield FormField(
                        _("Ends"),
                        str(values.get("ends_on") or ""),
                        placeholder=_("2027-12-31 or +12m"),
                        id="contract-ends_on",
                    )
                with Horizontal(classes="pair"):
                    yield FormField(
                        _("Amount"),
                        typed_amount(int(values.get("amount") or 0), currency),
                        id="contract-amount",
                        private=True,
                    )
                    yield FormField(_("Currency"), currency, id="contract-currency")
                quote = (
                    _("From quote {quote}").format(quote=self.quote)
                    if self.quote
                    else _("Not from a quote: the amount is the deal's.")
                )
                yield Static(quote, id="contract-quote", classes="dim", markup=False)
                yield FormField(_("Notes"), str(values.get("notes") or ""), id="contract-notes")
                yield FormField(
                    _("Payment plan (enter makes the instalments)"),
                    "",
                    placeholder=_("30% on signing, 70% in 60 days · 3 monthly · 分3期"),
                    id="contract-pattern",
                )
                yield PlanTable(id="plan-table")
                yield Static("", id="plan-gap", markup=False)
            yield Static(
                _("ctrl+s: save  plan: a add  enter edit  del remove  esc: fill in later"),
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        self.watch(self.app, "privacy", lambda _on: self.draw_plan())
        self.draw_plan()
        self.field("number").input.focus()

    def field(self, name: str) -> FormField:
        return self.query_one(f"#contract-{name}", FormField)

    @property
    def changed(self) -> bool:
        return self.plan_changed or super().changed

    @property
    def table(self) -> PlanTable:
        return self.query_one(PlanTable)

    @property
    def currency(self) -> str:
        try:
            return check_currency(self.field("currency").value)
        except InvalidValue:
            return str(self.values.get("currency") or "")

    def typed_amount(self) -> int | None:
        """The amount as typed now, or None while it is not an amount."""
        try:
            return read_amount(self.field("amount").value, self.currency)
        except InvalidValue:
            return None

    # -- the plan ---------------------------------------------------------------------

    def draw_plan(self, cursor: int | None = None) -> None:
        private = bool(getattr(self.app, "privacy", False))
        currency = self.currency
        table = self.table
        at = table.cursor_row
        table.clear()
        for part in self.plan:
            table.add_row(
                Text(padded(part.due_on.isoformat(), PLAN_COLUMNS[0][1])),
                Text(
                    padded(masked(format_money(part.amount, currency, cents=True), private), 16, right=True)
                ),
                literal_text(part.label),
            )
        table.display = bool(self.plan)
        if self.plan:
            table.move_cursor(row=min(at if cursor is None else cursor, len(self.plan) - 1))
        self.query_one("#plan-gap", Static).update(self._gap_text(private))

    def _gap_text(self, private: bool) -> Text:
        if not self.plan:
            return Text(
                _(
                    "No plan yet: saved like this, the whole amount is one instalment due on signing. "
                    "Type a pattern above and press enter."
                ),
                style="dim",
            )
        amount = self.typed_amount()
        if amount is None:
            return Text("")
        currency = self.currency
        gap = plan_gap(amount, self.plan, self.today)
        planned = masked(format_money(amount - gap, currency, cents=True), private)
        if gap == 0:
            return Text(
                _("The instalments add up to the amount, {total}.").format(total=planned), style="dim"
            )
        by = masked(format_money(abs(gap), currency, cents=True), private)
        said = (
            _("The instalments add up to {total}: {by} short of the amount.")
            if gap > 0
            else _("The instalments add up to {total}: {by} more than the amount.")
        )
        return Text(said.format(total=planned, by=by), style="bold yellow")

    @on(Input.Changed, "#contract-amount-input, #contract-currency-input")
    def _amount_changed(self) -> None:
        if self.is_mounted:
            self.draw_plan()

    def make_plan(self) -> bool:
        """The plan from the pattern typed, over the amount typed and from the day signed."""
        pattern = self.field("pattern")
        amount = self.typed_amount()
        if amount is None:
            self.field("amount").show_error(_("Type the contract's amount first: the plan is a share of it."))
            return False
        try:
            signed = read_day(self.field("signed_on").value or "today", self.today, "signed date")
            plan = parse_plan(pattern.value, amount, signed)
        except InvalidValue as error:
            pattern.show_error(str(error))
            return False
        pattern.show_hint("")
        self.plan, self.plan_changed = plan, True
        self.draw_plan(0)
        self.table.focus()
        return True

    def plan_action(self, what: str) -> None:
        row = self.table.cursor_row if self.plan else None
        if what == "remove":
            if row is not None:
                del self.plan[row]
                self.plan_changed = True
                self.draw_plan()
                if not self.plan:
                    self.field("pattern").input.focus()
            return
        if what == "add":
            last = self.plan[-1].due_on if self.plan else self.today
            amount = self.typed_amount() or 0
            gap = plan_gap(amount, self.plan, self.today) if self.plan else amount
            self._edit_part(None, PlanPart(last, max(gap, 0), ""))
        elif row is not None:
            self._edit_part(row, self.plan[row])

    def _edit_part(self, row: int | None, part: PlanPart) -> None:
        def answered(edited: PlanPart | None) -> None:
            if edited is None:
                return
            if row is None:
                self.plan.append(edited)
                at = len(self.plan) - 1
            else:
                self.plan[row] = edited
                at = row
            self.plan_changed = True
            self.draw_plan(at)
            self.table.focus()

        self.app.push_screen(InstalmentScreen(part, self.currency, self.today), answered)

    @on(DataTable.RowSelected, "#plan-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.plan_action("edit")

    # -- saving -----------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "contract-pattern-input":
            self.make_plan()
        else:
            self.action_save()

    def action_save(self) -> None:
        values: dict[str, Any] = {}
        ok = True
        number = self.field("number")
        values["number"] = number.value.strip()
        if not values["number"]:
            number.show_error(_("A contract needs a number, such as C-2026-0007."))
            ok = False
        else:
            number.show_hint("")
        for name, said in DATE_FIELDS:
            field = self.field(name)
            text = field.value.strip()
            if not text:
                values[name] = None
                field.show_hint("")
                continue
            try:
                day = read_day(text, self.today, said)
            except InvalidValue as error:
                field.show_error(str(error))
                ok = False
                continue
            values[name] = day.isoformat()
            field.show_hint(day_shown(day))
        try:
            values["currency"] = check_currency(self.field("currency").value)
            self.field("currency").show_hint("")
        except InvalidValue as error:
            self.field("currency").show_error(str(error))
            ok = False
        if ok:
            try:
                values["amount"] = read_amount(self.field("amount").value, values["currency"])
                self.field("amount").show_hint("")
            except InvalidValue as error:
                self.field("amount").show_error(str(error))
                ok = False
        if ok and values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
            self.field("ends_on").show_error(_("The contract cannot end before it starts."))
            ok = False
        values["notes"] = self.field("notes").value
        if ok:
            plan, plan_changed = list(self.plan), self.plan_changed
            if not plan and values["amount"] > 0:
                # As the line under the plan says: the whole amount is due on signing, kept
                # as an instalment so that Today asks for it and it can be snoozed.
                signed = date.fromisoformat(values["signed_on"]) if values["signed_on"] else self.today
                plan = [PlanPart(signed, values["amount"], _("in full on signing"))]
                plan_changed = True
            self.finish(ContractAnswer(values, plan if plan_changed else None))


def edit_contract(
    screen: SalesdeskScreen,
    store: Store,
    deal_id: str,
    today: date,
    then: Callable[[str | None], None] | None = None,
) -> None:
    """Open the deal's contract (a new one, prefilled from the deal and its latest quote,
    when it has none); `then(contract id or None)` once the dialog closes."""
    from salesdesk.store.contracts import ContractStore
    from salesdesk.store.quotes import QuoteStore

    contracts = ContractStore(store)
    existing = contracts.of_deal(deal_id)
    if existing is None:
        values = contracts.prefill(deal_id, today)
        plan: list[PlanPart] = []
    else:
        values = {
            name: getattr(existing, name)
            for name in (
                "number",
                "signed_on",
                "starts_on",
                "ends_on",
                "amount",
                "currency",
                "quote_id",
                "notes",
            )
        }
        plan = [
            PlanPart(date.fromisoformat(i.due_on), i.amount, i.label)
            for i in contracts.instalments(existing.id)
        ]
    quote = ""
    if values.get("quote_id"):
        found = QuoteStore(store).get(values["quote_id"])
        quote = quote_label(found.number, found.revision)
    written: list[str] = []

    def save(answer: ContractAnswer) -> bool:
        def write() -> str:
            with store.records.transaction():
                if existing is None:
                    contract_id = contracts.make(
                        deal_id, {**answer.values, "quote_id": values.get("quote_id")}
                    )
                else:
                    contract_id = existing.id
                    contracts.update(contract_id, answer.values)
                if answer.plan is not None:
                    contracts.set_plan(contract_id, answer.plan)
                return contract_id

        contract_id, ok = screen._try(write, SAVE_AGAIN)
        if ok and contract_id:
            written.append(contract_id)
        return ok

    def closed(answer: ContractAnswer | None) -> None:
        if answer is None:
            if existing is None:
                screen.notify(
                    _("The contract is left to fill in later: c on the card opens it."), markup=False
                )
        else:
            screen.notify(
                _("Contract {number} saved.").format(number=literal(answer.values["number"])), markup=False
            )
        if then is not None:
            then(written[-1] if written else None)

    deal = store.deal(deal_id)
    dialog = ContractDialog(
        values, plan, deal_title=deal.title, quote=quote, today=today, new=existing is None, save=save
    )
    screen.app.push_screen(dialog, closed)
