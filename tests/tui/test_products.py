"""The Products screen: the catalogue listed, searched as one types, added to, edited and retired by keys."""

from pathlib import Path

import pytest

from salesdesk import i18n
from salesdesk.io.product_rows import read_products_csv
from salesdesk.store.product_import import import_products
from salesdesk.store.products import ProductStore
from salesdesk.tui.screens.product_forms import ProductForm
from salesdesk.tui.screens.products import ProductsScreen
from tests.tui.conftest import SIZE, make_app, no_blink, settle

FIXTURES = Path(__file__).parent.parent / "fixtures" / "products"


@pytest.fixture
def catalogue(seeded):
    """Five products, one retired, one named in markup."""
    store, _ids, _clock = seeded
    products = ProductStore(store)
    ids = {
        "maintenance": products.add(
            "Annual maintenance", code="MNT-01", unit="year", price=1_200_000, category="Service"
        ),
        "spares": products.add(
            "Spare parts framework", code="SP-02", unit="set", price=880_000, category="Parts"
        ),
        "training": products.add(
            "On-site training", code="TR-03", unit="day", price=350_050, category="Service"
        ),
        "marked": products.add("[b]Bold[/b] cable \x1b[31m", unit="m", price=250, category="Parts"),
        "old": products.add("Old controller", code="OLD-9", unit="piece", price=230_000, category="Hardware"),
    }
    products.retire(ids["old"])
    yield store, ids


async def _products(pilot) -> ProductsScreen:
    await settle(pilot)
    await pilot.press("7")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ProductsScreen)
    return pilot.app.screen


def _names(screen: ProductsScreen) -> list[str]:
    return [product.name for product in screen.product_list.rows]


def _status(screen: ProductsScreen) -> str:
    return str(screen.query_one("#product-status").render())


async def test_seven_lists_the_active_products_by_name_and_shows_text_literally(catalogue):
    store, _ids = catalogue
    async with make_app(store).run_test(size=SIZE) as pilot:
        screen = await _products(pilot)
        assert _names(screen) == [
            "[b]Bold[/b] cable \x1b[31m",
            "Annual maintenance",
            "On-site training",
            "Spare parts framework",
        ]
        assert _status(screen) == "4 products  ·  1 retired hidden (r shows it)"
        drawn = screen.product_list.render().plain
        assert "[b]Bold[/b] cable ␛[31m" in drawn  # no markup, the escape made visible
        assert "$12,000.00" in drawn and "$3,500.50" in drawn
        assert "Old controller" not in drawn


async def test_search_narrows_the_list_as_one_types_codes_first(catalogue):
    store, _ids = catalogue
    async with make_app(store).run_test(size=SIZE) as pilot:
        screen = await _products(pilot)
        await pilot.press("slash", "t", "r")
        await settle(pilot)
        assert _names(screen) == ["On-site training"]  # code TR-03, and 'training'
        await pilot.press("backspace", "backspace", *"service")
        await settle(pilot)
        assert _names(screen) == ["Annual maintenance", "On-site training"]
        assert _status(screen).startswith("2 products")
        await pilot.press("enter", "down")
        assert screen.product_list.current.name == "On-site training"


async def test_a_adds_a_product_from_the_form_and_the_cursor_lands_on_it(catalogue):
    store, _ids = catalogue
    async with make_app(store).run_test(size=SIZE) as pilot:
        screen = await _products(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProductForm)
        await pilot.press(
            *"Installation", "tab", *"INS-4", "tab", *"visit", "tab", *"Service", "tab", *"1,500"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        added = ProductStore(store).by_code("INS-4")
        assert (added.name, added.unit, added.price, added.currency, added.category) == (
            "Installation",
            "visit",
            150_000,
            "USD",
            "Service",
        )
        assert screen.product_list.current.id == added.id


async def test_e_keeps_the_form_open_on_a_bad_price_and_saves_once_it_is_right(catalogue):
    store, ids = catalogue
    async with make_app(store).run_test(size=SIZE) as pilot:
        screen = await _products(pilot)
        await pilot.press("down", "e")  # Annual maintenance
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ProductForm)
        price = form.query_one("#product-price-input")
        assert price.value == "12000.00"
        price.value = "12.345"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "more decimals than USD allows" in str(form.query_one("#product-price-hint").render())
        price.value = "13,000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert ProductStore(store).get(ids["maintenance"]).price == 1_300_000
        assert "$13,000.00" in screen.product_list.render().plain


