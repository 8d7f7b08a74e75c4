"""A deal's lines in its dialog: the table with their sum, a line added from a product
found as one types (or as free text), a line edited, moved and removed, all by keys.

Every write goes through `store.lines.LineStore`, which writes the line's total and the
deal's amount with it. A refusal or a database that cannot take the write (busy,
read-only, full) is a message: a dialog that was writing stays open with what was typed.
"""

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from salesdesk.core.errors import InvalidValue, SalesdeskError
from salesdesk.core.lines import AMOUNT, PERCENT, format_percent, format_quantity, line_total, parse_discount
from salesdesk.core.lines import parse_quantity as read_quantity
from salesdesk.core.lines import totals as sums
from salesdesk.core.model import DealLine, Product
from salesdesk.core.money import exponent, format_money, parse_amount
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext
from salesdesk.store.lines import PRICE_LIMIT, LineStore
from salesdesk.store.products import ProductStore
from salesdesk.store.store import Store
from salesdesk.tui.faults import read_only_why
from salesdesk.tui.privacy import masked
from salesdesk.tui.screens.base import ENTER_AGAIN, Save, SavingDialog, show_fault
from salesdesk.tui.text import literal_text, padded
from salesdesk.tui.widgets.form import FormBody, FormField
from salesdesk.tui.widgets.key_bar import translate_keys

T = TypeVar("T")

MATCHES_SHOWN = 8  # products offered at a time as one types
PRODUCT, FREE_TEXT = "product", "text"  # what the picker's answer names
# The table's columns: (header, width in cells, right-aligned).
COLUMNS = (
    (N_("Description"), 28, False),
    (N_("Qty"), 9, True),
    (N_("Unit"), 6, False),
    (N_("Unit price"), 14, True),
    (N_("Discount"), 9, True),
    (N_("Total"), 14, True),
)


def attempt(screen: Screen[Any], work: Callable[[], T], retry: str = ENTER_AGAIN) -> tuple[T | None, bool]:
    """Run a write of a line: (its result, True), or (None, False) with why on screen."""
    app: Any = screen.app
    if app.read_only:
        screen.notify(read_only_why(str(app.store.path)), severity="warning", markup=False)
        return None, False
    try:
        return work(), True
    except SalesdeskError as error:
        screen.notify(str(error), severity="error", markup=False)
    except sqlite3.Error as error:  # busy, read-only, full: tried again with the same key
        show_fault(screen, error, retry)
    return None, False


def money_text(minor: int, currency: str) -> str:
    """An amount as a field holds it: '1250.50' in USD, '8000' in JPY."""
    exp = exponent(currency)
    return f"{minor / 10**exp:.{exp}f}" if exp else str(minor)


def discount_text(line: DealLine, currency: str) -> str:
    """A line's discount as typed: '10%', '50.00', or nothing."""
    if line.discount_kind == PERCENT and line.discount:
        return format_percent(line.discount)
    if line.discount_kind == AMOUNT and line.discount:
        return money_text(line.discount, currency)
    return ""


def unit_price(text: str, currency: str) -> int:
    """A unit price typed, in minor units; a number too large to keep is refused with a sentence."""
    try:
        price = parse_amount(text or "0", currency)
    except ArithmeticError:  # an exponent past any number ('1e999999999')
        price = PRICE_LIMIT
    if price >= PRICE_LIMIT:
        raise InvalidValue("unit price", _("{value} is too large for a unit price.").format(value=repr(text)))
    return price


def discount_shown(line: DealLine, currency: str) -> str:
    """A line's discount in its table: '10%', '$50.00', or nothing."""
    if line.discount_kind == AMOUNT and line.discount:
        return format_money(line.discount, currency, cents=True)
    return discount_text(line, currency)


class LinesTable(DataTable[Text]):
    """The lines, one a row; enter edits the one under the cursor."""

    BINDINGS = [
        Binding("delete", "remove", N_("Remove line")),
        Binding("ctrl+up,alt+up", "move(-1)", N_("Move up"), key_display="ctrl+↑"),
        Binding("ctrl+down,alt+down", "move(1)", N_("Move down"), key_display="ctrl+↓"),
    ]

    class Act(Message):
        """A key on the line under the cursor: remove it, or move it by `step`."""

        def __init__(self, action: str, step: int = 0) -> None:
            super().__init__()
            self.action = action
            self.step = step

    def __init__(self, **options: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **options)
        translate_keys(self)

    def action_remove(self) -> None:
        self.post_message(self.Act("remove"))

    def action_move(self, step: int) -> None:
        self.post_message(self.Act("move", step))


