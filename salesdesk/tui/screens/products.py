"""The Products screen: the catalogue, searched as one types, with keys to add, edit and
retire a product.

The list is drawn from the page on screen only, like the customer list: it knows its
length from a count and asks for the rows it shows. The form is imported by the key
that opens it, out of the screen's first visit.
"""

from datetime import date

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Header, Input, Static

from salesdesk.core.model import Product
from salesdesk.core.money import format_money
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext
from salesdesk.store.products import ProductStore
from salesdesk.store.store import Store
from salesdesk.tui.privacy import masked
from salesdesk.tui.screens.base import SAVE_AGAIN, DataScreen, writes
from salesdesk.tui.text import padded
from salesdesk.tui.widgets.key_bar import KeyBar, translate_keys

HEADINGS = (N_("Code"), N_("Product"), N_("Unit"), N_("List price"), N_("Category"), N_("Status"))
CODE_CELLS, UNIT_CELLS, PRICE_CELLS, STATUS_CELLS = 12, 9, 14, 8  # units such as "project", "licence"
ACTIVE, RETIRED = N_("active"), N_("retired")


class ProductList(Widget, can_focus=True):
    """Products matching the search, in the store's order; the cursor is an index into all of them."""

    COMPONENT_CLASSES = {
        "product-list--cursor",
        "product-list--dim",
        "product-list--header",
        "product-list--retired",
    }

    BINDINGS = [
        Binding("up,k", "move(-1)", N_("Up"), show=False),
        Binding("down,j", "move(1)", N_("Down"), show=False),
        Binding("pageup", "page(-1)", N_("Page up"), show=False),
        Binding("pagedown", "page(1)", N_("Page down"), show=False),
        Binding("home", "jump(0)", N_("First"), show=False),
        Binding("end", "jump(-1)", N_("Last"), show=False),
    ]

    def __init__(self, products: ProductStore, *, id: str | None = None):
        super().__init__(id=id)
        translate_keys(self)
        self.products = products
        self.search = ""
        self.show_retired = False
        self.total = 0
        self.cursor = 0
        self.top = 0
        self.rows: list[Product] = []

    @property
    def capacity(self) -> int:
        """Rows that fit under the headings; a line is kept for the 'more' marker when
        the list is longer than that."""
        room = self.size.height - 1
        return max(1, room if self.total <= room else room - 1)

    @property
    def current(self) -> Product | None:
        offset = self.cursor - self.top
        return self.rows[offset] if 0 <= offset < len(self.rows) else None

    def reload(self, keep: str | None = None) -> None:
        """Count and fetch the visible page again; keep the cursor on `keep` if it is listed."""
        active_only = not self.show_retired
        self.total = self.products.count_matching(self.search, active_only=active_only)
        if keep is not None:
            found = self.products.position(keep, self.search, active_only=active_only)
            if found is not None:
                self.cursor = found
        self.cursor = max(0, min(self.cursor, self.total - 1))
        if self.cursor < self.capacity:
            self.top = 0
        self._scroll_to_cursor(force=True)

    def _scroll_to_cursor(self, force: bool = False) -> None:
        top = self.top
        if self.cursor < top:
            top = self.cursor
        elif self.cursor >= top + self.capacity:
            top = self.cursor - self.capacity + 1
        top = max(0, min(top, max(0, self.total - self.capacity)))
        if force or top != self.top or not self.rows:
            self.top = top
            self.rows = self.products.search(
                self.search, limit=self.capacity, offset=self.top, active_only=not self.show_retired
            )
        self.refresh()

    def on_resize(self) -> None:
        self._scroll_to_cursor(force=True)

    def action_move(self, step: int) -> None:
        self.cursor = max(0, min(self.cursor + step, self.total - 1))
        self._scroll_to_cursor()

    def action_page(self, direction: int) -> None:
        self.action_move(direction * self.capacity)

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else max(0, self.total - 1)
        self._scroll_to_cursor()

    def render(self) -> RenderableType:
        width = max(self.size.width, 20)
        style = self.get_component_rich_style
        fixed = CODE_CELLS + UNIT_CELLS + PRICE_CELLS + STATUS_CELLS + 7
        name_w = max(8, (width - fixed) * 60 // 100)
        category_w = max(4, width - fixed - name_w)
        code, name, unit, price, category, status = (_(heading) for heading in HEADINGS)
        header = Text(
            f" {padded(code, CODE_CELLS)} {padded(name, name_w)} {padded(unit, UNIT_CELLS)} "
            f"{padded(price, PRICE_CELLS, right=True)}  {padded(category, category_w)} "
            f"{padded(status, STATUS_CELLS)}",
            style=style("product-list--header"),
        )
        lines = [header]
        if not self.rows:
            empty = (
                _("No products match.") if self.search.strip() else _("No products yet: press a to add one.")
            )
            lines.append(Text(" " + empty, style=style("product-list--dim")))
        private = bool(getattr(self.app, "privacy", False))
        for offset, product in enumerate(self.rows[: self.capacity]):
            retired = not product.active
            line = Text(" ")
            line.append(_cell(literal(product.code), CODE_CELLS, style("product-list--dim")))
            line.append(" ")
            line.append(_cell(literal(product.name), name_w))
            line.append(" ")
            line.append(_cell(literal(product.unit), UNIT_CELLS))
            line.append(" ")
            shown = masked(format_money(product.price, product.currency, cents=True), private)
            line.append(padded(shown, PRICE_CELLS, right=True))
            line.append("  ")
            line.append(_cell(literal(product.category), category_w, style("product-list--dim")))
            line.append(" ")
            line.append(_cell(_(RETIRED) if retired else _(ACTIVE), STATUS_CELLS))
            if retired:
                line.stylize(style("product-list--retired"))
            if self.top + offset == self.cursor:
                line.stylize(style("product-list--cursor"))
            lines.append(line)
        below = self.total - self.top - min(len(self.rows), self.capacity)
        if self.top or below > 0:
            more = []
            if self.top:
                more.append(
                    ngettext("↑ {n} more above", "↑ {n} more above", self.top).format(n=f"{self.top:,}")
                )
            if below > 0:
                more.append(ngettext("↓ {n} more below", "↓ {n} more below", below).format(n=f"{below:,}"))
            lines += [Text("")] * max(0, self.capacity + 1 - len(lines))
            lines.append(Text(" " + "  ·  ".join(more), style=style("product-list--dim")))
        for line in lines:
            line.truncate(width, overflow="ellipsis", pad=True)
        return Text("\n").join(lines)


def _cell(value: str, width: int, style="") -> Text:
    """A cell of exactly `width` terminal columns (CJK and emoji are two wide)."""
    text = Text(value, style=style, no_wrap=True, overflow="ellipsis")
    text.truncate(width, overflow="ellipsis", pad=True)
    return text


class ProductsScreen(DataScreen):
    BINDINGS = [
        Binding("slash", "search", N_("Search"), key_display="/", id="products.search"),
        Binding("a", "add", N_("Add"), id="products.add"),
        Binding("e", "edit", N_("Edit"), id="products.edit"),
        Binding("x", "retire", N_("Retire"), id="products.retire"),
        Binding("r", "toggle_retired", N_("Retired"), id="products.retired"),
        Binding("escape", "back_to_list", N_("List"), show=False),
    ]

    def __init__(self, store: Store, *, today: date):
        super().__init__()
        translate_keys(self)
        self.store = store
        self.today = today
        self.products = ProductStore(store)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=_("/ search name, code or category"), id="product-search")
        yield Static("", id="product-status", markup=False)
        yield ProductList(self.products, id="product-list")
        yield KeyBar()

    @property
    def product_list(self) -> ProductList:
        return self.query_one(ProductList)

    @property
    def current_id(self) -> str | None:
        product = self.product_list.current
        return product.id if product else None

    def on_mount(self) -> None:
        self.watch(self.app, "privacy", self._privacy, init=False)
        self.product_list.focus()
        self.loaded_generation = self.app.data_generation
        self.call_after_refresh(self._refresh)

    def _privacy(self, _on: bool) -> None:
        self.product_list.refresh()

    def show_fresh(self) -> None:
        self._refresh(keep=self.current_id)

    def _refresh(self, keep: str | None = None) -> None:
        self.product_list.reload(keep=keep)
        self._update_status()

    def _update_status(self) -> None:
        listing = self.product_list
        parts = [ngettext("{n} product", "{n} products", listing.total).format(n=f"{listing.total:,}")]
        retired = self.products.count() - self.products.count(active_only=True)
        if listing.show_retired:
            parts.append(_("retired ones shown (r hides them)"))
        elif retired:
            parts.append(
                ngettext(
                    "{n} retired hidden (r shows it)", "{n} retired hidden (r shows them)", retired
                ).format(n=f"{retired:,}")
            )
        self.query_one("#product-status", Static).update("  ·  ".join(parts))

    def show_product(self, product_id: str) -> None:
        """Bring one product into view: the search cleared, retired ones shown if it is one."""
        listing = self.product_list
        if self.products.position(product_id, listing.search, active_only=not listing.show_retired) is None:
            self.query_one("#product-search", Input).value = ""
            listing.search = ""
            if not self.products.get(product_id).active:
                listing.show_retired = True
        self._refresh(keep=product_id)
        listing.focus()

    # -- search and the retired ones ------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#product-search", Input).focus()

    @on(Input.Changed, "#product-search")
    def _search(self, event: Input.Changed) -> None:
        self.product_list.search = event.value
        self.product_list.cursor = 0
        self._refresh()

    @on(Input.Submitted, "#product-search")
    def action_back_to_list(self) -> None:
        self.product_list.focus()

    def action_toggle_retired(self) -> None:
        listing = self.product_list
        listing.show_retired = not listing.show_retired
        self._refresh(keep=self.current_id)

    # -- actions on a product -------------------------------------------------------

    def _selected(self) -> Product | None:
        product = self.product_list.current
        if product is None:
            self.notify(_("No product selected."), severity="warning")
        return product

    @writes
    def action_add(self) -> None:
        from salesdesk.tui.screens.product_forms import ProductForm

        created: list[str] = []

        def save(values: dict) -> bool:
            fields = {name: value for name, value in values.items() if name != "name"}
            product_id = self._guard(lambda: self.products.add(values["name"], **fields), SAVE_AGAIN)
            if product_id:
                created.append(product_id)
            return product_id is not None

        def saved(values: dict | None) -> None:
            if created:
                self.show_product(created[0])

        record = {"currency": self.store.setting("currency")}
        self.app.push_screen(ProductForm(record, save=save), saved)

    @writes
    def action_edit(self) -> None:
        from salesdesk.tui.screens.product_forms import ProductForm

        product = self._selected()
        if product is None:
            return

        def save(values: dict) -> bool:
            return self._attempt(
                lambda: self.products.update(product.id, values, product.version), SAVE_AGAIN
            )

        def saved(values: dict | None) -> None:
            if values is not None:
                self._refresh(keep=product.id)

        record = {
            name: getattr(product, name)
            for name in ("id", "name", "code", "unit", "price", "currency", "category")
        }
        self.app.push_screen(ProductForm(record, save=save), saved)

    @writes
    def action_retire(self) -> None:
        product = self._selected()
        if product is None:
            return
        retiring = bool(product.active)
        if not self._attempt(lambda: self.products.retire(product.id, retired=retiring)):
            return
        if retiring:
            said = _("Retired {name}: kept on its deals and quotes, no longer offered for new lines.")
            if not self.product_list.show_retired:
                said += " " + _("r shows the retired products.")
        else:
            said = _("{name} is offered again.")
        self.notify(said.format(name=literal(product.name)), markup=False)
        self._refresh(keep=product.id)
