"""The after-sales case dialog: a title, the product it is about (found as one types, or
free text), the day it was opened and notes. Saved before it closes: a refusal or a
database that cannot take the write (busy, read-only, full) leaves it open with what
was typed.

A product typed that is not in the catalogue is kept as free text: the case names no
product, and its notes start with "Product: …".
"""

from datetime import date
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from salesdesk.core import cases as rules
from salesdesk.core.dates import parse_quick_date
from salesdesk.core.errors import InvalidValue
from salesdesk.core.model import Product
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _
from salesdesk.store.cases import CaseStore, ListedCase
from salesdesk.store.products import ProductStore
from salesdesk.store.store import Store
from salesdesk.tui.screens.base import SAVE_AGAIN, Save, SavingDialog
from salesdesk.tui.text import literal_text
from salesdesk.tui.widgets.form import FormBody, FormField, day_shown

MATCHES_SHOWN = 6  # products offered at a time as one types
NO_PRODUCT, FREE_TEXT = "none", "text"  # the options that are not a product
FREE_PRODUCT = N_("Product: {product}")  # the first line of the notes of a product not in the catalogue


class CaseForm(SavingDialog[dict | None]):
    """Open or edit a case. Returns title, product_id, opened_on, notes (a free-text
    product already in the notes)."""

    BINDINGS = [Binding("ctrl+s", "save", N_("Save"), priority=True)]

    def __init__(
        self,
        store: Store,
        customer_name: str,
        today: date,
        record: dict[str, Any] | None = None,
        *,
        save: Save | None = None,
    ):
        super().__init__(save=save)
        self.products = ProductStore(store)
        self.customer_name = customer_name
        self.today = today
        self.record = record or {}
        self.matches: list[Product] = []

    def compose(self) -> ComposeResult:
        sentence = _("Edit the case of {name}") if self.record.get("id") else _("Open a case for {name}")
        before, _name, after = sentence.partition("{name}")
        heading = Text.assemble((before, "bold"), (literal(self.customer_name), "bold"), (after, "bold"))
        opened = self.record.get("opened_on") or self.today.isoformat()
        with Vertical(classes="dialog wide form", id="case-form"):
            yield Static(heading, classes="dialog-title")
            with FormBody():
                yield FormField(
                    _("Title"),
                    str(self.record.get("title") or ""),
                    placeholder=_("e.g. printer jams, asks for a second training"),
                    id="case-title",
                )
                yield FormField(
                    _("Product"),
                    str(self.record.get("product") or ""),
                    placeholder=_("a product's name or code, or what it is about; blank: none"),
                    id="case-product",
                )
                matches = OptionList(id="matches")
                matches.can_focus = False  # chosen with ↑↓ from the product field; tab goes on
                yield matches
                yield FormField(
                    _("Opened on"), opened, placeholder=_("today, yesterday, 2026-11-20"), id="case-opened"
                )
                yield Label(_("Notes"), classes="form-label")
                yield TextArea(str(self.record.get("notes") or ""), id="case-notes", soft_wrap=True)
            yield Static(
                _("ctrl+s: save  ↑↓: choose the product  tab: next field  esc: cancel"),
                classes="dialog-keys",
                markup=False,
            )

    def on_mount(self) -> None:
        self._offer(self.field("product").value.strip(), self.record.get("product_id"))
        self.field("title").input.focus()

    def field(self, name: str) -> FormField:
        return self.query_one(f"#case-{name}", FormField)

    @on(Input.Changed, "#case-product-input")
    def _lookup(self, event: Input.Changed) -> None:
        self._offer(event.value.strip())

    def _offer(self, typed: str, chosen: str | None = None) -> None:
        """The products matching what is typed, the first (or the case's own) highlighted;
        then the typed text as free text."""
        self.matches = self.products.search(typed, limit=MATCHES_SHOWN) if typed else []
        options = self.query_one("#matches", OptionList)
        options.clear_options()
        for index, product in enumerate(self.matches):
            label = literal_text(product.name)
            if product.code:
                label.append(f"  {literal(product.code)}", style="dim")
            options.add_option(Option(label, id=str(index)))
        if typed:
            before, _name, after = _("+ not in the catalogue: “{text}”").partition("{text}")
            options.add_option(Option(Text.assemble(before, literal(typed), after), id=FREE_TEXT))
        else:
            options.add_option(Option(Text(_("no product"), style="dim"), id=NO_PRODUCT))
        ids = [product.id for product in self.matches]
        options.highlighted = ids.index(chosen) if chosen in ids else 0
        options.display = bool(typed)

    def _product(self) -> tuple[str | None, str]:
        """The product chosen: (its id, "") or (None, the free text typed, or "")."""
        typed = self.field("product").value.strip()
        if not typed:
            return None, ""
        options = self.query_one("#matches", OptionList)
        index = options.highlighted
        option_id = options.get_option_at_index(index).id if index is not None else FREE_TEXT
        if option_id not in (FREE_TEXT, NO_PRODUCT, None):
            return self.matches[int(option_id)].id, ""
        return None, typed

    def on_key(self, event: events.Key) -> None:
        """↑ and ↓ in the product field move the choice; the typing stays where it is."""
        if event.key not in ("up", "down") or self.focused is not self.field("product").input:
            return
        event.prevent_default()
        event.stop()
        options = self.query_one("#matches", OptionList)
        if event.key == "down":
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    @on(OptionList.OptionSelected, "#matches")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.field("opened").input.focus()

    @on(Input.Submitted)
    def action_save(self) -> None:
        values: dict[str, Any] = {}
        ok = True
        try:
            values["title"] = rules.check_title(self.field("title").value)
            self.field("title").show_hint("")
        except InvalidValue as error:
            self.field("title").show_error(str(error))
            ok = False
        try:
            opened = parse_quick_date(self.field("opened").value or "today", self.today, "opened on")
            if opened > self.today:
                raise InvalidValue("opened on", _("A case is opened today or on a day before."))
            values["opened_on"] = opened.isoformat()
            self.field("opened").show_hint(day_shown(opened))
        except InvalidValue as error:
            self.field("opened").show_error(str(error))
            ok = False
        product_id, free = self._product()
        notes = self.query_one("#case-notes", TextArea).text.strip()
        line = _(FREE_PRODUCT).format(product=free) if free else ""
        if line and not notes.startswith(line):
            notes = f"{line}\n{notes}".strip()
        values["product_id"] = product_id
        values["notes"] = notes
        if ok:
            self.finish(values)