class DealLines(Vertical):
    """A deal's lines and their sum, under its fields. Writes them, then says so
    (`Written`) for the dialog to show the new amount."""

    class Written(Message):
        """A line was written: the deal's amount (and version) changed."""

    def __init__(self, store: Store, deal_id: str, currency: str, **options: Any) -> None:
        super().__init__(**options)
        self.store = store
        self.lines_store = LineStore(store)
        self.deal_id = deal_id
        self.currency = currency
        self.lines: list[DealLine] = []
        self.removed: list[str] = []  # ids of the lines removed here, for ctrl+z

    def compose(self) -> ComposeResult:
        with Horizontal(id="lines-head"):
            yield Label(_("Lines"), classes="section-title")
            yield Static("", id="lines-keys", classes="dim", markup=False)
        table = LinesTable(id="lines-table")
        for header, width, right in COLUMNS:
            table.add_column(Text(padded(_(header), width, right)), width=width)
        yield table
        yield Static("", id="lines-sum", markup=False)

    def on_mount(self) -> None:
        self.watch(self.app, "privacy", lambda _on: self.draw())

    @property
    def table(self) -> LinesTable:
        return self.query_one(LinesTable)

    def draw(self, focus_line: str | None = None) -> None:
        """Read the lines again and draw them; the cursor on `focus_line` when named."""
        private = bool(getattr(self.app, "privacy", False))
        self.lines = self.lines_store.lines_of(self.deal_id)
        table, at = self.table, self.table.cursor_row
        table.clear()
        currency = self.currency
        for line in self.lines:
            numbers = (
                format_quantity(line.quantity_milli),
                masked(format_money(line.unit_price, currency, cents=True), private),
                masked(discount_shown(line, currency), private),
                masked(format_money(line.total, currency, cents=True), private),
            )
            quantity, price, discount, total = (
                Text(padded(number, COLUMNS[column][1], right=True))
                for number, column in zip(numbers, (1, 3, 4, 5), strict=True)
            )
            cells = (
                literal_text(line.description),
                quantity,
                literal_text(line.unit),
                price,
                discount,
                total,
            )
            table.add_row(*cells, key=line.id)
        table.display = bool(self.lines)
        ids = [line.id for line in self.lines]
        if focus_line in ids:
            table.move_cursor(row=ids.index(focus_line))
        elif self.lines:
            table.move_cursor(row=min(at, len(self.lines) - 1))
        summed = self.query_one("#lines-sum", Static)
        summed.update(self._sum_text(private))
        summed.set_class(not self.lines, "-empty")
        keys = _("ctrl+l: add  enter: edit  ctrl+↑↓: move  del: remove") if self.lines else ""
        self.query_one("#lines-keys", Static).update(keys)

    def _sum_text(self, private: bool) -> Text:
        if not self.lines:
            return Text(_("No lines: the amount is typed by hand. ctrl+l adds a line."), style="dim")
        made = sums([(x.quantity_milli, x.unit_price, x.discount_kind, x.discount) for x in self.lines])
        count = len(self.lines)
        text = Text(ngettext("{n} line", "{n} lines", count).format(n=count) + "  ", style="dim")
        if made.discounts:
            before = masked(format_money(made.subtotal, self.currency, cents=True), private)
            off = masked(format_money(made.discounts, self.currency, cents=True), private)
            text.append(_("before discounts {amount}").format(amount=before) + "  ", style="dim")
            text.append(_("discounts {amount}").format(amount=off) + "  ", style="dim")
        total = masked(format_money(made.total, self.currency, cents=True), private)
        text.append(_("total {amount}").format(amount=total), style="bold")
        return text

    def current(self) -> DealLine | None:
        if not self.lines or not self.table.display:
            return None
        return self.lines[min(self.table.cursor_row, len(self.lines) - 1)]

    # -- writes ------------------------------------------------------------------------------

    def _written(self, focus_line: str | None = None) -> None:
        self.draw(focus_line)
        self.post_message(self.Written())

    def add_answer(self, answer: tuple[str, str], screen: Screen[Any]) -> bool:
        """Add the picker's answer (a product, or free text); whether it was written."""
        kind, value = answer
        store = self.lines_store
        if kind == PRODUCT:
            product = ProductStore(self.store).get(value)
            line_id, ok = attempt(screen, lambda: store.add_line(self.deal_id, value))
            if ok and product.currency != self.currency and product.price:
                screen.notify(
                    _(
                        "{product} is priced in {currency}, not in this deal's {deal_currency}: "
                        "its unit price is 0 here; enter on the line types one."
                    ).format(
                        product=literal(product.name), currency=product.currency, deal_currency=self.currency
                    ),
                    severity="warning",
                    markup=False,
                    timeout=8,
                )
        else:
            line_id, ok = attempt(screen, lambda: store.add_line(self.deal_id, description=value))
        if ok:
            self._written(line_id)
            self.table.focus()
        return ok

    def edit_line(self, line: DealLine, changes: dict[str, Any], screen: Screen[Any]) -> bool:
        _version, ok = attempt(
            screen, lambda: self.lines_store.update_line(line.id, changes, expected_version=line.version)
        )
        if ok:
            self._written(line.id)
        return ok

    @on(LinesTable.Act)
    def _act(self, event: LinesTable.Act) -> None:
        event.stop()
        line = self.current()
        if line is None:
            return
        screen = self.screen
        if event.action == "remove":
            _none, ok = attempt(screen, lambda: self.lines_store.remove_line(line.id), "press delete again")
            if ok:
                self.removed.append(line.id)
                self._written()
                self.notify(
                    _("Line removed: {line}. ctrl+z puts it back.").format(line=literal(line.description)),
                    markup=False,
                )
                if not self.lines:
                    screen.set_focus(None)
                    screen.focus_next()
        else:
            moved, ok = attempt(
                screen, lambda: self.lines_store.move_line(line.id, event.step), "press it again"
            )
            if ok and moved:
                self._written(line.id)

    def restore(self) -> None:
        """Put back the line removed last here."""
        if not self.removed:
            return
        line_id = self.removed[-1]
        _none, ok = attempt(self.screen, lambda: self.lines_store.restore_line(line_id), "press ctrl+z again")
        if ok:
            self.removed.pop()
            self._written(line_id)
            self.table.focus()