async def test_x_retires_r_shows_the_retired_dimmed_and_x_brings_one_back(catalogue):
    store, ids = catalogue
    products = ProductStore(store)
    async with make_app(store).run_test(size=SIZE) as pilot:
        screen = await _products(pilot)
        await pilot.press("down", "down", "x")  # On-site training
        await settle(pilot)
        assert not products.get(ids["training"]).active
        assert "On-site training" not in _names(screen)
        assert _status(screen) == "3 products  ·  2 retired hidden (r shows them)"
        await pilot.press("r")
        await settle(pilot)
        assert _status(screen) == "5 products  ·  retired ones shown (r hides them)"
        assert screen.product_list.current.name == "Spare parts framework"  # the cursor stays
        await pilot.press("up")
        assert screen.product_list.current.name == "On-site training"
        line = screen.product_list.render().split("\n")[screen.product_list.cursor + 1]
        assert "retired" in line.plain
        style = screen.product_list.get_component_rich_style("product-list--retired")
        assert any(span.style == style for span in line.spans)
        await pilot.press("x")
        await settle(pilot)
        assert products.get(ids["training"]).active


async def test_only_the_rows_on_screen_are_read(seeded):
    store, _ids, _clock = seeded
    products = ProductStore(store)
    for number in range(200):
        products.add(f"Product {number:03d}", code=f"P-{number:03d}", price=number * 100)
    async with make_app(store).run_test(size=SIZE) as pilot:
        screen = await _products(pilot)
        listing = screen.product_list
        assert listing.total == 200
        assert 20 < len(listing.rows) == listing.capacity < 40
        assert "↓" in listing.render().plain.splitlines()[-1]
        await pilot.press("end")
        assert listing.current.name == "Product 199"
        assert len(listing.rows) == listing.capacity


async def test_a_read_only_database_adds_nothing_and_says_why(catalogue):
    store, _ids = catalogue
    async with make_app(store).run_test(size=SIZE) as pilot:
        await _products(pilot)
        pilot.app.read_only = True
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProductsScreen)
        assert ProductStore(store).count() == 5


def _snapshot(snap_compare, store):
    async def run_before(pilot):
        await _products(pilot)
        no_blink(pilot.app)
        await settle(pilot)

    return snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


@pytest.fixture
def chinese_catalogue(seeded):
    """The Chinese price list of the fixtures, imported as `salesdesk import products` does."""
    store, _ids, _clock = seeded
    batch = read_products_csv(FIXTURES / "products-zh.csv")
    import_products(store, batch.products)
    yield store


class TestProducts:
    def test_list(self, snap_compare, catalogue):
        store, _ids = catalogue
        assert _snapshot(snap_compare, store)

    def test_chinese_with_the_retired_shown(self, snap_compare, chinese_catalogue):
        async def run_before(pilot):
            await _products(pilot)
            await pilot.press("r")
            no_blink(pilot.app)
            await settle(pilot)

        i18n.set_language("zh")
        app = make_app(chinese_catalogue)
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_the_product_form_fits_a_60x15_terminal_and_every_field_scrolls_into_view(catalogue):
    from textual.geometry import Region

    from tests.tui.test_small_terminal import SMALL, _shown, _view, _within

    store, _ids = catalogue
    async with make_app(store).run_test(size=SMALL) as pilot:
        await _products(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ProductForm)
        dialog = form.query_one(".dialog")
        assert _within(Region(0, 0, *SMALL), dialog.region)
        hint = form.query_one(".dialog-keys")
        assert _within(dialog.region, hint.region) and hint.region.height >= 1
        fields = [w for w in form.query("*") if w.focusable and _shown(w)]
        assert len(fields) == 6
        for field in fields:
            field.focus()
            await settle(pilot)
            await settle(pilot)
            assert _within(_view(field, dialog), field.region), f"{field!r} is scrolled out of view"


async def test_a_busy_database_keeps_the_form_open_with_what_was_typed_and_ctrl_s_saves_it(catalogue):
    from tests.tui.test_storage_faults import held_lock, messages

    store, _ids = catalogue
    async with make_app(store).run_test(size=SIZE) as pilot:
        screen = await _products(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = pilot.app.screen
        await pilot.press(*"Cable reel", "tab", *"CR-7")
        with held_lock(store.path):
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert pilot.app.screen is form
            assert form.field("name").value == "Cable reel" and form.field("code").value == "CR-7"
            assert any("ctrl+s again" in str(message) for message in messages(pilot.app))
        assert ProductStore(store).by_code("CR-7") is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert screen.product_list.current.code == "CR-7"


async def test_an_edit_of_a_product_changed_elsewhere_is_refused_and_the_form_kept(catalogue):
    store, ids = catalogue
    async with make_app(store).run_test(size=SIZE) as pilot:
        await _products(pilot)
        await pilot.press("down", "e")
        await settle(pilot)
        form = pilot.app.screen
        ProductStore(store).update(ids["maintenance"], {"price": 1_500_000})  # a teammate, meanwhile
        form.field("category").input.value = "Support"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        product = ProductStore(store).get(ids["maintenance"])
        assert (product.price, product.category) == (1_500_000, "Service")