def open_case(screen: Any, customer_id: str, customer_name: str) -> None:
    """The dialog of a new case for a customer on `screen` (a DataScreen with `store` and
    `today`); saved before it closes, then the screen shows it."""
    cases = CaseStore(screen.store)

    def save(values: dict[str, Any]) -> bool:
        return bool(screen._attempt(lambda: cases.open_case(customer_id, **values), SAVE_AGAIN))

    def entered(values: dict[str, Any] | None) -> None:
        if values is not None:
            screen.notify(_("Case opened: {title}").format(title=values["title"]), markup=False)
            screen.show_fresh()

    screen.app.push_screen(CaseForm(screen.store, customer_name, screen.today, save=save), entered)


def edit_case(screen: Any, listed: ListedCase) -> None:
    """The dialog over a case of the customer shown; saved before it closes."""
    case = listed.case
    cases = CaseStore(screen.store)
    record = {
        "id": case.id,
        "title": case.title,
        "product": listed.product,
        "product_id": case.product_id,
        "opened_on": case.opened_on,
        "notes": case.notes,
    }

    def save(values: dict[str, Any]) -> bool:
        return bool(screen._attempt(lambda: cases.update(case.id, values, case.version), SAVE_AGAIN))

    def entered(values: dict[str, Any] | None) -> None:
        if values is not None:
            screen.show_fresh()

    customer = screen._guard(lambda: screen.store.customer(case.customer_id))
    if customer is not None:  # (else deleted elsewhere meanwhile: said on screen)
        form = CaseForm(screen.store, customer.name, screen.today, record, save=save)
        screen.app.push_screen(form, entered)
