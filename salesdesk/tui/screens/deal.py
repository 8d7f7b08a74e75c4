"""A deal in full (every field editable, its stage history, its customer), and a new deal."""

import json
import sqlite3
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from salesdesk.core.dates import ACCEPTED, parse_quick_date, parse_timestamp
from salesdesk.core.errors import InvalidValue, SalesdeskError, StaleRecord
from salesdesk.core.model import Customer
from salesdesk.core.money import exponent, parse_amount
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _
from salesdesk.store.board import BoardQueries
from salesdesk.store.store import Store
from salesdesk.tui.faults import read_only_why, sentence
from salesdesk.tui.privacy import masked
from salesdesk.tui.screens.base import SAVE_AGAIN, Save, SavingDialog, form_values, show_fault
from salesdesk.tui.screens.deal_lines import DealLines, LinePickerScreen, LineScreen
from salesdesk.tui.screens.stale import MINE, THEIRS, StaleScreen, differences, my_changes
from salesdesk.tui.text import literal_text
from salesdesk.tui.widgets.form import FormBody, FormField


def _amount_text(minor: int, currency: str) -> str:
    exp = exponent(currency)
    return f"{minor / 10**exp:.{exp}f}" if exp else str(minor)


def _amount_read(text: str, currency: str) -> int:
    """An amount typed; one past any number ('1e999999999') is refused as not an amount."""
    try:
        return parse_amount(text or "0", currency)
    except ArithmeticError:
        raise InvalidValue(
            "amount", _("{value} is too large for an amount.").format(value=repr(text))
        ) from None


DEAL_LABELS = (
    ("title", N_("Title")),
    ("amount", N_("Amount")),
    ("currency", N_("Currency")),
    ("probability", N_("Probability %")),
    ("expected_close", N_("Expected close")),
    ("next_step", N_("Next step")),
    ("owner", N_("Owner")),
    ("checklist_done", N_("Checklist done")),
)