class LinePickerScreen(SavingDialog[tuple[str, str] | None]):
    """A line for a deal: a product found as one types (enter takes the first), or the
    typed text as a free-text line when no product is wanted."""

    def __init__(self, store: Store, deal_title: str, currency: str, *, save: Save | None = None):
        super().__init__(save=save)
        self.products = ProductStore(store)
        self.deal_title = deal_title
        self.currency = currency
        self.matches: list[Product] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form", id="line-picker"):
            yield Label(
                _("Add a line to “{deal}”").format(deal=literal(self.deal_title)),
                classes="dialog-title",
                markup=False,
            )
            with FormBody():
                yield FormField(
                    _("Product or description"),
                    placeholder=_("a product's name or code, or what is sold"),
                    id="line-find",
                )
                yield OptionList(id="matches")
            yield Static(_("enter: add  ↑↓: choose  esc: cancel"), classes="dialog-keys")

    def on_mount(self) -> None:
        self._offer("")
        self.query_one("#line-find-input").focus()

    @on(Input.Changed, "#line-find-input")
    def _lookup(self, event: Input.Changed) -> None:
        self._offer(event.value.strip())

    def _offer(self, typed: str) -> None:
        self.matches = self.products.search(typed, limit=MATCHES_SHOWN)
        options = self.query_one("#matches", OptionList)
        options.clear_options()
        for index, product in enumerate(self.matches):
            label = literal_text(product.name)
            if product.code:
                label.append(f"  {literal(product.code)}", style="dim")
            price = format_money(product.price, product.currency, cents=True)
            unit = f" / {literal(product.unit)}" if product.unit else ""
            label.append(
                f"  {price}{unit}", style="dim" if product.currency == self.currency else "dim italic"
            )
            options.add_option(Option(label, id=str(index)))
        if typed:
            before, _name, after = _("+ a line of free text “{text}”").partition("{text}")
            options.add_option(Option(Text.assemble(before, literal(typed), after), id=FREE_TEXT))
        if options.option_count:
            options.highlighted = 0
        self.query_one("#line-find", FormField).show_hint("")

    def _choose(self, option_id: str | None) -> None:
        typed = self.query_one("#line-find", FormField).value.strip()
        if option_id == FREE_TEXT and typed:
            self.finish((FREE_TEXT, typed))
        elif option_id is not None and option_id != FREE_TEXT:
            self.finish((PRODUCT, self.matches[int(option_id)].id))
        else:
            self.query_one("#line-find", FormField).show_error(
                _("Type a product's name or code, or what is sold on this line.")
            )

    @on(Input.Submitted, "#line-find-input")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#matches", OptionList)
        if options.highlighted is None:
            self._choose(None)
        else:
            self._choose(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#matches")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def on_key(self, event: events.Key) -> None:
        """↑ and ↓ in the search field move the choice; the typing stays where it is."""
        if event.key not in ("up", "down") or self.focused is not self.query_one("#line-find-input"):
            return
        event.prevent_default()
        event.stop()
        options = self.query_one("#matches", OptionList)
        if event.key == "down":
            options.action_cursor_down()
        else:
            options.action_cursor_up()


class LineScreen(SavingDialog[dict | None]):
    """One line's fields: description, quantity, unit, unit price and discount; the
    total as typed, worked out as the store will."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "save", N_("Save"), priority=True),
    ]

    def __init__(self, line: DealLine, currency: str, *, save: Save | None = None):
        super().__init__(save=save)
        self.line = line
        self.currency = currency

    def compose(self) -> ComposeResult:
        line, currency = self.line, self.currency
        with Vertical(classes="dialog form", id="line-dialog"):
            yield Label(_("Line"), classes="dialog-title")
            with FormBody():
                yield FormField(_("Description"), line.description, id="description")
                with Horizontal(classes="pair"):
                    yield FormField(_("Quantity"), format_quantity(line.quantity_milli), id="quantity")
                    yield FormField(_("Unit"), line.unit, placeholder=_("h, pcs, 年"), id="unit")
                with Horizontal(classes="pair"):
                    yield FormField(
                        _("Unit price ({currency})").format(currency=currency),
                        money_text(line.unit_price, currency),
                        id="unit_price",
                        private=True,
                    )
                    yield FormField(
                        _("Discount"),
                        discount_text(line, currency),
                        placeholder=_("10%, 9折 or 500"),
                        id="discount",
                        private=True,
                    )
                yield Static("", id="line-total", markup=False)
            yield Static(_("ctrl+s or enter: save  tab: next field  esc: cancel"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#quantity", FormField).input.focus()
        self._show_total()

    @on(Input.Changed)
    def _show_total(self) -> None:
        try:
            changes = self._read(quiet=True)
        except InvalidValue:
            changes = None
        shown = self.query_one("#line-total", Static)
        if changes is None:
            shown.update("")
            return
        total = line_total(
            changes["quantity_milli"], changes["unit_price"], changes["discount_kind"], changes["discount"]
        )
        amount = masked(
            format_money(total, self.currency, cents=True), bool(getattr(self.app, "privacy", False))
        )
        shown.update(_("Line total: {amount}").format(amount=amount))

    def _read(self, quiet: bool = False) -> dict[str, Any] | None:
        """The fields read; None (each wrong field saying why, unless `quiet`) if one is wrong."""
        currency, ok = self.currency, True
        changes: dict[str, Any] = {}
        for name, read in (
            (
                "description",
                lambda v: v.strip() or self._refuse(_("A line needs a description: what is sold.")),
            ),
            ("quantity", lambda v: {"quantity_milli": read_quantity(v)}),
            ("unit", lambda v: v.strip()),
            ("unit_price", lambda v: unit_price(v, currency)),
            (
                "discount",
                lambda v: dict(zip(("discount_kind", "discount"), parse_discount(v, currency), strict=True)),
            ),
        ):
            field = self.query_one(f"#{name}", FormField)
            try:
                value = read(field.value)
            except InvalidValue as error:
                if quiet:
                    raise
                field.show_error(str(error))
                ok = False
                continue
            if isinstance(value, dict):
                changes.update(value)
            else:
                changes[name] = value
            if not quiet:
                field.show_hint("")
        return changes if ok else None

    @staticmethod
    def _refuse(message: str) -> str:
        raise InvalidValue("description", message)

    @on(Input.Submitted)
    def action_save(self) -> None:
        changes = self._read()
        if changes is not None:
            self.finish(changes)
