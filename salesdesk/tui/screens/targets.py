"""The Targets view (8): each member's and the team's progress over a month, a quarter or
a year against their targets of won value and of money collected; `a` or enter sets the
focused row's target, del removes it."""

import sqlite3
from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Label, Static

from salesdesk.core.errors import InvalidValue, SalesdeskError
from salesdesk.core.money import check_currency, exponent, format_money, parse_amount
from salesdesk.core.targets import (
    MONTH,
    PERIOD_KINDS,
    QUARTER,
    WON,
    MemberProgress,
    PeriodProgress,
    TargetPeriod,
    measure_label,
    parse_measure,
    parse_month,
    person_label,
)
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext
from salesdesk.store.reports import ReportStore
from salesdesk.store.store import Store
from salesdesk.store.targets import TargetStore
from salesdesk.tui.privacy import privacy_on
from salesdesk.tui.screens.base import SAVE_AGAIN, DataScreen, Save, SavingDialog, writes
from salesdesk.tui.widgets.form import FormBody, FormField
from salesdesk.tui.widgets.key_bar import KeyBar, translate_keys
from salesdesk.tui.widgets.targets import headers, member_rows, read_board

KIND_NAMES = {MONTH: N_("month"), QUARTER: N_("quarter"), "year": N_("year")}
TARGET_FIELDS = (
    ("month", N_("Month (YYYY-MM)")),
    ("measure", N_("Measure (won or collected)")),
    ("amount", N_("Amount")),
    ("currency", N_("Currency")),
)