class DealScreen(SavingDialog[bool]):  # it saves itself: a refused save keeps it open
    """Every field of a deal, editable; its stage checklist, stage history and customer."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Close")),
        Binding("ctrl+s", "save", N_("Save"), priority=True),
        Binding("ctrl+l", "add_line", N_("Add a line"), priority=True),
        Binding("ctrl+z", "restore_line", N_("Put the line back"), show=False),
    ]
    CANCELLED = False  # closed without saving (True once a line was written: the board reloads)
    FIRST = "next_step"  # what changes after each contact; Title, above it, is a shift+tab away

    def __init__(self, store: Store, deal_id: str, today: date):
        super().__init__()
        self.store = store
        self.deal = store.deal(deal_id)
        self.original = store.records.require("deals", deal_id)  # as opened: what the user changed
        self.today = today

    def compose(self) -> ComposeResult:
        deal, store = self.deal, self.store
        stage = store.stage(deal.stage_id)
        own = "" if deal.probability is None else str(deal.probability)
        with Vertical(classes="dialog wide form", id="deal-dialog"):
            yield Static(literal_text(deal.title), classes="dialog-title", id="deal-title")
            yield Static("", id="deal-error", classes="form-hint -error", markup=False)
            with Horizontal(id="deal-panes"):
                with VerticalScroll(id="deal-fields", can_focus=False):
                    yield FormField(_("Title"), deal.title, id="title")
                    with Horizontal(classes="pair"):
                        yield FormField(
                            _("Amount"), _amount_text(deal.amount, deal.currency), id="amount", private=True
                        )
                        yield FormField(_("Currency"), deal.currency, id="currency")
                    with Horizontal(classes="pair"):
                        yield FormField(
                            _("Probability %"),
                            own,
                            id="probability",
                            placeholder=_("{probability} (the stage's)").format(
                                probability=stage.probability
                            ),
                        )
                        yield FormField(
                            _("Expected close"),
                            deal.expected_close or "",
                            placeholder=_(ACCEPTED),
                            id="expected_close",
                        )
                    yield FormField(_("Next step"), deal.next_step, id="next_step")
                    yield FormField(_("Owner"), deal.owner, id="owner")
                with VerticalScroll(id="deal-side", can_focus=False):
                    yield Label(_("Customer"), classes="section-title")
                    yield Static(id="deal-customer")
                    yield Label(
                        _("Stage: {stage} — its standard").format(stage=literal(stage.name)),
                        classes="section-title",
                        markup=False,
                    )
                    done = set(json.loads(deal.checklist_done))
                    if stage.checklist:
                        yield SelectionList[str](
                            *[(literal_text(item), item, item in done) for item in stage.checklist],
                            id="deal-checklist",
                        )
                    else:
                        yield Static(_("No checklist for this stage."), classes="dim")
                    yield Label(_("Stage history"), classes="section-title")
                    yield Static(self._history_text(), id="deal-history")
            yield DealLines(store, deal.id, deal.currency, id="deal-lines")
            yield Static(
                _("ctrl+s: save  ctrl+l: add a line  tab: next field  space: tick  esc: close"),
                classes="dialog-keys",
            )

    def on_mount(self) -> None:
        # Not the checklist (the first thing that takes focus): the field typed into first.
        self.query_one(f"#{self.FIRST}", FormField).input.focus()
        self.lines.draw()
        self._amount_from_lines()
        customer = self.store.customer(self.deal.customer_id)
        self.watch(
            self.app,
            "privacy",
            lambda on: self.query_one("#deal-customer", Static).update(self._customer_text(customer, on)),
        )

    def _customer_text(self, customer: Customer, privacy: bool) -> Text:
        text = Text()
        text.append(literal(customer.name), style="bold")
        if customer.company:
            text.append("\n" + literal(customer.company))
        for value in (customer.phone, customer.email):
            if value:
                text.append("\n" + masked(literal(value), privacy))
        return text

    def _history_text(self) -> Text:
        names = {s.id: s.name for s in self.store.stages()}
        text = Text()
        for change in reversed(self.store.stage_history(self.deal.id)):
            when = parse_timestamp(change.at).astimezone()
            to_stage = names.get(change.to_stage, "?")
            if change.from_stage:
                move = _("{from_stage} → {to_stage}").format(
                    from_stage=names.get(change.from_stage, "?"), to_stage=to_stage
                )
            else:
                move = _("created in {stage}").format(stage=to_stage)
            text.append(f"{when:%Y-%m-%d %H:%M}  ", style="dim")
            text.append(literal(move))
            text.append(f"  {literal(change.by_user)}\n", style="dim")
        return text

    # -- lines -----------------------------------------------------------------------------

    @property
    def lines(self) -> DealLines:
        return self.query_one(DealLines)

    def _amount_from_lines(self) -> None:
        """With lines, the amount is their sum: shown, not typed (nor the currency changed)."""
        has_lines = bool(self.lines.lines)
        amount, currency = self.query_one("#amount", FormField), self.query_one("#currency", FormField)
        for field in (amount, currency):
            field.input.disabled = has_lines
        amount.show_hint(_("the lines' sum") if has_lines else "")
        if has_lines:
            self._show_unchanged(amount.input, _amount_text(self.deal.amount, self.deal.currency))

    def _show_unchanged(self, box: Input, value: str) -> None:
        """Put `value` in a field without counting it as typed (esc still closes at once)."""
        before = form_values(self)
        box.value = value
        if self._opened is not None:
            after = form_values(self)
            self._opened = tuple(
                now if now != was else opened
                for opened, was, now in zip(self._opened, before, after, strict=True)
            )

    @on(DealLines.Written)
    def _line_written(self) -> None:
        self.CANCELLED = True  # the deal's amount changed: whoever opened it reads it again
        current = self.store.records.require("deals", self.deal.id)
        unchanged = {"amount", "version", "updated_at", "updated_by"}
        if all(current[k] == v for k, v in self.original.items() if k not in unchanged):
            # Only the amount moved, by this dialog's own lines: saving stays a plain save.
            self.original = current
            self.deal = self.store.deal(self.deal.id)
        else:
            self.deal.amount = current["amount"]
        self._amount_from_lines()

    def action_add_line(self) -> None:
        lines = self.lines

        def save(answer: tuple[str, str]) -> bool:
            return lines.add_answer(answer, self.app.screen)

        self.app.push_screen(LinePickerScreen(self.store, self.deal.title, self.deal.currency, save=save))

    def action_restore_line(self) -> None:
        self.lines.restore()

    @on(DataTable.RowSelected, "#lines-table")
    def _edit_line(self, event: DataTable.RowSelected) -> None:
        event.stop()
        line, lines = self.lines.current(), self.lines
        if line is None:
            return

        def save(changes: dict) -> bool:
            return lines.edit_line(line, changes, self.app.screen)

        self.app.push_screen(LineScreen(line, self.deal.currency, save=save))

    @on(Input.Submitted)
    def action_save(self) -> None:
        values = {
            name: self.query_one(f"#{name}", FormField).value
            for name in ("title", "amount", "currency", "probability", "expected_close", "next_step", "owner")
        }
        changes, ok = {}, True
        for name, read in (
            ("title", lambda v: v if v.strip() else self._fail(_("A deal needs a title."))),
            ("currency", lambda v: v.strip().upper()),
            ("amount", lambda v: _amount_read(v, values["currency"].strip().upper())),
            ("probability", self._probability),
            (
                "expected_close",
                lambda v: (
                    parse_quick_date(v, self.today, "expected close").isoformat() if v.strip() else None
                ),
            ),
            ("next_step", lambda v: v),
            ("owner", lambda v: v.strip()),
        ):
            field = self.query_one(f"#{name}", FormField)
            try:
                changes[name] = read(values[name])
                field.show_hint("")
            except InvalidValue as error:
                field.show_error(str(error))
                ok = False
        if not ok:
            return
        if self.lines.lines:
            del changes["amount"]  # the lines' sum, written with each line
        self._typed = changes
        checklist = self.query("#deal-checklist")
        if checklist:
            done = set(json.loads(self.deal.checklist_done))
            stage_items = set(self.store.stage(self.deal.stage_id).checklist)
            done = (done - stage_items) | set(checklist.first(SelectionList).selected)
            changes["checklist_done"] = json.dumps(sorted(done), ensure_ascii=False)
        self._save(changes, self.deal.version)

    def _save(self, changes: dict, version: int) -> None:
        if self.app.read_only:
            self.query_one("#deal-error", Static).update(read_only_why(str(self.store.path)))
            return
        try:
            self.store.update_deal(self.deal.id, changes, expected_version=version)
        except StaleRecord as error:
            self._changed_elsewhere(error)
            return
        except SalesdeskError as error:
            self.query_one("#deal-error", Static).update(str(error))
            return
        except sqlite3.Error as error:  # busy, read-only, full: what was typed stays for ctrl+s again
            self.query_one("#deal-error", Static).update(sentence(error, str(self.store.path), SAVE_AGAIN))
            show_fault(self, error, SAVE_AGAIN)
            return
        self.dismiss(True)

    def _changed_elsewhere(self, error: StaleRecord) -> None:
        """Show both values; keep mine writes only the fields this user changed."""
        current = error.current
        if current is None:
            self.query_one("#deal-error", Static).update(str(error))
            return
        changes = self._typed
        mine = my_changes(self.original, changes)
        currency = current.get("currency") or self.deal.currency

        def show(name: str, value) -> str:
            if name == "amount":
                return _amount_text(value, str(changes.get("currency") or currency))
            if name == "checklist_done":
                return ", ".join(json.loads(value))
            return str(value)

        rows = differences(self.original, changes, current, DEAL_LABELS, show)

        def chosen(choice: str | None) -> None:
            if choice == MINE:
                if mine:
                    self._save(mine, current["version"])
                else:
                    self.dismiss(True)
            elif choice == THEIRS:
                self.dismiss(True)  # the board reloads and shows theirs

        self.app.push_screen(StaleScreen(self.deal.title, rows), chosen)

    @staticmethod
    def _fail(message: str):
        raise InvalidValue("value", message)

    @staticmethod
    def _probability(text: str) -> int | None:
        if not text.strip():
            return None
        if not text.strip().isdigit() or int(text) > 100:
            raise InvalidValue(
                "probability",
                _("{value} is not a probability; use 0 to 100, or leave it blank.").format(value=repr(text)),
            )
        return int(text)


class NewDealScreen(SavingDialog[dict | None]):
    """A new deal: the customer found by type-ahead or created on the spot; opened on the
    customer, or on the title when the customer is known already."""

    def __init__(
        self,
        queries: BoardQueries,
        currency: str,
        today: date,
        customer: tuple[str, str] | None = None,
        *,
        save: Save | None = None,
    ):
        super().__init__(save=save)
        self.queries = queries
        self.currency = currency
        self.today = today
        self.matches: list[tuple[str, str, str]] = []
        self.preset = customer
        self.chosen: tuple[str | None, str] | None = customer  # (customer id or None for new, name)

    def on_mount(self) -> None:
        if self.preset is not None:
            field = self.query_one("#customer", FormField)
            field.input.value = self.preset[1]
            self.query_one("#title-input").focus()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form", id="new-deal-dialog"):
            yield Label(_("New deal"), classes="dialog-title")
            with FormBody():
                yield FormField(_("Customer"), placeholder=_("type a name or company"), id="customer")
                yield OptionList(id="matches")
                yield FormField(_("Title"), placeholder=_("what is being sold"), id="title")
                with Horizontal(classes="pair"):
                    yield FormField(
                        _("Amount ({currency})").format(currency=self.currency),
                        placeholder=_("12500 or 12.5k"),
                        id="amount",
                        private=True,
                    )
                    yield FormField(
                        _("Expected close"), placeholder=_("optional: 2w, 2026-12-31"), id="close"
                    )
            yield Static(_("enter: choose / add  tab: next field  esc: cancel"), classes="dialog-keys")

    @on(Input.Changed, "#customer-input")
    def _lookup(self, event: Input.Changed) -> None:
        typed = event.value.strip()
        if self.preset is not None and typed == self.preset[1]:
            self.chosen = self.preset
            self.query_one("#customer", FormField).show_hint(literal(self.preset[1]))
            return
        self.matches = self.queries.customers_matching(typed) if typed else []
        options = self.query_one("#matches", OptionList)
        options.clear_options()
        for index, (_id, name, company) in enumerate(self.matches):
            label = literal_text(name)
            if company:
                label.append(f"  {literal(company)}", style="dim")
            options.add_option(Option(label, id=str(index)))
        if typed:
            before, _name, after = _("+ new customer “{name}”").partition("{name}")
            options.add_option(Option(Text.assemble(before, literal(typed), after), id="new"))
            options.highlighted = 0
        self.chosen = None
        self.query_one("#customer", FormField).show_hint("")

    def _choose(self, option_id: str | None) -> None:
        typed = self.query_one("#customer", FormField).value.strip()
        if option_id is None or not typed:
            return
        if option_id == "new":
            self.chosen = (None, typed)
            self.query_one("#customer", FormField).show_hint(
                _("a new customer: {name}").format(name=literal(typed))
            )
        else:
            customer_id, name, company = self.matches[int(option_id)]
            self.chosen = (customer_id, name)
            self.query_one("#customer", FormField).show_hint(
                f"{literal(name)}" + (f", {literal(company)}" if company else "")
            )

    @on(OptionList.OptionSelected, "#matches")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)
        self.query_one("#title-input").focus()

    def key_down(self) -> None:
        if self.focused is self.query_one("#customer-input"):
            self.query_one("#matches", OptionList).focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        if event.input.id == "customer-input":
            options = self.query_one("#matches", OptionList)
            if options.highlighted is not None:
                self._choose(options.get_option_at_index(options.highlighted).id)
            self.query_one("#title-input").focus()
            return
        ok = True
        customer = self.query_one("#customer", FormField)
        if self.chosen is None:
            customer.show_error(_("Choose a customer from the list, or the new-customer line."))
            ok = False
        title = self.query_one("#title", FormField)
        if not title.value.strip():
            title.show_error(_("A deal needs a title."))
            ok = False
        amount_field = self.query_one("#amount", FormField)
        amount = 0
        try:
            amount = _amount_read(amount_field.value, self.currency)
        except InvalidValue as error:
            amount_field.show_error(str(error))
            ok = False
        close_field = self.query_one("#close", FormField)
        close = None
        if close_field.value.strip():
            try:
                close = parse_quick_date(close_field.value, self.today, "expected close").isoformat()
            except InvalidValue as error:
                close_field.show_error(str(error))
                ok = False
        if ok and self.chosen is not None:
            customer_id, name = self.chosen
            self.finish(
                {
                    "customer_id": customer_id,
                    "customer_name": name,
                    "title": title.value,
                    "amount": amount,
                    "currency": self.currency,
                    "expected_close": close,
                }
            )
