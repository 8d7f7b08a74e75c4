"""Adding a customer who is a teammate's: the warning, asking for it, creating it anyway,
and back to the form with everything typed; on the Customers screen and for a new deal's
new customer; how the warning looks in English and Chinese."""

from datetime import timedelta

import pytest

from salesdesk import i18n
from salesdesk.store.store import Store
from salesdesk.tui.screens.customer_forms import CustomerForm
from salesdesk.tui.screens.customers import CustomersScreen
from salesdesk.tui.screens.deal import NewDealScreen
from salesdesk.tui.screens.ownership import OwnedScreen
from salesdesk.tui.screens.pipeline import PipelineScreen
from tests.conftest import START, TODAY
from tests.tui.conftest import SIZE, make_app, no_blink, settle
from tests.tui.test_customers import shown
from tests.tui.test_storage_faults import LOCKED, messages, refusing

ASKED = "ann asks for this customer"


@pytest.fixture
def team(seeded):
    """The seeded pipeline, and Mary Cooper of Acme: 张丽's, last visited by her 12 days ago."""
    store, deals, clock = seeded
    mary = store.add_customer(
        "Mary Cooper", company="Acme", email="mary@acme.example", phone="+86 139 1234 5678", owner="张丽"
    )
    lone = store.add_customer("Lin Feng", owner="张丽")  # a name alone, for a new deal's customer
    zhang = Store(store.db, "张丽", clock)
    clock.now = START - timedelta(days=12)
    zhang.log_interaction(mary, "visit", "Showed the new range")
    clock.now = START
    return store, {"mary": mary, "lin": lone, **deals}


def customers_named(store: Store, name: str) -> int:
    return store.db.execute(
        "SELECT count(*) FROM customers WHERE name = ? AND deleted_at IS NULL", [name]
    ).fetchone()[0]


def asks(store: Store, customer_id: str) -> list[tuple[str, str, str]]:
    return store.db.execute(
        "SELECT owner, due_date, title FROM followups WHERE customer_id = ? AND deleted_at IS NULL",
        [customer_id],
    ).fetchall()


async def type_mary(pilot, email: str = "MARY@acme.example") -> CustomerForm:
    """On Customers, the new-customer form with another Mary Cooper typed in, saved."""
    await pilot.press("3")
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, CustomerForm)
    await pilot.press(*"M. Cooper")
    form.query_one("#email-input").value = email
    form.query_one("#title-input").value = "Buyer"
    await pilot.press("ctrl+s")
    await settle(pilot)
    return form


async def test_adding_a_teammates_customer_says_whose_it_is_and_asks_for_it(team):
    store, ids = team
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await type_mary(pilot)
        warning = pilot.app.screen
        assert isinstance(warning, OwnedScreen)
        said = shown(warning.query_one("#owned-said")).strip()
        assert said == "Mary Cooper (Acme) is 张丽's customer, last contacted 12 days ago"
        assert "(the same email)" in shown(warning.query_one("#owned-how"))
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)
        assert form not in pilot.app.screen_stack
        assert any("Asked 张丽 for Mary Cooper (Acme)" in said for said in messages(app))
    assert customers_named(store, "M. Cooper") == 0
    assert asks(store, ids["mary"]) == [("张丽", TODAY.isoformat(), ASKED)]
    assert store.customer(ids["mary"]).owner == "张丽"


async def test_create_it_anyway_makes_the_customer(team):
    store, ids = team
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_mary(pilot)
        assert isinstance(pilot.app.screen, OwnedScreen)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)
        new = pilot.app.screen.current_id
    assert new != ids["mary"] and store.customer(new).name == "M. Cooper"
    assert store.customer(new).owner == "ann"
    assert asks(store, ids["mary"]) == []