class TargetForm(SavingDialog[dict | None]):
    """A target of one person (or the team): its month, measure, amount and currency."""

    BINDINGS = [Binding("ctrl+s", "save", N_("Save"), priority=True)]

    def __init__(self, person: str, values: dict[str, str], *, save: Save | None = None):
        super().__init__(save=save)
        self.person = person
        self.values = values

    def compose(self) -> ComposeResult:
        title = _("Target of {person}").format(person=literal(person_label(self.person)))
        with Vertical(classes="dialog form", id="target-form"):
            yield Label(title, classes="dialog-title", markup=False)
            with FormBody():
                for pair in (TARGET_FIELDS[:2], TARGET_FIELDS[2:]):
                    with Horizontal(classes="pair"):
                        for name, label in pair:
                            yield FormField(
                                _(label),
                                self.values.get(name, ""),
                                id=f"target-{name}",
                                private=name == "amount",
                                placeholder=_("e.g. 500000 or 500k") if name == "amount" else "",
                            )
            yield Static(_("ctrl+s or enter: save  tab: next field  esc: cancel"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#target-amount-input").focus()

    def field(self, name: str) -> FormField:
        return self.query_one(f"#target-{name}", FormField)

    @on(Input.Submitted)
    def action_save(self) -> None:
        typed = {name: self.field(name).value.strip() for name, _label in TARGET_FIELDS}
        values: dict[str, Any] = {}
        ok = True
        for name, check in (("month", parse_month), ("measure", parse_measure), ("currency", check_currency)):
            try:
                values[name] = check(typed[name])
                self.field(name).show_hint("")
            except InvalidValue as error:
                self.field(name).show_error(str(error))
                ok = False
        if ok:
            try:
                values["amount"] = parse_amount(typed["amount"] or "0", values["currency"])
                self.field("amount").show_hint("")
            except InvalidValue as error:
                self.field("amount").show_error(str(error))
                ok = False
        if ok:
            self.finish(values)


class TargetsScreen(DataScreen):
    BINDINGS = [
        Binding("a,enter", "set_target", N_("Set target"), id="targets.set"),
        Binding("delete", "remove_target", N_("Remove"), id="targets.remove"),
        Binding("left_square_bracket", "step(-1)", N_("Previous"), key_display="[", id="targets.previous"),
        Binding("right_square_bracket", "step(1)", N_("Next"), key_display="]", id="targets.next"),
        Binding("m", "cycle_kind", N_("Month/quarter/year"), id="targets.kind"),
    ]

    def __init__(self, store: Store, *, user: str, today: date):
        super().__init__()
        translate_keys(self)
        self.store = store
        self.user = user
        self.today = today
        self.targets = TargetStore(store)
        self.period = TargetPeriod.of(MONTH, today)
        self.rows: list[MemberProgress] = []
        self.found: PeriodProgress | None = None  # what was read of the period shown
        self._path = ReportStore(store).path  # the file read (a private copy, if one is)
        self.keys: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="targets-status", markup=False)
        yield DataTable(id="targets-table", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.watch(self.app, "privacy", lambda _on: self._draw(), init=False)
        self.reload_data()

    class BoardRead(Message):
        def __init__(self, found: PeriodProgress):
            super().__init__()
            self.found = found

    def show_fresh(self) -> None:
        """Read the period shown again, off the UI thread (a year of the large demo: 0.3 s)."""
        self._read(self.period)

    @work(thread=True, group="targets", exclusive=True)
    def _read(self, period: TargetPeriod) -> None:
        try:
            found = read_board(self._path, self.user, self.store.clock, period, self.today)
        except (SalesdeskError, sqlite3.Error) as error:
            self.read_failed(_("The targets could not be read ({error}).").format(error=error))
            return
        self.post_message(self.BoardRead(found))

    @on(BoardRead)
    def _board_read(self, event: BoardRead) -> None:
        if event.found.period == self.period:
            self.found = event.found
            self._draw()

    def _draw(self) -> None:
        found = self.found
        if found is None:
            return
        table = self.table
        keep = self.keys[table.cursor_row] if self.keys and table.cursor_row < len(self.keys) else None
        self.rows = list(found.rows)
        default = self.store.setting("currency")
        private = privacy_on(self)
        lines = [line for row in self.rows for line in member_rows(row, default, private)]
        self.keys = [key for key, _cells in lines]
        table.clear(columns=True)
        for header in headers():
            table.add_column(header)
        for key, cells in lines:
            table.add_row(*cells, key=key)
        if keep in self.keys:
            table.move_cursor(row=self.keys.index(keep))
        table.focus()
        left = ngettext("{n} working day left", "{n} working days left", found.days_left).format(
            n=found.days_left
        )
        self.query_one("#targets-status", Static).update(
            "  ·  ".join((_("Targets of {period}").format(period=found.period.label()), left))
        )

    def action_step(self, step: int) -> None:
        self.period = self.period.shifted(step)
        self.show_fresh()

    def action_cycle_kind(self) -> None:
        kind = PERIOD_KINDS[(PERIOD_KINDS.index(self.period.kind) + 1) % len(PERIOD_KINDS)]
        # Back to a month: the month of today if it is in the period shown, else its first.
        anchor = self.today if self.period.first <= self.today <= self.period.last else self.period.first
        self.period = TargetPeriod.of(kind, anchor if kind == MONTH else self.period.first)
        self.show_fresh()
        self.notify(_("Showing a {kind}.").format(kind=_(KIND_NAMES[kind])))

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        self.action_set_target()  # enter on a row (the table takes the key itself)

    def _focused(self) -> tuple[str, str] | None:
        if not self.keys:
            return None
        person, currency = self.keys[min(self.table.cursor_row, len(self.keys) - 1)].split("\x1f")
        return person, currency

    def _month(self) -> str:
        """The month a target is set for: the one shown, or today's within a quarter or
        year shown, else the period's first."""
        if self.period.kind == MONTH:
            return str(self.period)
        day = self.today if self.period.first <= self.today <= self.period.last else self.period.first
        return f"{day.year}-{day.month:02d}"

    @writes
    def action_set_target(self) -> None:
        focused = self._focused()
        if focused is None:
            return
        person, currency = focused
        month = self._month()
        current = {(t.measure, t.currency): t.amount for t in self.targets.targets([month], person)}
        amount = current.get((WON, currency))
        values = {
            "month": month,
            "measure": measure_label(WON),
            "amount": _typed(amount, currency) if amount else "",
            "currency": currency,
        }

        def save(answer: dict) -> bool:
            return self._attempt(
                lambda: self.targets.set(
                    person, answer["month"], answer["measure"], answer["amount"], answer["currency"]
                ),
                SAVE_AGAIN,
            )

        def saved(answer: dict | None) -> None:
            if answer is None:
                return
            self.notify(
                _("Target set: {person}, {month}, {measure} {amount}.").format(
                    person=person_label(person),
                    month=answer["month"],
                    measure=measure_label(answer["measure"]),
                    amount=format_money(answer["amount"], answer["currency"]),
                ),
                markup=False,
            )
            self.show_fresh()

        self.app.push_screen(TargetForm(person, values, save=save), saved)

    @writes
    def action_remove_target(self) -> None:
        focused = self._focused()
        if focused is None:
            return
        person, currency = focused
        if self.period.kind != MONTH:
            self.notify(
                _("Targets are removed a month at a time: press m to show a month."), severity="warning"
            )
            return
        month = str(self.period)
        found = [t for t in self.targets.targets([month], person) if t.currency == currency]
        if not found:
            self.notify(_("No target to remove here."), severity="warning")
            return

        def remove() -> None:
            for target in found:
                self.targets.remove(person, month, target.measure, target.currency)

        if self._attempt(remove):
            self.notify(
                _("Removed the targets of {person} for {month} in {currency}.").format(
                    person=person_label(person), month=month, currency=currency
                ),
                markup=False,
            )
            self.show_fresh()


def _typed(amount: int, currency: str) -> str:
    """An amount as a person types it: '500000', '1250.50' (cents only when there are any)."""
    places = exponent(currency)
    whole, part = divmod(amount, 10**places) if places else (amount, 0)
    return f"{whole}.{part:0{places}d}" if part else str(whole)
