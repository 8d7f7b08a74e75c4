"""The form of the Products screen: a product's name, code, unit, list price, currency and
category, each checked beside its field; what was typed is kept on a refusal."""

from decimal import Decimal
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from salesdesk.core.errors import InvalidValue
from salesdesk.core.model import check_name
from salesdesk.core.money import check_currency, exponent, parse_amount
from salesdesk.i18n import N_, _
from salesdesk.tui.screens.base import Save, SavingDialog
from salesdesk.tui.widgets.form import FormBody, FormField

PRODUCT_FIELDS = (
    ("name", N_("Name")),
    ("code", N_("Code")),
    ("unit", N_("Unit (piece, hour, year…)")),
    ("category", N_("Category")),
    ("price", N_("List price")),
    ("currency", N_("Currency")),
)


def price_typed(price: int, currency: str) -> str:
    """A list price as a person types it: '3500.50', '80000' (no thousands separators)."""
    places = exponent(currency)
    return f"{Decimal(price).scaleb(-places):.{places}f}" if price else ""


class ProductForm(SavingDialog[dict | None]):
    """Add or edit a product. Returns the values to save, the price in minor units."""

    BINDINGS = [Binding("ctrl+s", "save", N_("Save"), priority=True)]

    def __init__(self, record: dict[str, Any], *, save: Save | None = None):
        super().__init__(save=save)
        self.record = record

    def compose(self) -> ComposeResult:
        title = _("Edit product") if self.record.get("id") else _("New product")
        currency = str(self.record.get("currency") or "")
        shown = {
            **{name: str(self.record.get(name) or "") for name, _label in PRODUCT_FIELDS},
            "price": price_typed(int(self.record.get("price") or 0), currency),
        }
        with Vertical(classes="dialog wide form", id="product-form"):
            yield Label(title, classes="dialog-title")
            with FormBody():
                for pair in (PRODUCT_FIELDS[i : i + 2] for i in range(0, len(PRODUCT_FIELDS), 2)):
                    with Horizontal(classes="pair"):
                        for name, label in pair:
                            yield FormField(
                                _(label),
                                shown[name],
                                id=f"product-{name}",
                                placeholder=_("e.g. 12500 or 12,500.50") if name == "price" else "",
                            )
            yield Static(_("ctrl+s or enter: save  tab: next field  esc: cancel"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#product-name-input").focus()

    def field(self, name: str) -> FormField:
        return self.query_one(f"#product-{name}", FormField)

    @on(Input.Submitted)
    def action_save(self) -> None:
        values: dict[str, Any] = {}
        ok = True
        for name, _label in PRODUCT_FIELDS:
            values[name] = self.field(name).value.strip()
        checks = (
            ("name", lambda: check_name(values["name"])),
            ("currency", lambda: check_currency(values["currency"])),
        )
        for name, check in checks:
            try:
                values[name] = check()
                self.field(name).show_hint("")
            except InvalidValue as error:
                self.field(name).show_error(str(error))
                ok = False
        if ok:
            try:
                text = values["price"]
                values["price"] = parse_amount(text, values["currency"]) if text else 0
                self.field("price").show_hint("")
            except InvalidValue as error:
                self.field("price").show_error(str(error))
                ok = False
        if ok:
            self.finish(values)