async def test_esc_is_back_to_the_form_with_everything_typed(team):
    store, ids = team
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await type_mary(pilot)
        assert isinstance(pilot.app.screen, OwnedScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is form
        assert form.query_one("#name-input").value == "M. Cooper"
        assert form.query_one("#email-input").value == "MARY@acme.example"
        assert form.query_one("#title-input").value == "Buyer"
        # Made someone else's on second thoughts: saved as anyone new is.
        form.query_one("#email-input").value = "m.cooper@elsewhere.example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)
    assert customers_named(store, "M. Cooper") == 1
    assert asks(store, ids["mary"]) == []


async def test_a_busy_database_keeps_what_was_typed_for_the_ask_and_for_create_anyway(team):
    store, ids = team
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        form = await type_mary(pilot)
        for key in ("a", "c"):
            assert isinstance(pilot.app.screen, OwnedScreen)
            with refusing(store, LOCKED):
                await pilot.press(key)
                await settle(pilot)
            assert pilot.app.screen is form
            assert form.query_one("#name-input").value == "M. Cooper"
            assert any("press ctrl+s again" in said for said in messages(app))
            await pilot.press("ctrl+s")
            await settle(pilot)
        await pilot.press("a")  # and again, with the database free
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)
    assert asks(store, ids["mary"]) == [("张丽", TODAY.isoformat(), ASKED)]
    assert customers_named(store, "M. Cooper") == 0


async def test_a_new_deals_new_customer_who_is_a_teammates(team):
    store, ids = team
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, NewDealScreen)
        await pilot.press(*"lin feng")
        await settle(pilot)
        dialog.query_one("#matches").highlighted = len(dialog.matches)  # "+ new customer"
        await pilot.press("enter", *"Ten tablets", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OwnedScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is dialog
        assert dialog.query_one("#title-input").value == "Ten tablets"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PipelineScreen)
    assert customers_named(store, "lin feng") == 0
    assert store.db.execute("SELECT count(*) FROM deals WHERE title = 'Ten tablets'").fetchone()[0] == 0
    assert asks(store, ids["lin"]) == [("张丽", TODAY.isoformat(), ASKED)]


def _warning(snap_compare, store: Store, language: str):
    async def run_before(pilot):
        await settle(pilot)
        await type_mary(pilot)
        assert isinstance(pilot.app.screen, OwnedScreen)
        no_blink(pilot.app)
        await settle(pilot)

    i18n.set_language(language)
    return snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


class TestOwnedWarning:
    def test_in_english(self, snap_compare, team):
        store, _ids = team
        assert _warning(snap_compare, store, "en")

    def test_in_chinese(self, snap_compare, team):
        store, _ids = team
        assert _warning(snap_compare, store, "zh")


async def test_names_from_the_database_are_shown_literally(seeded):
    store, _deals, _clock = seeded
    store.add_customer("[bold]Eve[/] \x1b[31m", company="[red]Corp", email="eve@corp.example", owner="[i]x")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_mary(pilot, email="eve@corp.example")
        warning = pilot.app.screen
        assert isinstance(warning, OwnedScreen)
        said = shown(warning.query_one("#owned-said")).strip()
        assert said == "[bold]Eve[/] ␛[31m ([red]Corp) is [i]x's customer, last contacted never"


@pytest.mark.parametrize("size", [(60, 15), (80, 24)])
async def test_the_warning_fits_a_small_terminal(team, size):
    from textual.geometry import Region

    store, _ids = team
    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await type_mary(pilot)
        warning = pilot.app.screen
        assert isinstance(warning, OwnedScreen)
        dialog = warning.query_one("#owned-dialog").region
        assert Region(0, 0, *size).contains_region(dialog)
        for part in ("#owned-said", ".dialog-keys"):
            region = warning.query_one(part).region
            assert region.height >= 1 and dialog.contains_region(region)


async def test_a_new_deals_teammates_customer_created_anyway(team):
    store, ids = team
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = pilot.app.screen
        await pilot.press(*"Lin Feng")
        await settle(pilot)
        dialog.query_one("#matches").highlighted = len(dialog.matches)  # "+ new customer"
        await pilot.press("enter", *"Ten tablets", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OwnedScreen)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PipelineScreen)
    assert customers_named(store, "Lin Feng") == 2
    deal = store.db.execute("SELECT customer_id FROM deals WHERE title = 'Ten tablets'").fetchone()
    assert deal is not None and deal[0] != ids["lin"]
    assert asks(store, ids["lin"]) == []
